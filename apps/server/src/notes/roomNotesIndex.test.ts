import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAccount, docName, NOTES_FIELD, NOTES_TEXT_FIELD, writeDocToText } from '@rapport/model'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { Projection } from '../projection/Projection.ts'
import { IndexWorker } from '../recordIndex/IndexWorker.ts'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'

/* The record index's note text (search kind `notes`, putNotes) of rooms holding notes text v2: live and catch-up. */

const WS = 'ws_notes_v2'
let dir: string
let index: RecordIndex

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-notes-v2-'))
  index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
})
afterEach(async () => {
  await index.close()
  await rm(dir, { recursive: true, force: true })
})

const para = (text: string) => ({ type: 'paragraph', content: [{ type: 'text', text }] })

describe('record index: notes text v2', () => {
  it('a live room: the v2 text is searchable, the stale fragment beside it is not', async () => {
    const projection = new Projection(silentLogger())
    const roomName = docName({ workspaceId: WS, kind: 'account', accountId: 'acc1' })
    const room = new Y.Doc()
    projection.attach(roomName, room)
    const worker = new IndexWorker({ index, projection, logger: silentLogger(), docOf: () => room })
    worker.start()
    createAccount(room, { id: 'acc1', name: 'Acme' }, 'test')
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('stale blimp fragment')])
    room.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    await worker.flush()
    expect((await index.search(WS, 'blimp')).map((h) => h.id)).toEqual(['acc1'])
    writeDocToText(room.getText(NOTES_TEXT_FIELD), {
      type: 'doc',
      content: [para('Quarterly zeppelin review')],
    })
    await worker.flush()
    expect((await index.search(WS, 'zeppelin')).map((h) => [h.kind, h.id])).toEqual([['notes', 'acc1']])
    expect(await index.search(WS, 'blimp')).toEqual([])
    projection.detach(roomName)
  })

  it('catch-up reads the v2 text of a stored room', async () => {
    const projection = new Projection(silentLogger())
    const worker = new IndexWorker({ index, projection, logger: silentLogger() })
    const name = docName({ workspaceId: WS, kind: 'account', accountId: 'acc2' })
    const room = new Y.Doc()
    createAccount(room, { id: 'acc2', name: 'Stored' }, 'test')
    writeDocToText(room.getText(NOTES_TEXT_FIELD), { type: 'doc', content: [para('airship renewal')] })
    await worker.catchUp([name], async () => Y.encodeStateAsUpdate(room))
    expect((await index.search(WS, 'airship')).map((h) => [h.kind, h.id])).toEqual([['notes', 'acc2']])
  })
})
