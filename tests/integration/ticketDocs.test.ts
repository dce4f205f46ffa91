import {
  COLLECTION,
  createTicket,
  DEFAULT_SLA,
  docName,
  initWorkspace,
  type SlaPolicy,
  type Ticket,
  type TicketMessage,
  ticketThread,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #12 (tickets slice, server groundwork): a ticket living in its own document `W/ticket/T` (every ticket, since
 * `W/support` was split) is found through the record index by every server write: REST patch and move,
 * the conversation routes (a first reply's key in `open` comes from the index), the SLA policy recompute; the
 * conversation stays server-written there too.
 */
const WS = 'ws_ticketdocs'
const MIN = 60_000
const ticketDoc = (ticketId: string) => docName({ workspaceId: WS, kind: 'ticket', ticketId })

let started: StartedServer
let admin = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

const open = async (name: string): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
  clients.push(client)
  return client
}

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  admin = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: WS, email: 'admin@ticketdocs.test', role: 'admin' }),
  )
  const connection = await started.server.hocuspocus.openDirectConnection(
    docName({ workspaceId: WS, kind: 'workspace' }),
    { system: true },
  )
  await connection.transact((doc) => initWorkspace(doc, { name: 'Tickets', pipelines: [] }, 'setup'))
  await connection.disconnect()
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

const get = async (id: string) => api<Ticket>(started.url, `/api/tickets/${id}`, { cookie: admin.cookie })

/** A ticket created by a client in its own document (as the web app will), once the index has it. */
const ownTicket = async (
  id: string,
  input: { subject: string; status?: Ticket['position']['column']; priority?: Ticket['priority'] },
) => {
  const client = await open(ticketDoc(id))
  createTicket(client.doc, { id, ...input }, 'browser', { sla: DEFAULT_SLA })
  await expect.poll(async () => (await get(id)).status).toBe(200)
  return client
}
const fields = (client: CollabClient, id: string) =>
  client.doc.getMap(COLLECTION.tickets).get(id) as Y.Map<unknown> | undefined

describe('tickets in their own documents W/ticket/T', () => {
  it('REST patch and move write the ticket’s own document; a move goes after the column’s last card', async () => {
    const first = await ownTicket('tkt_docfirst', { subject: 'First waiting', status: 'waiting' })
    const second = await ownTicket('tkt_docsecond', { subject: 'Second', status: 'new' })
    const patched = await api<Ticket>(started.url, '/api/tickets/tkt_docsecond', {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { priority: 'urgent', assigneeId: null },
    })
    expect(patched.status).toBe(200)
    expect(patched.body.slaDueAt).toBe(patched.body.createdAt + DEFAULT_SLA.urgent.resolutionMins * MIN)
    await expect.poll(() => fields(second, 'tkt_docsecond')?.get('priority')).toBe('urgent')
    const moved = await api<Ticket>(started.url, '/api/tickets/tkt_docsecond/move', {
      cookie: admin.cookie,
      body: { status: 'waiting' },
    })
    expect(moved.status).toBe(200)
    const firstKey =
      (fields(first, 'tkt_docfirst')?.get('position') as { key?: string } | undefined)?.key ?? ''
    expect(moved.body.position.column).toBe('waiting')
    expect(moved.body.position.key > firstKey).toBe(true)
    expect(moved.body.firstResponseAt).not.toBeNull()
    await expect
      .poll(
        () => (fields(second, 'tkt_docsecond')?.get('position') as { column?: string } | undefined)?.column,
      )
      .toBe('waiting')
    // Nothing was written to another document: each holds its one ticket.
    expect([...first.doc.getMap(COLLECTION.tickets).keys()]).toEqual(['tkt_docfirst'])
    expect([...second.doc.getMap(COLLECTION.tickets).keys()]).toEqual(['tkt_docsecond'])
  })

  it('the conversation lives in the ticket’s document: a first reply moves it to the end of open; clients cannot write it', async () => {
    await ownTicket('tkt_docopen', { subject: 'Already open', status: 'open' })
    const client = await ownTicket('tkt_docthread', { subject: 'Cannot log in' })
    const reply = await api<TicketMessage>(started.url, '/api/tickets/tkt_docthread/messages', {
      cookie: admin.cookie,
      body: { kind: 'reply', body: 'Looking into it' },
    })
    expect(reply.status).toBe(201)
    await expect
      .poll(() => ticketThread(client.doc, 'tkt_docthread').map((m) => m.body))
      .toEqual(['Looking into it'])
    const listed = await api<{ items: TicketMessage[] }>(started.url, '/api/tickets/tkt_docthread/messages', {
      cookie: admin.cookie,
    })
    expect(listed.body.items.map((m) => m.body)).toEqual(['Looking into it'])
    const [openTicket, moved] = [(await get('tkt_docopen')).body, (await get('tkt_docthread')).body]
    expect(moved.position.column).toBe('open')
    expect(moved.position.key > openTicket.position.key).toBe(true)
    // A client's own message in the ticket's document is undone by the server.
    client.doc.transact(() => {
      const message = new Y.Map<unknown>()
      for (const [key, value] of Object.entries({ ...reply.body, id: 'msg_forged', body: 'Forged' }))
        message.set(key, value)
      client.doc.getMap(COLLECTION.ticketMessages).set('msg_forged', message)
    })
    await expect.poll(() => client.doc.getMap(COLLECTION.ticketMessages).has('msg_forged')).toBe(false)
    // An unknown ticket has no conversation.
    const missing = await api(started.url, '/api/tickets/tkt_nosuchticket/messages', { cookie: admin.cookie })
    expect(missing.status).toBe(404)
  })

  it('a message of another ticket in a ticket’s document is dropped, also when an existing message is moved to it', async () => {
    const client = await ownTicket('tkt_docforeign', { subject: 'Foreign messages' })
    const reply = await api<TicketMessage>(started.url, '/api/tickets/tkt_docforeign/messages', {
      cookie: admin.cookie,
      body: { kind: 'reply', body: 'First answer' },
    })
    expect(reply.status).toBe(201)
    await expect.poll(() => ticketThread(client.doc, 'tkt_docforeign').length).toBe(1)
    // A server write (not a client's, which the thread guard undoes anyway): only validation drops a foreign entry.
    const connection = await started.server.hocuspocus.openDirectConnection(ticketDoc('tkt_docforeign'), {
      system: true,
    })
    // An edit of the ticket's own fields changes no entry: nothing is dropped.
    await connection.transact((doc) => {
      ;(doc.getMap(COLLECTION.tickets).get('tkt_docforeign') as Y.Map<unknown>).set('subject', 'Renamed')
    })
    // A message moved to another ticket is foreign from then on.
    await connection.transact((doc) => {
      ;(doc.getMap(COLLECTION.ticketMessages).get(reply.body.id) as Y.Map<unknown>).set(
        'ticketId',
        'tkt_other',
      )
    })
    await connection.disconnect()
    await expect.poll(() => client.doc.getMap(COLLECTION.ticketMessages).has(reply.body.id)).toBe(false)
    expect(fields(client, 'tkt_docforeign')?.get('subject')).toBe('Renamed')
  })

  it('an SLA policy change recomputes open tickets in their own documents, found through the index', async () => {
    const open1 = await ownTicket('tkt_docsla', { subject: 'Normal open', status: 'open' })
    await ownTicket('tkt_docslaresolved', { subject: 'Resolved', status: 'resolved' })
    const resolvedBefore = (await get('tkt_docslaresolved')).body.slaDueAt
    const sla: SlaPolicy = { ...DEFAULT_SLA, normal: { ...DEFAULT_SLA.normal, resolutionMins: 90 } }
    const put = await api(started.url, '/api/settings/sla', {
      method: 'PUT',
      cookie: admin.cookie,
      body: sla,
    })
    expect(put.status).toBe(200)
    const created = (await get('tkt_docsla')).body.createdAt
    await expect.poll(() => fields(open1, 'tkt_docsla')?.get('slaDueAt')).toBe(created + 90 * MIN)
    await expect.poll(async () => (await get('tkt_docsla')).body.slaDueAt).toBe(created + 90 * MIN)
    expect((await get('tkt_docslaresolved')).body.slaDueAt).toBe(resolvedBefore)
    // A client's priority change in the ticket's document: the server sets the due time that follows it.
    open1.doc.transact(() => fields(open1, 'tkt_docsla')?.set('priority', 'urgent'))
    await expect
      .poll(() => fields(open1, 'tkt_docsla')?.get('slaDueAt'))
      .toBe(created + DEFAULT_SLA.urgent.resolutionMins * MIN)
  })

  it('GET /api/tickets filters by contactId (a contact page lists its tickets from REST)', async () => {
    const client = await open(ticketDoc('tkt_doccontact'))
    createTicket(
      client.doc,
      { id: 'tkt_doccontact', subject: 'Via contact', contactId: 'con_listed' },
      'browser',
    )
    await expect
      .poll(async () => {
        const page = await api<{ items: Ticket[] }>(started.url, '/api/tickets?contactId=con_listed', {
          cookie: admin.cookie,
        })
        return page.body.items.map((t) => t.id)
      })
      .toEqual(['tkt_doccontact'])
    const none = await api<{ items: Ticket[] }>(started.url, '/api/tickets?contactId=con_nobody', {
      cookie: admin.cookie,
    })
    expect(none.body.items).toEqual([])
  })

  it('archive and restore go to the ticket’s own document', async () => {
    const client = await ownTicket('tkt_docarchive', { subject: 'To the trash' })
    const archived = await api<Ticket>(started.url, '/api/tickets/tkt_docarchive/archive', {
      cookie: admin.cookie,
      body: {},
    })
    expect(archived.status).toBe(200)
    await expect.poll(() => fields(client, 'tkt_docarchive')?.get('archived')).toBe(true)
    const restored = await api<Ticket>(started.url, '/api/tickets/tkt_docarchive/restore', {
      cookie: admin.cookie,
      body: {},
    })
    expect(restored.status).toBe(200)
    await expect.poll(() => fields(client, 'tkt_docarchive')?.get('archived')).toBe(false)
  })
})
