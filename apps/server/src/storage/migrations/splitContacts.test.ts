import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { archiveRecord, CONTACTS, createContact, customFieldKey, updateContact } from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../log/logger.ts'
import { sqliteStore } from '../sqliteStore.ts'
import { splitContactsIn } from './splitContacts.ts'
import { MIGRATION_CLIENT_ID } from './splitDeals.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A documents.sqlite with contacts documents as formats 1–3 kept them (two workspaces), and the writers' replicas. */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-split-contacts-'))
  dirs.push(dir)
  const file = join(dir, 'documents.sqlite')
  const store = sqliteStore({ file })
  // Two writers (two clientIDs) in one contacts document, a custom-field entry, an archived contact, a log update.
  const a = new Y.Doc()
  const b = new Y.Doc()
  createContact(a, { id: 'con_a', firstName: 'Ann', lastName: 'Lee', accountId: 'acc_1' }, 'x')
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  createContact(b, { id: 'con_b', firstName: 'Bo', email: 'bo@example.com', score: 70 }, 'x')
  b.transact(() =>
    b.getMap<Y.Map<unknown>>(CONTACTS.name).get('con_b')?.set(customFieldKey('cf_tier'), 'gold'),
  )
  archiveRecord(b, CONTACTS, 'con_a', 'x')
  const name = 'ws_1/contacts'
  await store.store(name, Y.encodeStateAsUpdate(b))
  const before = Y.encodeStateVector(b)
  updateContact(b, 'con_b', { title: 'CTO', leadStatus: 'qualified' }, 'x')
  await store.appendUpdate(name, Y.encodeStateAsUpdate(b, before))
  // Not a record map / not a valid id: skipped, never a document.
  b.getMap<unknown>(CONTACTS.name).set('bad/id', new Y.Map())
  b.getMap<unknown>(CONTACTS.name).set('con_text', 'not a record')
  await store.store(name, Y.encodeStateAsUpdate(b))
  const other = new Y.Doc()
  createContact(other, { id: 'con_c', lastName: 'Other' }, 'x')
  await store.store('ws_2/contacts', Y.encodeStateAsUpdate(other))
  await store.store('ws_1/accounts', Y.encodeStateAsUpdate(new Y.Doc()))
  await store.close()
  return { file, contactsDoc: b, other, name }
}

const read = async (file: string) => {
  const store = sqliteStore({ file })
  const out = new Map<string, Uint8Array>()
  for (const name of await store.list()) out.set(name, (await store.load(name)) as Uint8Array)
  await store.close()
  return out
}

const contactsOf = (state: Uint8Array | undefined): Record<string, Record<string, unknown>> => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getMap(CONTACTS.name).toJSON() as Record<string, Record<string, unknown>>
}

describe('format step splitContacts', () => {
  it('moves every contact, field by field, into its own document and deletes the contacts documents', async () => {
    const { file, contactsDoc, other } = await fixture()
    expect(await splitContactsIn(file, silentLogger())).toEqual({ workspaces: 2, contacts: 3 })
    const docs = await read(file)
    expect([...docs.keys()].sort()).toEqual([
      'ws_1/accounts',
      'ws_1/contact/con_a',
      'ws_1/contact/con_b',
      'ws_2/contact/con_c',
    ])
    const original = contactsDoc.getMap(CONTACTS.name).toJSON() as Record<string, Record<string, unknown>>
    expect(contactsOf(docs.get('ws_1/contact/con_a'))).toEqual({ con_a: original.con_a })
    expect(contactsOf(docs.get('ws_1/contact/con_a')).con_a?.archived).toBe(true)
    expect(contactsOf(docs.get('ws_1/contact/con_b'))).toEqual({ con_b: original.con_b })
    expect(contactsOf(docs.get('ws_1/contact/con_b')).con_b).toMatchObject({
      title: 'CTO',
      leadStatus: 'qualified',
      [customFieldKey('cf_tier')]: 'gold',
    })
    expect(contactsOf(docs.get('ws_2/contact/con_c'))).toEqual(other.getMap(CONTACTS.name).toJSON())
    const doc = new Y.Doc()
    Y.applyUpdate(doc, docs.get('ws_1/contact/con_b') as Uint8Array)
    expect([...doc.store.clients.keys()]).toEqual([MIGRATION_CLIENT_ID])
  })

  it('is rerun-safe: a crash before the contacts document was deleted reruns to the same documents', async () => {
    const { file, name } = await fixture()
    const store = sqliteStore({ file })
    const contactsState = (await store.load(name)) as Uint8Array
    await store.close()
    await splitContactsIn(file, silentLogger())
    const first = await read(file)
    const again = sqliteStore({ file })
    await again.store(name, contactsState)
    await again.close()
    expect(await splitContactsIn(file, silentLogger())).toEqual({ workspaces: 1, contacts: 2 })
    const second = await read(file)
    expect([...second.keys()]).toEqual([...first.keys()])
    for (const [docName, state] of first) {
      const a = new Y.Doc()
      const b = new Y.Doc()
      Y.applyUpdate(a, state)
      Y.applyUpdate(b, second.get(docName) as Uint8Array)
      expect(
        Buffer.from(Y.encodeStateAsUpdate(b)).equals(Buffer.from(Y.encodeStateAsUpdate(a))),
        docName,
      ).toBe(true)
    }
    expect(await splitContactsIn(file, silentLogger())).toEqual({ workspaces: 0, contacts: 0 })
  })
})
