import {
  collectionMap,
  docName,
  readRecord,
  TICKET_MESSAGES,
  TICKETS,
  type Ticket,
  type TicketMessage,
  Ticket as TicketSchema,
  ticketThread,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import {
  api,
  destroyProviders,
  openProvider,
  type SeededUser,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_thread'
/** A ticket's own document `W/ticket/T` (its conversation lives there). */
const ticketDoc = (ticketId: string) => docName({ workspaceId: WS, kind: 'ticket', ticketId })

type Who = 'support' | 'support2' | 'sales' | 'viewer'
let started: StartedServer
const users = {} as Record<Who, SeededUser & { cookie: string; token: () => Promise<string> }>

beforeAll(async () => {
  started = await startServer()
  for (const role of ['support', 'support2', 'sales', 'viewer'] as const) {
    const user = await seedMember(started.server, {
      workspaceId: WS,
      email: `${role}@thread.test`,
      role: role === 'support2' ? 'support' : role,
      name: role === 'support' ? 'Riley Support' : role,
    })
    users[role] = { ...user, ...(await signIn(started.url, user)) }
  }
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

const newTicket = async () => {
  const created = await api<Ticket>(started.url, '/api/tickets', {
    cookie: users.support.cookie,
    body: { subject: 'Cannot log in' },
  })
  expect(created.status).toBe(201)
  return created.body
}
const post = (ticketId: string, body: unknown, who: Who = 'support') =>
  api<TicketMessage>(started.url, `/api/tickets/${ticketId}/messages`, { cookie: users[who].cookie, body })
const list = (ticketId: string, who: Who = 'support') =>
  api<{ items: TicketMessage[] }>(started.url, `/api/tickets/${ticketId}/messages`, {
    cookie: users[who].cookie,
  })

describe('ticket conversation', () => {
  it('a reply is authored by the caller (never by the body), reaches an open provider live and is the first response', async () => {
    const ticket = await newTicket()
    const watcher = await openProvider({
      wsUrl: started.wsUrl,
      name: ticketDoc(ticket.id),
      token: users.support2.token,
    })
    const reply = await post(ticket.id, {
      body: 'We are looking into it',
      authorId: users.viewer.id,
      at: 1,
      kind: 'reply',
    })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({ kind: 'reply', authorId: users.support.id, ticketId: ticket.id })
    expect(reply.body.at).toBeGreaterThan(1)
    await vi.waitFor(() => {
      const thread = ticketThread(watcher.doc, ticket.id)
      expect(thread.map((m) => [m.kind, m.authorId, m.body])).toEqual([
        ['reply', users.support.id, 'We are looking into it'],
      ])
      const live = readRecord(collectionMap(watcher.doc, TICKETS), ticket.id, TicketSchema)
      expect(live?.position.column).toBe('open')
      expect(live?.firstResponseAt).toBe(reply.body.at)
    })
  })

  it('an internal note is marked, readable by every member (viewer too), not a first response, and only writers post', async () => {
    const ticket = await newTicket()
    const note = await post(ticket.id, { kind: 'internal', body: 'Customer is on the legacy plan' })
    expect(note.status).toBe(201)
    const seen = await list(ticket.id, 'viewer')
    expect(seen.status).toBe(200)
    expect(seen.body.items.map((m) => [m.kind, m.authorId])).toEqual([['internal', users.support.id]])
    const after = await api<Ticket>(started.url, `/api/tickets/${ticket.id}`, {
      cookie: users.support.cookie,
    })
    expect(after.body.firstResponseAt).toBeNull()
    for (const who of ['viewer', 'sales'] as const) {
      const refused = await post(ticket.id, { kind: 'internal', body: 'sneaky' }, who)
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } })
    }
    expect((await list(ticket.id)).body.items).toHaveLength(1)
  })

  it('refuses an empty message in plain words and an unknown ticket', async () => {
    const ticket = await newTicket()
    const empty = await post(ticket.id, { body: '   ' })
    expect(empty.status).toBe(400)
    expect((empty.body as unknown as { error: { message: string } }).error.message).toContain(
      'Write a message first.',
    )
    expect((await post('tkt_unknown', { body: 'hello' })).status).toBe(404)
    expect((await list('tkt_unknown')).status).toBe(404)
  })

  it("a client's own write to the conversation is undone for everyone", async () => {
    const ticket = await newTicket()
    const writer = await openProvider({
      wsUrl: started.wsUrl,
      name: ticketDoc(ticket.id),
      token: users.support.token,
    })
    const other = await openProvider({
      wsUrl: started.wsUrl,
      name: ticketDoc(ticket.id),
      token: users.support2.token,
    })
    const forged = new Y.Map<unknown>()
    for (const [key, value] of Object.entries({
      id: 'msg_forged',
      createdAt: 1,
      updatedAt: 1,
      archived: false,
      ticketId: ticket.id,
      kind: 'reply',
      body: 'I am the boss',
      authorId: users.support2.id,
      at: 1,
    }))
      forged.set(key, value)
    writer.doc.transact(() => collectionMap(writer.doc, TICKET_MESSAGES).set('msg_forged', forged), 'client')
    for (const client of [writer, other])
      await vi.waitFor(() => expect(collectionMap(client.doc, TICKET_MESSAGES).has('msg_forged')).toBe(false))
    expect((await list(ticket.id)).body.items).toEqual([])
  })
})
