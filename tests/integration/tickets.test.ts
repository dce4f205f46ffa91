import {
  collectionMap,
  DEFAULT_SLA,
  docName,
  initWorkspace,
  NOTIFICATIONS,
  Notification,
  readRecords,
  type SlaPolicy,
  setSla,
  type Ticket,
} from '@rapport/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, login, seedMember } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_tickets'
const MIN = 60_000
/** Differs from the model default on purpose: the server must read the workspace's own policy. */
const POLICY: SlaPolicy = {
  ...DEFAULT_SLA,
  urgent: { firstResponseMins: 10, resolutionMins: 90 },
  low: { firstResponseMins: 600, resolutionMins: 7 * 24 * 60 },
}

let started: StartedServer
const cookies: Record<'support' | 'support2' | 'sales' | 'viewer', string> = {
  support: '',
  support2: '',
  sales: '',
  viewer: '',
}
let support2Id = ''

async function serverDoc<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    let out: { value: T } | null = null
    await connection.transact((doc) => {
      out = { value: fn(doc) }
    })
    return (out as unknown as { value: T }).value
  } finally {
    await connection.disconnect()
  }
}

const create = (body: Record<string, unknown>, cookie = cookies.support) =>
  api<Ticket>(started.url, '/api/tickets', { cookie, body })
const move = (id: string, status: string, cookie = cookies.support) =>
  api<Ticket>(started.url, `/api/tickets/${id}/move`, { cookie, body: { status } })
const patch = (id: string, body: Record<string, unknown>, cookie = cookies.support) =>
  api<Ticket>(started.url, `/api/tickets/${id}`, { method: 'PATCH', cookie, body })

beforeAll(async () => {
  started = await startServer()
  const { server, url } = started
  for (const [key, role] of [
    ['support', 'support'],
    ['support2', 'support'],
    ['sales', 'sales'],
    ['viewer', 'viewer'],
  ] as const) {
    const user = await seedMember(server, { workspaceId: WS, email: `${key}@tickets.test`, role, name: key })
    cookies[key] = await login(url, user.email, user.password)
    if (key === 'support2') support2Id = user.id
  }
  await serverDoc(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
    initWorkspace(doc, { name: 'Tickets', pipelines: [] }, 'setup')
    setSla(doc, POLICY, 'setup')
  })
})
afterAll(() => started.stop())

describe('tickets over REST', () => {
  it('computes the SLA due time from the workspace policy on create', async () => {
    const urgent = await create({ subject: 'Checkout is down', priority: 'urgent' })
    expect(urgent.status).toBe(201)
    expect(urgent.body.slaDueAt).toBe(urgent.body.createdAt + 90 * MIN)
    const low = await create({ subject: 'Typo on invoice', priority: 'low' })
    expect(low.body.slaDueAt).toBe(low.body.createdAt + 7 * 24 * 60 * MIN)
    expect(urgent.body.firstResponseAt).toBeNull()
    expect(urgent.body.position.column).toBe('new')
  })

  it('sets firstResponseAt once when leaving New, and resolvedAt on Resolved (cleared on reopen)', async () => {
    const { body: ticket } = await create({ subject: 'Cannot log in' })
    const opened = await move(ticket.id, 'open')
    expect(opened.status).toBe(200)
    const first = opened.body.firstResponseAt
    expect(first).toEqual(expect.any(Number))
    expect(first).toBeGreaterThanOrEqual(ticket.createdAt)
    expect(opened.body.resolvedAt).toBeNull()

    const waiting = await move(ticket.id, 'waiting')
    expect(waiting.body.firstResponseAt).toBe(first)
    const resolved = await move(ticket.id, 'resolved')
    expect(resolved.body.position.column).toBe('resolved')
    expect(resolved.body.resolvedAt).toEqual(expect.any(Number))
    expect(resolved.body.firstResponseAt).toBe(first)
    const reopened = await move(ticket.id, 'open')
    expect(reopened.body.resolvedAt).toBeNull()
    expect(reopened.body.firstResponseAt).toBe(first)
  })

  it('accepts a CSAT of 1..5 only', async () => {
    const { body: ticket } = await create({ subject: 'Rate me' })
    await move(ticket.id, 'resolved')
    for (const bad of [0, 6, 2.5, '4']) {
      const res = await patch(ticket.id, { csat: bad })
      expect(res.status, `csat ${String(bad)}`).toBe(400)
    }
    const ok = await patch(ticket.id, { csat: 5 })
    expect(ok.status).toBe(200)
    expect(ok.body.csat).toBe(5)
    const read = await api<Ticket>(started.url, `/api/tickets/${ticket.id}`, { cookie: cookies.viewer })
    expect(read.status).toBe(200)
    expect(read.body.csat).toBe(5)
  })

  it('refuses moves and edits by roles without write access to support (sales, viewer)', async () => {
    const { body: ticket } = await create({ subject: 'Hands off' })
    for (const role of ['sales', 'viewer'] as const) {
      const moved = await move(ticket.id, 'open', cookies[role])
      expect(moved.status, role).toBe(403)
      expect((moved.body as unknown as { error: { code: string } }).error.code).toBe('forbidden')
      expect((await patch(ticket.id, { priority: 'high' }, cookies[role])).status, role).toBe(403)
      expect((await create({ subject: 'nope' }, cookies[role])).status, role).toBe(403)
    }
    const after = await api<Ticket>(started.url, `/api/tickets/${ticket.id}`, { cookie: cookies.support })
    expect(after.body.position.column).toBe('new')
    expect(after.body.priority).toBe('normal')
  })

  it('notifies the member a ticket is assigned to over REST', async () => {
    const { body: ticket } = await create({ subject: 'Escalation' })
    expect((await patch(ticket.id, { assigneeId: support2Id })).status).toBe(200)
    const inbox = docName({ workspaceId: WS, kind: 'inbox', userId: support2Id })
    await expect
      .poll(async () =>
        (
          await serverDoc(
            inbox,
            (doc) => readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records,
          )
        ).filter((n) => n.type === 'assignment' && n.link.ticketId === ticket.id),
      )
      .toHaveLength(1)
  })
})
