import {
  COLLECTION,
  DEFAULT_SLA,
  docName,
  initWorkspace,
  readSettings,
  type SlaPolicy,
  setSla,
  type Ticket,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/** Issue #11: an SLA policy change recomputes the due time of the open tickets of the priorities it changes. */
const WS = 'ws_slapolicy'
const WORKSPACE_DOC = docName({ workspaceId: WS, kind: 'workspace' })
const ticketDoc = (ticketId: string) => docName({ workspaceId: WS, kind: 'ticket', ticketId })
const MIN = 60_000

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
    await seedMember(started.server, { workspaceId: WS, email: 'admin@sla.test', role: 'admin' }),
  )
  const connection = await started.server.hocuspocus.openDirectConnection(WORKSPACE_DOC, { system: true })
  await connection.transact((doc) => initWorkspace(doc, { name: 'SLA', pipelines: [] }, 'setup'))
  await connection.disconnect()
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

const newTicket = async (subject: string, priority: Ticket['priority']): Promise<Ticket> => {
  const created = await api<Ticket>(started.url, '/api/tickets', {
    cookie: admin.cookie,
    body: { subject, priority },
  })
  expect(created.status).toBe(201)
  return created.body
}
const ticket = async (id: string): Promise<Ticket> =>
  (await api<Ticket>(started.url, `/api/tickets/${id}`, { cookie: admin.cookie })).body

const policy = (normalMins: number, urgentMins: number): SlaPolicy => ({
  ...DEFAULT_SLA,
  normal: { ...DEFAULT_SLA.normal, resolutionMins: normalMins },
  urgent: { ...DEFAULT_SLA.urgent, resolutionMins: urgentMins },
})

describe('changing the SLA policy', () => {
  it('over REST: open tickets of a changed priority get the new due time; resolved ones and others keep theirs', async () => {
    const put = (sla: SlaPolicy) =>
      api(started.url, '/api/settings/sla', { method: 'PUT', cookie: admin.cookie, body: sla })
    expect((await put(policy(600, 60))).status).toBe(200)
    const open1 = await newTicket('Open normal', 'normal')
    const waiting = await newTicket('Waiting normal', 'normal')
    const resolved = await newTicket('Resolved normal', 'normal')
    const high = await newTicket('High', 'high')
    for (const [id, column] of [
      [waiting.id, 'waiting'],
      [resolved.id, 'resolved'],
    ] as const) {
      const moved = await api(started.url, `/api/tickets/${id}/move`, {
        cookie: admin.cookie,
        body: { status: column },
      })
      expect(moved.status).toBe(200)
    }
    expect(open1.slaDueAt).toBe(open1.createdAt + 600 * MIN)

    expect((await put(policy(300, 60))).status).toBe(200)
    await expect.poll(async () => (await ticket(open1.id)).slaDueAt).toBe(open1.createdAt + 300 * MIN)
    await expect.poll(async () => (await ticket(waiting.id)).slaDueAt).toBe(waiting.createdAt + 300 * MIN)
    expect((await ticket(resolved.id)).slaDueAt).toBe(resolved.createdAt + 600 * MIN)
    expect((await ticket(high.id)).slaDueAt).toBe(high.slaDueAt)
  })

  it('written in the browser (straight into W/workspace): the server recomputes, every client sees it', async () => {
    const urgent = await newTicket('Urgent', 'urgent')
    const normal = await newTicket('Normal', 'normal')
    const settings = await open(WORKSPACE_DOC)
    // Each ticket in its own document `W/ticket/T`.
    const docs = new Map<string, Awaited<ReturnType<typeof open>>>([
      [urgent.id, await open(ticketDoc(urgent.id))],
      [normal.id, await open(ticketDoc(normal.id))],
    ])
    const fields = (id: string) =>
      docs.get(id)?.doc.getMap(COLLECTION.tickets).get(id) as Y.Map<unknown> | undefined
    await expect.poll(() => fields(urgent.id)?.get('slaDueAt')).toBe(urgent.slaDueAt)
    const before = readSettings(settings.doc).sla
    setSla(settings.doc, { ...before, urgent: { ...before.urgent, resolutionMins: 15 } }, 'browser')
    await expect.poll(() => fields(urgent.id)?.get('slaDueAt')).toBe(urgent.createdAt + 15 * MIN)
    expect(fields(normal.id)?.get('slaDueAt')).toBe(normal.slaDueAt)
    // A change of first-response targets only moves nothing.
    const now = readSettings(settings.doc).sla
    setSla(settings.doc, { ...now, urgent: { ...now.urgent, firstResponseMins: 5 } }, 'browser')
    await expect.poll(() => readSettings(settings.doc).sla.urgent.firstResponseMins).toBe(5)
    expect((await ticket(urgent.id)).slaDueAt).toBe(urgent.createdAt + 15 * MIN)
  })
})
