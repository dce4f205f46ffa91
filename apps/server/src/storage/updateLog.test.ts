import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { lowdbStore } from './lowdbStore.ts'
import { decodeLogRecords, encodeLogRecord, LOG_HEADER_BYTES } from './updateLogRecords.ts'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})
const freshDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-log-'))
  dirs.push(dir)
  return join(dir, 'docs')
}

/** A document typed one word per update; returns its updates. */
const typed = (words: string[]) => {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (const word of words) doc.getText('t').insert(doc.getText('t').length, word)
  return { doc, updates }
}
const textOf = (state: Uint8Array | null): string => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}
const logFiles = async (docsDir: string): Promise<string[]> =>
  (await readdir(join(docsDir, 'log')).catch(() => [])).sort()

describe('update log records', () => {
  const records = [new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7), new Uint8Array([9])]
  const file = Buffer.concat(records.map(encodeLogRecord))

  it('reads back every intact record', () => {
    expect(decodeLogRecords(file)).toEqual({ updates: records, damagedBytes: 0 })
  })

  it('a torn last record (any cut) is skipped and counted, the records before it are kept', () => {
    const lastRecord = LOG_HEADER_BYTES + 1
    for (let cut = 1; cut < lastRecord; cut += 1) {
      const torn = decodeLogRecords(file.subarray(0, file.byteLength - cut))
      expect(torn.updates).toEqual(records.slice(0, 2))
      expect(torn.damagedBytes).toBe(lastRecord - cut)
    }
  })

  it('a flipped byte, a zero length or a length over the cap ends the readable log there', () => {
    const flipped = Buffer.from(file)
    const inSecond = LOG_HEADER_BYTES + 3 + LOG_HEADER_BYTES + 10
    flipped.writeUInt8(flipped.readUInt8(inSecond) ^ 0xff, inSecond)
    expect(decodeLogRecords(flipped).updates).toEqual(records.slice(0, 1))
    const zero = Buffer.concat([encodeLogRecord(records[0] as Uint8Array), Buffer.alloc(12)])
    expect(decodeLogRecords(zero)).toEqual({ updates: records.slice(0, 1), damagedBytes: 12 })
    const huge = Buffer.from(file)
    huge.writeUInt32LE(0xfffffff0, 0)
    expect(decodeLogRecords(huge, 1024)).toEqual({ updates: [], damagedBytes: file.byteLength })
  })
})

describe('lowdbStore update log on disk', () => {
  it('a torn last record after a crash is skipped: the server loads the rest and keeps appending', async () => {
    const dir = await freshDir()
    const store = lowdbStore({ dir })
    const { updates } = typed(['alpha ', 'beta ', 'gamma'])
    for (const update of updates) await store.appendUpdate('ws/room', update)
    await store.close()
    const [segment] = await logFiles(dir)
    if (!segment) throw new Error('no log segment written')
    const path = join(dir, 'log', segment)
    // The crash cut the last append short.
    await truncate(path, (await readFile(path)).byteLength - 2)

    const reopened = lowdbStore({ dir })
    const loaded = await reopened.loadWithLog('ws/room')
    expect(loaded.log).toHaveLength(2)
    expect(loaded.damagedLogBytes).toBeGreaterThan(0)
    expect(textOf(await reopened.load('ws/room'))).toBe('alpha beta ')
    // New appends never follow the torn bytes: they go to a new segment and are read back.
    const more = typed(['alpha ', 'beta ', 'gamma'])
    for (const update of more.updates) await reopened.appendUpdate('ws/other', update)
    const resumed = new Y.Doc()
    Y.applyUpdate(resumed, (await reopened.load('ws/room')) as Uint8Array)
    const next: Uint8Array[] = []
    resumed.on('update', (update: Uint8Array) => next.push(update))
    resumed.getText('t').insert(resumed.getText('t').length, 'delta')
    for (const update of next) await reopened.appendUpdate('ws/room', update)
    expect(await logFiles(dir)).toHaveLength(3)
    expect(textOf(await reopened.load('ws/room'))).toBe('alpha beta delta')
    await reopened.close()
  })

  it('garbage appended to a segment (a record longer than the file) does not crash the load', async () => {
    const dir = await freshDir()
    const store = lowdbStore({ dir })
    for (const update of typed(['kept']).updates) await store.appendUpdate('d', update)
    await store.close()
    const [segment] = await logFiles(dir)
    const path = join(dir, 'log', segment as string)
    await writeFile(
      path,
      Buffer.concat([await readFile(path), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5])]),
    )
    const reopened = lowdbStore({ dir })
    expect(textOf(await reopened.load('d'))).toBe('kept')
    expect((await reopened.loadWithLog('d')).damagedLogBytes).toBe(9)
    await reopened.close()
  })

  it('a crash between the store and the log truncation replays idempotently', async () => {
    const dir = await freshDir()
    const store = lowdbStore({ dir, fsync: true })
    const { doc, updates } = typed(['one ', 'two ', 'three'])
    for (const update of updates) await store.appendUpdate('d', update)
    const saved = join(dir, '..', 'saved-log')
    await cp(join(dir, 'log'), saved, { recursive: true })
    await store.store('d', Y.encodeStateAsUpdate(doc))
    expect(await logFiles(dir)).toEqual([])
    await store.close()
    // The crash came after the state was written and before the segments were deleted.
    await cp(saved, join(dir, 'log'), { recursive: true })

    const reopened = lowdbStore({ dir, fsync: true })
    const loaded = await reopened.loadWithLog('d')
    expect(loaded.log).toHaveLength(3)
    expect(textOf(loaded.state)).toBe('one two three')
    // Replaying updates the state already holds changes nothing.
    expect(textOf(await reopened.load('d'))).toBe('one two three')
    const replayed = new Y.Doc()
    Y.applyUpdate(replayed, loaded.state as Uint8Array)
    for (const update of loaded.log) Y.applyUpdate(replayed, update)
    expect(Y.encodeStateAsUpdate(replayed)).toEqual(Y.encodeStateAsUpdate(doc))
    // The next store compacts the replayed segments away.
    await reopened.store('d', Y.encodeStateAsUpdate(replayed))
    expect(await logFiles(dir)).toEqual([])
    expect(textOf(await reopened.load('d'))).toBe('one two three')
    await reopened.close()
  })
})
