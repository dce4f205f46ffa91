import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONTACTS, collectionMap, createContact, TICKET_MESSAGES } from '@rapport/model'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { appendUpdates, storeStates } from '../storage/DocumentStore.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { sqliteStore } from '../storage/sqliteStore.ts'
import {
  DeletedDocuments,
  deleteRememberedDocuments,
  isEmptyDocument,
  liveDocumentsStore,
  withoutDeletedDocuments,
} from './deletedDocuments.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-deleted-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const name = 'ws_a/contact/con_1'

describe('deleted record documents', () => {
  it('a document is empty once its record is deleted, not while anything else is in it', () => {
    const doc = new Y.Doc()
    createContact(doc, { id: 'con_1', firstName: 'Ada', lastName: 'Gone' }, 'test')
    expect(isEmptyDocument(doc)).toBe(false)
    doc.transact(() => collectionMap(doc, CONTACTS).delete('con_1'))
    expect(isEmptyDocument(doc)).toBe(true)
    // A ticket's messages stay after its ticket: not empty.
    doc.getMap(TICKET_MESSAGES.name).set('msg_1', new Y.Map())
    expect(isEmptyDocument(doc)).toBe(false)
  })

  it('the live store keeps the batch forms of a SQLite store: one transaction per batch, removed and deleted names dropped', async () => {
    const sqlite = sqliteStore({ file: join(dir, 'documents.sqlite'), fsync: true })
    try {
      const deleted = await DeletedDocuments.open(join(dir, 'deleted-documents.json'))
      await deleted.add('ws_a/contact/con_gone')
      const store = liveDocumentsStore(
        sqlite,
        (id) => id === 'ws_removed',
        () => deleted,
      )
      const forms = [store.appendUpdates, store.storeStates, store.storeNew, store.settleNew]
      expect(forms.map((form) => typeof form)).toEqual(Array(4).fill('function'))
      const doc = new Y.Doc()
      createContact(doc, { id: 'con_1', firstName: 'Ada', lastName: 'Batch' }, 'test')
      const state = Y.encodeStateAsUpdate(doc)
      const names = [
        'ws_a/contact/con_1',
        'ws_a/contact/con_gone',
        'ws_removed/contact/con_1',
        'ws_a/contact/con_3',
      ]
      // One group commit for the batch (one by one, each entry would ask for its own).
      const rounds = sqlite.syncRounds
      await store.storeNew?.(names.map((name) => ({ name, state })))
      expect(sqlite.syncRounds).toBe(rounds + 1)
      expect(await sqlite.list()).toEqual(['ws_a/contact/con_1', 'ws_a/contact/con_3'])
      expect(await sqlite.loggedNames()).toEqual(['ws_a/contact/con_1', 'ws_a/contact/con_3'])
      await store.settleNew?.(['ws_a/contact/con_1', 'ws_a/contact/con_3'])
      expect(await sqlite.loggedNames()).toEqual([])
      await appendUpdates(
        store,
        names.map((name) => ({ name: name.replace('con_1', 'con_4'), update: state })),
      )
      expect(sqlite.syncRounds).toBe(rounds + 2)
      expect(await sqlite.loggedNames()).toEqual(['ws_a/contact/con_3', 'ws_a/contact/con_4'])
      await storeStates(
        store,
        names.map((name) => ({ name: name.replace('con_1', 'con_4'), state })),
      )
      expect(sqlite.syncRounds).toBe(rounds + 3)
      expect(await sqlite.loggedNames()).toEqual([])
    } finally {
      await sqlite.close()
    }
  })

  it('the store never loads, stores or appends to a remembered document; a start deletes what a stop left', async () => {
    const file = join(dir, 'deleted-documents.json')
    const inner = memoryStore()
    const doc = new Y.Doc()
    createContact(doc, { id: 'con_1', firstName: 'Ada', lastName: 'Gone' }, 'test')
    await inner.store(name, Y.encodeStateAsUpdate(doc))
    await inner.store('ws_a/contact/con_2', Y.encodeStateAsUpdate(doc))
    const deleted = await DeletedDocuments.open(file)
    const store = withoutDeletedDocuments(inner, () => deleted)
    // Remembered, then the process stops before the store deleted it.
    await deleted.add(name)
    expect(await store.load(name)).toBeNull()
    await store.store(name, Y.encodeStateAsUpdate(doc))
    await store.appendUpdate(name, Y.encodeStateAsUpdate(doc))
    expect(await inner.list('ws_a/')).toEqual(['ws_a/contact/con_1', 'ws_a/contact/con_2'])

    const reopened = await DeletedDocuments.open(file)
    expect(reopened.has(name)).toBe(true)
    expect(await deleteRememberedDocuments(inner, reopened)).toBe(1)
    expect(await inner.list('ws_a/')).toEqual(['ws_a/contact/con_2'])
    // Done once: the next start has nothing to delete, and still refuses the name.
    const third = await DeletedDocuments.open(file)
    expect(await deleteRememberedDocuments(inner, third)).toBe(0)
    expect(third.has(name)).toBe(true)
    // A deleted workspace forgets its names.
    await third.forgetWorkspace('ws_a')
    expect((await DeletedDocuments.open(file)).has(name)).toBe(false)
  })
})
