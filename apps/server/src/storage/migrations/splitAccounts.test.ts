import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ACCOUNTS,
  archiveRecord,
  createAccount,
  createTask,
  customFieldKey,
  NOTES_FIELD,
  TASKS,
  updateAccount,
} from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../log/logger.ts'
import { sqliteStore } from '../sqliteStore.ts'
import { splitAccountsIn } from './splitAccounts.ts'
import { MIGRATION_CLIENT_ID } from './splitDeals.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const noteText = (doc: Y.Doc): string => doc.getXmlFragment(NOTES_FIELD).toString()

/**
 * A documents.sqlite as formats 1–3 kept accounts: W/accounts (two writers, a custom-field entry, an archived account,
 * an update only in the log, malformed entries) beside the rooms W/account/A (notes and a task), one account without
 * a room, and a second workspace.
 */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-split-accounts-'))
  dirs.push(dir)
  const file = join(dir, 'documents.sqlite')
  const store = sqliteStore({ file })
  const a = new Y.Doc()
  const b = new Y.Doc()
  createAccount(a, { id: 'acc_a', name: 'Acme', domain: 'acme.example', city: 'Lyon' }, 'x')
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  createAccount(b, { id: 'acc_b', name: 'Globex', industry: 'Energy' }, 'x')
  createAccount(b, { id: 'acc_noroom', name: 'Roomless' }, 'x')
  b.transact(() =>
    b.getMap<Y.Map<unknown>>(ACCOUNTS.name).get('acc_b')?.set(customFieldKey('cf_tier'), 'gold'),
  )
  archiveRecord(b, ACCOUNTS, 'acc_a', 'x')
  const name = 'ws_1/accounts'
  await store.store(name, Y.encodeStateAsUpdate(b))
  const before = Y.encodeStateVector(b)
  updateAccount(b, 'acc_b', { city: 'Porto', tier: 'strategic' }, 'x')
  await store.appendUpdate(name, Y.encodeStateAsUpdate(b, before))
  // Not a record map / not a valid id: skipped, never a document.
  b.getMap<unknown>(ACCOUNTS.name).set('bad/id', new Y.Map())
  b.getMap<unknown>(ACCOUNTS.name).set('acc_text', 'not a record')
  await store.store(name, Y.encodeStateAsUpdate(b))
  // The rooms as they were: notes, a task.
  const rooms = new Map<string, Y.Doc>()
  for (const id of ['acc_a', 'acc_b']) {
    const room = new Y.Doc()
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(`Notes of ${id}`)])
    room.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    createTask(room, { id: `tsk_${id}`, title: `Call ${id}` }, 'x')
    await store.store(`ws_1/account/${id}`, Y.encodeStateAsUpdate(room))
    rooms.set(id, room)
  }
  const other = new Y.Doc()
  createAccount(other, { id: 'acc_c', name: 'Other' }, 'x')
  await store.store('ws_2/accounts', Y.encodeStateAsUpdate(other))
  await store.store('ws_1/contacts', Y.encodeStateAsUpdate(new Y.Doc()))
  await store.close()
  return { file, accountsDoc: b, other, rooms, name }
}

const read = async (file: string) => {
  const store = sqliteStore({ file })
  const out = new Map<string, Y.Doc>()
  for (const name of await store.list()) {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, (await store.load(name)) as Uint8Array)
    out.set(name, doc)
  }
  await store.close()
  return out
}

const accountsOf = (doc: Y.Doc | undefined) => doc?.getMap(ACCOUNTS.name).toJSON()

describe('format step splitAccounts', () => {
  it('moves every account, field by field, into its room (the room keeps all it held) and deletes W/accounts', async () => {
    const { file, accountsDoc, other, rooms } = await fixture()
    expect(await splitAccountsIn(file, silentLogger())).toEqual({
      workspaces: 2,
      accounts: 4,
      roomsCreated: 2,
    })
    const docs = await read(file)
    expect([...docs.keys()].sort()).toEqual([
      'ws_1/account/acc_a',
      'ws_1/account/acc_b',
      'ws_1/account/acc_noroom',
      'ws_1/contacts',
      'ws_2/account/acc_c',
    ])
    const original = accountsDoc.getMap(ACCOUNTS.name).toJSON() as Record<string, Record<string, unknown>>
    expect(accountsOf(docs.get('ws_1/account/acc_a'))).toEqual({ acc_a: original.acc_a })
    expect(original.acc_a?.archived).toBe(true)
    expect(accountsOf(docs.get('ws_1/account/acc_b'))).toEqual({ acc_b: original.acc_b })
    expect(original.acc_b).toMatchObject({
      city: 'Porto',
      tier: 'strategic',
      [customFieldKey('cf_tier')]: 'gold',
    })
    expect(accountsOf(docs.get('ws_1/account/acc_noroom'))).toEqual({ acc_noroom: original.acc_noroom })
    expect(accountsOf(docs.get('ws_2/account/acc_c'))).toEqual(other.getMap(ACCOUNTS.name).toJSON())
    // The rooms keep their notes and tasks, unchanged.
    for (const [id, room] of rooms) {
      const migrated = docs.get(`ws_1/account/${id}`) as Y.Doc
      expect(noteText(migrated)).toBe(noteText(room))
      expect(migrated.getMap(TASKS.name).toJSON()).toEqual(room.getMap(TASKS.name).toJSON())
    }
    // The account entry is written under the migration's client only (a created room holds nothing else).
    expect([...(docs.get('ws_1/account/acc_noroom') as Y.Doc).store.clients.keys()]).toEqual([
      MIGRATION_CLIENT_ID,
    ])
  })

  it('is rerun-safe: a crash before W/accounts was deleted reruns to the same documents', async () => {
    const { file, name } = await fixture()
    const store = sqliteStore({ file })
    const accountsState = (await store.load(name)) as Uint8Array
    await store.close()
    await splitAccountsIn(file, silentLogger())
    const first = await read(file)
    const again = sqliteStore({ file })
    await again.store(name, accountsState)
    await again.close()
    expect(await splitAccountsIn(file, silentLogger())).toEqual({
      workspaces: 1,
      accounts: 3,
      roomsCreated: 0,
    })
    const second = await read(file)
    expect([...second.keys()]).toEqual([...first.keys()])
    for (const [docName, doc] of first) {
      const state = Y.encodeStateAsUpdate(second.get(docName) as Y.Doc)
      expect(Buffer.from(state).equals(Buffer.from(Y.encodeStateAsUpdate(doc))), docName).toBe(true)
    }
    expect(await splitAccountsIn(file, silentLogger())).toEqual({
      workspaces: 0,
      accounts: 0,
      roomsCreated: 0,
    })
  })
})
