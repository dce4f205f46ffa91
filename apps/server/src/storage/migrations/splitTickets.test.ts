import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  addTicketMessage,
  COLLECTION,
  createTicket,
  customFieldKey,
  moveTicket,
  updateTicket,
} from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../log/logger.ts'
import { sqliteStore } from '../sqliteStore.ts'
import { MIGRATION_CLIENT_ID } from './splitDeals.ts'
import { splitTicketsIn } from './splitTickets.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A documents.sqlite with a support document as formats 1–3 kept it (two writers, messages, an update in the log). */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-split-tickets-'))
  dirs.push(dir)
  const file = join(dir, 'documents.sqlite')
  const store = sqliteStore({ file })
  const a = new Y.Doc()
  const b = new Y.Doc()
  createTicket(a, { id: 'tkt_a', subject: 'Printer on fire', description: 'Smoke', accountId: 'acc_1' }, 'x')
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  createTicket(
    b,
    { id: 'tkt_b', subject: 'Login', priority: 'urgent', status: 'open', contactId: 'con_1' },
    'x',
  )
  b.transact(() =>
    b.getMap<Y.Map<unknown>>(COLLECTION.tickets).get('tkt_b')?.set(customFieldKey('cf_tier'), 'gold'),
  )
  addTicketMessage(b, 'tkt_a', 'usr_1', { kind: 'reply', body: 'On it' }, 'x', { now: 1_000 })
  addTicketMessage(b, 'tkt_a', 'usr_2', { kind: 'internal', body: 'Call facilities' }, 'x', { now: 2_000 })
  addTicketMessage(b, 'tkt_b', 'usr_1', { kind: 'reply', body: 'Reset sent' }, 'x', { now: 3_000 })
  const name = 'ws_1/support'
  await store.store(name, Y.encodeStateAsUpdate(b))
  const before = Y.encodeStateVector(b)
  moveTicket(b, 'tkt_b', { column: 'resolved', key: 'a5' }, 'x')
  updateTicket(b, 'tkt_a', { assigneeId: 'usr_2', csat: 4 }, 'x')
  await store.appendUpdate(name, Y.encodeStateAsUpdate(b, before))
  // A message whose ticket was deleted for good, and entries that are no records.
  addTicketMessage(b, 'tkt_b', 'usr_1', { kind: 'internal', body: 'Gone ticket note' }, 'x', { now: 4_000 })
  b.transact(() => {
    const messages = b.getMap<Y.Map<unknown>>(COLLECTION.ticketMessages)
    for (const m of messages.values()) if (m.get('body') === 'Gone ticket note') m.set('ticketId', 'tkt_gone')
    b.getMap<unknown>(COLLECTION.tickets).set('bad/id', new Y.Map())
    b.getMap<unknown>(COLLECTION.ticketMessages).set('msg_plain', 'not a record')
  })
  await store.store(name, Y.encodeStateAsUpdate(b))
  await store.close()
  return { file, supportDoc: b, name }
}

const read = async (file: string) => {
  const store = sqliteStore({ file })
  const out = new Map<string, Uint8Array>()
  for (const name of await store.list()) out.set(name, (await store.load(name)) as Uint8Array)
  await store.close()
  return out
}

const mapsOf = (state: Uint8Array | undefined) => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return {
    tickets: doc.getMap(COLLECTION.tickets).toJSON() as Record<string, Record<string, unknown>>,
    messages: doc.getMap(COLLECTION.ticketMessages).toJSON() as Record<string, Record<string, unknown>>,
  }
}

describe('format step splitTickets', () => {
  it('moves every ticket, field by field, with its messages into its own document and deletes W/support', async () => {
    const { file, supportDoc, name } = await fixture()
    expect(await splitTicketsIn(file, silentLogger())).toEqual({ supports: 1, tickets: 2, messages: 4 })
    const docs = await read(file)
    expect([...docs.keys()].sort()).toEqual([
      'ws_1/ticket/tkt_a',
      'ws_1/ticket/tkt_b',
      'ws_1/ticket/tkt_gone',
    ])
    expect(docs.has(name)).toBe(false)
    const tickets = supportDoc.getMap(COLLECTION.tickets).toJSON() as Record<string, Record<string, unknown>>
    const messages = Object.entries(
      supportDoc.getMap(COLLECTION.ticketMessages).toJSON() as Record<string, Record<string, unknown>>,
    ).filter(([, m]) => typeof m === 'object')
    const messagesOf = (ticketId: string) =>
      Object.fromEntries(messages.filter(([, m]) => m.ticketId === ticketId))
    for (const id of ['tkt_a', 'tkt_b']) {
      const own = mapsOf(docs.get(`ws_1/ticket/${id}`))
      expect(own.tickets).toEqual({ [id]: tickets[id] })
      expect(own.messages).toEqual(messagesOf(id))
    }
    expect(Object.keys(messagesOf('tkt_a'))).toHaveLength(2)
    expect(mapsOf(docs.get('ws_1/ticket/tkt_b')).tickets.tkt_b?.[customFieldKey('cf_tier')]).toBe('gold')
    expect(mapsOf(docs.get('ws_1/ticket/tkt_b')).tickets.tkt_b?.position).toEqual({
      column: 'resolved',
      key: 'a5',
    })
    expect(mapsOf(docs.get('ws_1/ticket/tkt_a')).tickets.tkt_a?.csat).toBe(4)
    // The deleted ticket's note is kept in a document of its own, with no ticket entry.
    const gone = mapsOf(docs.get('ws_1/ticket/tkt_gone'))
    expect(gone.tickets).toEqual({})
    expect(Object.values(gone.messages).map((m) => m.body)).toEqual(['Gone ticket note'])
    const doc = new Y.Doc()
    Y.applyUpdate(doc, docs.get('ws_1/ticket/tkt_a') as Uint8Array)
    expect([...doc.store.clients.keys()]).toEqual([MIGRATION_CLIENT_ID])
  })

  it('is rerun-safe: a crash before W/support was deleted reruns to the same documents', async () => {
    const { file, name } = await fixture()
    const store = sqliteStore({ file })
    const supportState = (await store.load(name)) as Uint8Array
    await store.close()
    await splitTicketsIn(file, silentLogger())
    const first = await read(file)
    const again = sqliteStore({ file })
    await again.store(name, supportState)
    await again.close()
    expect(await splitTicketsIn(file, silentLogger())).toEqual({ supports: 1, tickets: 2, messages: 4 })
    const second = await read(file)
    expect([...second.keys()]).toEqual([...first.keys()])
    for (const [docName, state] of first) {
      const a = new Y.Doc()
      const b = new Y.Doc()
      Y.applyUpdate(a, state)
      Y.applyUpdate(b, second.get(docName) as Uint8Array)
      expect(Buffer.from(Y.encodeStateAsUpdate(b)).equals(Buffer.from(Y.encodeStateAsUpdate(a)))).toBe(true)
    }
    expect(await splitTicketsIn(file, silentLogger())).toEqual({ supports: 0, tickets: 0, messages: 0 })
  })
})
