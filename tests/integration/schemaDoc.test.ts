/**
 * An outside client written ONLY from docs/schema.md: plain `fetch`, `yjs`, `@hocuspocus/provider` 3.4 and
 * `fractional-indexing`. Nothing from @rapport/model or @rapport/server is imported except the helper that starts
 * the real server with the demo seed. Every id, name and field below is spelled as the document spells it.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { generateKeyBetween } from 'fractional-indexing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'
import { REPO_ROOT, type StartedServer, startServer } from './helpers/startServer.ts'

/** The `{ block: 1 }` markers of a notes text (docs/schema.md §3.5.1), read from its delta. */
const blockMarkers = (text: Y.Text): unknown[] =>
  (text.toDelta() as Array<{ insert: unknown }>).filter(
    (op) => typeof op.insert === 'object' && (op.insert as { block?: unknown }).block === 1,
  )

type Json = Record<string, unknown>
interface Profile {
  user: { id: string; email: string; name: string; color: string }
  workspace: { id: string; name: string }
  role: string
  members: Array<{ userId: string; role: string; name: string; email: string; team: string | null }>
}
interface Stage {
  id: string
  name: string
  probability: number
  rotAfterDays: number | null
  outcome: 'open' | 'won' | 'lost'
}
interface Pipeline {
  id: string
  name: string
  key: string
  stages: Stage[]
}

let s: StartedServer
const opened: Array<{ destroy(): void }> = []

beforeAll(async () => {
  s = await startServer({ seedDemo: true })
})
afterAll(async () => {
  for (const thing of opened.reverse()) thing.destroy()
  await s?.stop()
})

/** REST: JSON in, JSON out; auth by the `rapport_session` cookie. */
async function rest<T = Json>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${s.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { cookie, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
}

/** Step 1 of "Connecting": log in; the cookie comes back in Set-Cookie, the profile in the body. */
async function logIn(email: string): Promise<{ cookie: string; profile: Profile }> {
  const response = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'rapport-demo' }),
  })
  expect(response.status).toBe(200)
  const cookie = /rapport_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0]
  if (!cookie) throw new Error('no session cookie')
  return { cookie, profile: (await response.json()) as Profile }
}

/** A user's connection: ONE socket, one provider per document, a token function that fetches a fresh token. */
function connect(cookie: string) {
  const socket = new HocuspocusProviderWebsocket({ url: s.wsUrl, WebSocketPolyfill: NodeWebSocket })
  opened.push(socket)
  const token = async (): Promise<string> => {
    const { status, body } = await rest<{ token: string; expiresAt: number }>(
      '/api/auth/collab-token',
      cookie,
      {
        method: 'POST',
      },
    )
    expect(status).toBe(200)
    return body.token
  }
  const open = (name: string) => {
    const doc = new Y.Doc()
    const failures: string[] = []
    const provider = new HocuspocusProvider({
      websocketProvider: socket,
      name,
      document: doc,
      token,
      onAuthenticationFailed: ({ reason }) => failures.push(reason),
    })
    provider.attach()
    opened.push(provider)
    return { doc, provider, failures }
  }
  const openSynced = async (name: string) => {
    const handle = open(name)
    await vi.waitFor(() => expect(handle.provider.isSynced).toBe(true), { timeout: 10_000 })
    return handle
  }
  return { socket, open, openSynced }
}

/** Creates a record by hand: one nested Y.Map, one entry per field, in ONE transaction. */
function writeRecord(doc: Y.Doc, collection: string, record: Json): void {
  doc.transact(() => {
    const fields = new Y.Map<unknown>()
    for (const [key, value] of Object.entries(record)) fields.set(key, value)
    doc.getMap(collection).set(record.id as string, fields)
  })
}

const recordOf = (doc: Y.Doc, collection: string, id: string): Y.Map<unknown> | undefined =>
  doc.getMap(collection).get(id) as Y.Map<unknown> | undefined

/** The largest `position.key` of a column (non-archived records), for appending to its end. */
/** The largest key of a column of a board document `W/board/P` (§4.2: `[stageId, key, status, minute]`). */
function lastBoardKey(board: Y.Doc, column: string): string | null {
  let max: string | null = null
  for (const entry of board.getMap('pos').values()) {
    const [stageId, key] = entry as [string, string]
    if (stageId === column && (max === null || key > max)) max = key
  }
  return max
}

const NOW = 1_767_225_600_000 // 2026-01-01, fixed so the records are identical on every run
const base = (id: string) => ({ id, createdAt: NOW, updatedAt: NOW, archived: false })
const ACCOUNT_ID = 'acc_schemadoc'
const CONTACT_ID = 'con_schemadoc'
const DEAL_ID = 'deal_schemadoc'
const TICKET_ID = 'tkt_schemadoc'

describe('docs/schema.md, followed by an outside client', () => {
  let sales: Awaited<ReturnType<typeof logIn>>
  let support: Awaited<ReturnType<typeof logIn>>
  let salesPipeline: Pipeline

  it('logs in, finds the workspace id in the login response and the pipelines in the workspace document', async () => {
    sales = await logIn('sales@rapport.dev')
    support = await logIn('support@rapport.dev')
    expect(sales.profile.workspace.id).toBe('demo')
    expect(sales.profile.role).toBe('sales')
    const me = await rest<Profile>('/api/auth/me', sales.cookie)
    expect(me.body.user.id).toBe(sales.profile.user.id)

    const { openSynced } = connect(sales.cookie)
    const { doc } = await openSynced('demo/workspace')
    const settings = doc.getMap('settings')
    expect(settings.get('name')).toBe('Rapport Demo')
    // §3.8: each pipeline a map of its fields; its stages a map stageId → map of fields, in (key, id) order,
    // leaving out the removed ones.
    const byKey = (a: { key: string; id: string }, b: { key: string; id: string }) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1
    const pipelines = [...(settings.get('pipelines') as Y.Map<Y.Map<unknown>>).values()]
      .map((p) => {
        const stages = [...(p.get('stages') as Y.Map<Y.Map<unknown>>).values()]
          .filter((stage) => !stage.has('removed'))
          .map((stage) => stage.toJSON() as Stage & { key: string })
          .sort(byKey)
        return { ...(p.toJSON() as Pipeline), stages }
      })
      .sort(byKey)
    expect(pipelines.map((p) => p.name)).toEqual(['Sales', 'Expansion'])
    salesPipeline = pipelines[0] as Pipeline
    expect(salesPipeline.stages.map((stage) => stage.outcome)).toContain('won')
    expect(settings.get('sla')).toMatchObject({ urgent: { firstResponseMins: 30, resolutionMins: 240 } })
  })

  it('reads seeded records of every document kind over one socket', async () => {
    const { openSynced } = connect(sales.cookie)
    const [accounts, contacts, deals, tickets] = await Promise.all([
      rest('/api/accounts?limit=1', sales.cookie).then((page) =>
        openSynced(`demo/account/${(page.body as { items: Array<{ id: string }> }).items[0]?.id}`),
      ),
      rest('/api/contacts?limit=1', sales.cookie).then((page) =>
        openSynced(`demo/contact/${(page.body as { items: Array<{ id: string }> }).items[0]?.id}`),
      ),
      rest(`/api/deals?pipelineId=${salesPipeline.id}&limit=1`, sales.cookie).then((page) =>
        openSynced(`demo/deal/${(page.body as { items: Array<{ id: string }> }).items[0]?.id}`),
      ),
      rest('/api/tickets?limit=1', sales.cookie).then((page) =>
        openSynced(`demo/ticket/${(page.body as { items: Array<{ id: string }> }).items[0]?.id}`),
      ),
    ])
    // An account room holds its one account.
    expect(accounts.doc.getMap('accounts').size).toBe(1)
    // A contact document holds its one contact.
    expect(contacts.doc.getMap('contacts').size).toBe(1)
    // A ticket document holds its one ticket (and its messages); REST lists all 40.
    expect(tickets.doc.getMap('tickets').size).toBe(1)
    expect(((await rest('/api/tickets?limit=1', sales.cookie)).body as { total: number }).total).toBe(40)
    const [someId, someAccount] = [...accounts.doc.getMap('accounts').entries()][0] as [
      string,
      Y.Map<unknown>,
    ]
    expect(someAccount.get('id')).toBe(someId)
    expect(typeof someAccount.get('name')).toBe('string')
    // A deal document holds its one deal.
    expect(deals.doc.getMap('deals').size).toBe(1)
    const deal = [...deals.doc.getMap('deals').values()][0] as Y.Map<unknown>
    expect(deal.get('pipelineId')).toBe(salesPipeline.id)
    // The board lists it (read-only, written by the server).
    const board = await openSynced(`demo/board/${salesPipeline.id}`)
    expect(board.provider.authorizedScope).toBe('readonly')
    expect(board.doc.getMap('pos').size).toBeGreaterThan(0)
    const stageIds = salesPipeline.stages.map((stage) => stage.id)
    expect(stageIds).toContain((deal.get('position') as { column: string }).column)
    // The account room and the user's own inbox open on the same socket.
    const room = await openSynced(`demo/account/${someId}`)
    // Notes text v2 (§3.5.1): a Y.Text whose blocks start with a `{ block: 1 }` marker.
    expect(blockMarkers(room.doc.getText('notesText'))).not.toHaveLength(0)
    expect(room.doc.getMap('timeline').size).toBeGreaterThan(0)
    const inbox = await openSynced(`demo/inbox/${sales.profile.user.id}`)
    expect(inbox.provider.authorizedScope).toBe('read-write')
  })

  it('creates an account, contact and deal, and a ticket, by writing the documented fields', async () => {
    const { openSynced } = connect(sales.cookie)
    const accounts = await openSynced(`demo/account/${ACCOUNT_ID}`)
    const contacts = await openSynced(`demo/contact/${CONTACT_ID}`)
    const deals = await openSynced(`demo/deal/${DEAL_ID}`)
    const board = await openSynced(`demo/board/${salesPipeline.id}`)
    writeRecord(accounts.doc, 'accounts', {
      ...base(ACCOUNT_ID),
      name: 'Schemadoc Outside Client',
      domain: 'schemadoc.example',
      industry: 'Software',
      size: '11-50',
      tier: 'growth',
      ownerId: sales.profile.user.id,
      team: 'sales',
      phone: '',
      website: '',
      city: 'Lisbon',
      country: 'PT',
    })
    writeRecord(contacts.doc, 'contacts', {
      ...base(CONTACT_ID),
      accountId: ACCOUNT_ID,
      firstName: 'Outsidia',
      lastName: 'Clientson',
      email: 'outsidia@schemadoc.example',
      phone: '',
      title: 'CTO',
      leadStatus: 'qualified',
      source: 'referral',
      score: 70,
      ownerId: sales.profile.user.id,
    })
    const firstStage = salesPipeline.stages[0] as Stage
    writeRecord(deals.doc, 'deals', {
      ...base(DEAL_ID),
      pipelineId: salesPipeline.id,
      title: 'Schemadoc pilot',
      accountId: ACCOUNT_ID,
      contactIds: [CONTACT_ID],
      amount: 12_000,
      currency: 'EUR',
      ownerId: sales.profile.user.id,
      expectedCloseDate: '2026-03-31',
      status: firstStage.outcome,
      lostReason: null,
      position: {
        column: firstStage.id,
        key: generateKeyBetween(lastBoardKey(board.doc, firstStage.id), null),
      },
      stageEnteredAt: NOW,
    })
    // Tickets: each in its own `W/ticket/T`; sales may only read it, support writes it (POLICY table). The new card
    // goes after the last card of its column, as REST lists them.
    const supportUser = connect(support.cookie)
    const tickets = await supportUser.openSynced(`demo/ticket/${TICKET_ID}`)
    const newColumn = await rest<{ items: Array<{ position: { key: string } }> }>(
      '/api/tickets?status=new&limit=200',
      support.cookie,
    )
    const lastNewKey = newColumn.body.items
      .map((row) => row.position.key)
      .reduce<string | null>((max, key) => (max === null || key > max ? key : max), null)
    writeRecord(tickets.doc, 'tickets', {
      ...base(TICKET_ID),
      subject: 'Schemadoc cannot log in',
      description: 'Written by hand from docs/schema.md',
      accountId: ACCOUNT_ID,
      contactId: CONTACT_ID,
      priority: 'high',
      position: {
        column: 'new',
        key: generateKeyBetween(lastNewKey, null),
      },
      assigneeId: support.profile.user.id,
      slaDueAt: NOW + 24 * 60 * 60_000,
      firstResponseAt: null,
      resolvedAt: null,
      csat: null,
    })

    // The server accepted them: REST reads (from the server's projection) and search find them.
    await vi.waitFor(async () => {
      expect((await rest(`/api/accounts/${ACCOUNT_ID}`, sales.cookie)).body).toMatchObject({ city: 'Lisbon' })
      expect((await rest(`/api/contacts/${CONTACT_ID}`, sales.cookie)).body).toMatchObject({ score: 70 })
      expect((await rest(`/api/tickets/${TICKET_ID}`, sales.cookie)).body).toMatchObject({ priority: 'high' })
    })
    const list = await rest<{ items: Json[]; total: number }>(
      `/api/deals?accountId=${ACCOUNT_ID}`,
      sales.cookie,
    )
    expect(list.body.items.map((d) => d.id)).toEqual([DEAL_ID])
    const search = await rest<{ items: Array<{ kind: string; id: string }> }>(
      '/api/search?q=schemadoc%20outside',
      sales.cookie,
    )
    expect(search.body.items).toContainEqual(expect.objectContaining({ kind: 'accounts', id: ACCOUNT_ID }))
    // The server wrote the audit entries into the account room, attributed to the writer.
    const room = await openSynced(`demo/account/${ACCOUNT_ID}`)
    await vi.waitFor(() => {
      const entries = [...room.doc.getMap('timeline').values()].map((e) => (e as Y.Map<unknown>).toJSON())
      expect(entries).toContainEqual(
        expect.objectContaining({
          type: 'field_change',
          actorId: sales.profile.user.id,
          subject: { kind: 'contact', id: CONTACT_ID },
        }),
      )
    })
  })

  it('moves the deal to the won stage as documented; the server creates the handoff draft (no notice to the winner, who owns it)', async () => {
    const { openSynced } = connect(sales.cookie)
    const deals = await openSynced(`demo/deal/${DEAL_ID}`)
    const board = await openSynced(`demo/board/${salesPipeline.id}`)
    const room = await openSynced(`demo/account/${ACCOUNT_ID}`)
    const inbox = await openSynced(`demo/inbox/${sales.profile.user.id}`)
    const won = salesPipeline.stages.find((stage) => stage.outcome === 'won') as Stage
    const deal = recordOf(deals.doc, 'deals', DEAL_ID) as Y.Map<unknown>
    const key = generateKeyBetween(lastBoardKey(board.doc, won.id), null)
    const movedAt = Date.now()
    deals.doc.transact(() => {
      deal.set('position', { column: won.id, key })
      deal.set('stageEnteredAt', movedAt)
      deal.set('status', won.outcome)
      deal.set('lostReason', null)
      deal.set('updatedAt', movedAt)
    })
    await vi.waitFor(async () => {
      const rested = await rest(`/api/deals/${DEAL_ID}`, sales.cookie)
      expect(rested.body).toMatchObject({ status: 'won', position: { column: won.id, key } })
    })
    const handoffId = `hof_won_${DEAL_ID}`
    await vi.waitFor(() => {
      expect(recordOf(room.doc, 'handoffs', handoffId)?.toJSON()).toMatchObject({
        status: 'draft',
        dealId: DEAL_ID,
        fromUserId: sales.profile.user.id,
        toTeam: 'support',
      })
      // The template (§3.5): a heading and an empty paragraph per section, each block one marker.
      expect(blockMarkers(room.doc.getText(`briefText:${handoffId}`))).toHaveLength(10)
      const entries = [...room.doc.getMap('timeline').values()].map((e) => (e as Y.Map<unknown>).toJSON())
      expect(entries).toContainEqual(
        expect.objectContaining({ type: 'stage_change', actorId: sales.profile.user.id }),
      )
    })

    // Handoff flow over REST: send to the support team, the support member accepts.
    const sent = await rest(`/api/accounts/${ACCOUNT_ID}/handoffs/${handoffId}/send`, sales.cookie, {
      body: { toTeam: 'support' },
    })
    expect(sent.status).toBe(200)
    expect(sent.body).toMatchObject({ status: 'sent', toTeam: 'support' })
    const notSales = await rest(`/api/accounts/${ACCOUNT_ID}/handoffs/${handoffId}/accept`, sales.cookie, {
      method: 'POST',
    })
    expect(notSales.status).toBe(403)
    expect(notSales.body).toMatchObject({ error: { code: 'forbidden' } })
    const accepted = await rest(`/api/accounts/${ACCOUNT_ID}/handoffs/${handoffId}/accept`, support.cookie, {
      method: 'POST',
    })
    expect(accepted.body).toMatchObject({ status: 'accepted', toUserId: support.profile.user.id })
    await vi.waitFor(async () => {
      const account = await rest(`/api/accounts/${ACCOUNT_ID}`, sales.cookie)
      expect(account.body).toMatchObject({ ownerId: support.profile.user.id, team: 'support' })
    })
    // The sender hears of the acceptance; the won deal itself brought its owner no notice, since they won it.
    const notes = () =>
      [...inbox.doc.getMap('notifications').values()].map((n) => (n as Y.Map<unknown>).toJSON())
    await vi.waitFor(() =>
      expect(notes()).toContainEqual(
        expect.objectContaining({
          type: 'handoff',
          read: false,
          link: expect.objectContaining({ handoffId }),
        }),
      ),
    )
    expect(notes().filter((n) => n.link?.dealId === DEAL_ID)).toEqual([])
  })

  it('repairs records written with a wrong type or unknown fields, as documented', async () => {
    const { openSynced } = connect(sales.cookie)
    const contacts = await openSynced(`demo/contact/${CONTACT_ID}`)
    const contact = recordOf(contacts.doc, 'contacts', CONTACT_ID) as Y.Map<unknown>
    contacts.doc.transact(() => {
      contact.set('score', 'very high')
      contact.set('nickname', 'unknown field')
    })
    await vi.waitFor(() => {
      expect(contact.get('score')).toBe(70)
      expect(contact.has('nickname')).toBe(false)
    })
    // A new record that was never valid is removed.
    const bad = await openSynced('demo/contact/con_schemadoc_bad')
    writeRecord(bad.doc, 'contacts', { ...base('con_schemadoc_bad'), firstName: 42 })
    await vi.waitFor(() => expect(bad.doc.getMap('contacts').has('con_schemadoc_bad')).toBe(false))
    // An entry of another id in a contact's document is foreign: the server drops it.
    writeRecord(contacts.doc, 'contacts', { ...base('con_schemadoc_foreign'), firstName: 'Foreign' })
    await vi.waitFor(() => expect(contacts.doc.getMap('contacts').has('con_schemadoc_foreign')).toBe(false))
    expect((await rest('/api/contacts/con_schemadoc_foreign', sales.cookie)).status).toBe(404)
    expect((await rest('/api/contacts/con_schemadoc_bad', sales.cookie)).status).toBe(404)
  })

  it('keeps everything after the client reconnects with fresh documents', async () => {
    const { openSynced } = connect(sales.cookie)
    const accounts = await openSynced(`demo/account/${ACCOUNT_ID}`)
    const deals = await openSynced(`demo/deal/${DEAL_ID}`)
    const contacts = await openSynced(`demo/contact/${CONTACT_ID}`)
    const tickets = await openSynced(`demo/ticket/${TICKET_ID}`)
    expect(recordOf(accounts.doc, 'accounts', ACCOUNT_ID)?.get('team')).toBe('support')
    expect(recordOf(deals.doc, 'deals', DEAL_ID)?.get('status')).toBe('won')
    expect(recordOf(contacts.doc, 'contacts', CONTACT_ID)?.get('score')).toBe(70)
    expect(recordOf(tickets.doc, 'tickets', TICKET_ID)?.get('subject')).toBe('Schemadoc cannot log in')
    expect(tickets.provider.authorizedScope).toBe('readonly')
  })

  it('gives viewers read-only connections whose edits never reach the server', async () => {
    const viewer = await logIn('viewer@rapport.dev')
    const { openSynced } = connect(viewer.cookie)
    const accounts = await openSynced(`demo/account/${ACCOUNT_ID}`)
    expect(accounts.provider.authorizedScope).toBe('readonly')
    const account = recordOf(accounts.doc, 'accounts', ACCOUNT_ID) as Y.Map<unknown>
    account.set('city', 'Viewer City')
    await vi.waitFor(() => expect(accounts.provider.hasUnsyncedChanges).toBe(true))
    // A fresh reader sees the server's copy: the edit was dropped.
    const fresh = await connect(sales.cookie).openSynced(`demo/account/${ACCOUNT_ID}`)
    expect(recordOf(fresh.doc, 'accounts', ACCOUNT_ID)?.get('city')).toBe('Lisbon')
    expect((await rest(`/api/accounts/${ACCOUNT_ID}`, viewer.cookie)).body).toMatchObject({ city: 'Lisbon' })
  })

  it('refuses another workspace, another user’s inbox and a bad token', async () => {
    const { open } = connect(sales.cookie)
    const admin = sales.profile.members.find((m) => m.role === 'admin')
    const otherWorkspace = open('other/workspace')
    const otherInbox = open(`demo/inbox/${admin?.userId}`)
    await vi.waitFor(() => {
      expect(otherWorkspace.failures).toContain('Forbidden')
      expect(otherInbox.failures).toContain('Forbidden')
    })
    expect(otherWorkspace.provider.isSynced).toBe(false)
    // A name that is not a Rapport document name is refused like a forbidden document; the socket stays open.
    const nonsense = open('demo/nonsense')
    await vi.waitFor(() => expect(nonsense.failures).toContain('Forbidden'))
    expect(otherInbox.provider.isSynced).toBe(false)
    const socket = new HocuspocusProviderWebsocket({ url: s.wsUrl, WebSocketPolyfill: NodeWebSocket })
    opened.push(socket)
    const failures: string[] = []
    const forged = new HocuspocusProvider({
      websocketProvider: socket,
      name: 'demo/workspace',
      token: 'forged.token',
      onAuthenticationFailed: ({ reason }) => failures.push(reason),
    })
    forged.attach()
    opened.push(forged)
    await vi.waitFor(() => expect(failures).toContain('Unauthorized'))
    expect(forged.isSynced).toBe(false)
  })

  it('answers REST errors with { error: { code, message } } and accepts API tokens', async () => {
    const unauthenticated = await rest('/api/accounts', '')
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
    const invalid = await rest('/api/accounts', sales.cookie, { body: { name: '' } })
    expect(invalid.status).toBe(400)
    expect(invalid.body).toMatchObject({ error: { code: 'invalid_input' } })
    const malformed = await fetch(`${s.url}/api/accounts`, {
      method: 'POST',
      headers: { cookie: sales.cookie, 'content-type': 'application/json' },
      body: '{"name": ',
    })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_json' } })
    const created = await rest<{ token: string; apiToken: { id: string } }>('/api/api-tokens', sales.cookie, {
      body: { name: 'schemadoc' },
    })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^rpt_/)
    const viaToken = await fetch(`${s.url}/api/accounts/${ACCOUNT_ID}`, {
      headers: { authorization: `Bearer ${created.body.token}` },
    })
    expect(viaToken.status).toBe(200)
    const moved = await fetch(`${s.url}/api/tickets/${TICKET_ID}/move`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'open' }),
    })
    expect(moved.status).toBe(403)
    const spec = await rest<{ paths: Record<string, unknown> }>('/api/openapi.json', '')
    expect(spec.body.paths['/api/deals/{id}/move']).toBeDefined()
  })
})

/** docs/schema.md itself, read at test time: what it documents is checked against the running server. */
describe('docs/schema.md matches the routes it documents', () => {
  let doc: string
  let spec: { paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema?: Json }> }>> }
  let admin: { cookie: string; profile: Profile }
  const KINDS = ['accounts', 'contacts', 'deals', 'tickets']

  beforeAll(async () => {
    doc = await readFile(join(REPO_ROOT, 'docs/schema.md'), 'utf8')
    spec = (await rest<typeof spec>('/api/openapi.json', '')).body
    admin = await logIn('admin@rapport.dev')
  })

  /** The rows of the markdown table that follows the paragraph starting with `heading`, as cells. */
  const tableAfter = (heading: string): string[][] => {
    const start = doc.indexOf(heading)
    expect(start, `"${heading}" in docs/schema.md`).toBeGreaterThan(-1)
    const lines = doc.slice(start).split('\n')
    const first = lines.findIndex((line) => line.startsWith('|'))
    const rows: string[][] = []
    for (const line of lines.slice(first + 2)) {
      if (!line.startsWith('|')) break
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      )
    }
    return rows
  }
  const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string)

  it('documents exactly the sort fields each list route accepts', async () => {
    const rows = tableAfter('**Sorting a list**')
    expect(rows.map((row) => row[0])).toEqual(KINDS.map((kind) => `\`GET /${kind}\``))
    for (const [route, fields] of rows) {
      const kind = (route as string).replace(/`GET \/(\w+)`/, '$1')
      const sortParam = spec.paths[`/api/${kind}`]?.get?.parameters?.find((p) => p.name === 'sort')
      // The named fields (an enum), besides `cf.<fieldId>` (a pattern).
      const schema = sortParam?.schema as { enum?: string[]; anyOf?: Array<{ enum?: string[] }> } | undefined
      const named = schema?.enum ?? schema?.anyOf?.flatMap((s) => s.enum ?? []) ?? []
      const accepted = named.filter((f) => !f.startsWith('-'))
      const documented = codes(fields as string)
      expect(documented.sort(), kind).toEqual(accepted.sort())
      for (const field of documented) {
        for (const sort of [field, `-${field}`]) {
          const { status } = await rest(`/api/${kind}?sort=${sort}&limit=5`, admin.cookie)
          expect(status, `${kind} sort=${sort}`).toBe(200)
        }
      }
      const wrong = await rest(`/api/${kind}?sort=password`, admin.cookie)
      expect(wrong.status).toBe(400)
      // `cf.<fieldId>`: a custom field of the kind sorts (as its type says), any other is refused in plain words.
      const field = await rest<{ id: string }>('/api/settings/custom-fields', admin.cookie, {
        body: { label: `Sort ${kind}`, entity: kind.slice(0, -1), type: 'number' },
      })
      expect(field.status).toBe(201)
      for (const sort of [`cf.${field.body.id}`, `-cf.${field.body.id}`]) {
        const { status } = await rest(`/api/${kind}?sort=${sort}&limit=5`, admin.cookie)
        expect(status, `${kind} sort=${sort}`).toBe(200)
      }
      const unknown = await rest<{ error: { message: string } }>(`/api/${kind}?sort=cf.cf_none`, admin.cookie)
      expect(unknown.status).toBe(400)
      expect(unknown.body.error.message).toBe(`${kind} have no custom field cf_none to sort by.`)
    }
    const byName = await rest<{ items: Array<{ name: string }> }>(
      '/api/accounts?sort=-name&limit=200',
      admin.cookie,
    )
    const names = byName.body.items.map((a) => a.name)
    expect(names).toEqual(
      [...names].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base', numeric: true })),
    )
  })

  it('every REST path it documents is a route of the server', () => {
    const documented = tableAfter('| method and path').flatMap(([cell]) => {
      const match = /^`(GET|POST|PATCH|DELETE|PUT) ([^`\s]+)`/.exec(cell as string)
      if (!match) return []
      const [, method, path] = match as unknown as [string, string, string]
      const paths = path.includes('{kind}') ? KINDS.map((kind) => path.replace('{kind}', kind)) : [path]
      return paths.map((p) => ({ method: method.toLowerCase(), path: `/api${p}` }))
    })
    expect(documented.length).toBeGreaterThan(30)
    const handoffs = tableAfter('**Handoff actions**').map(([, cell]) => {
      const [method, path] = (codes(cell as string)[0] as string).split(' ') as [string, string]
      return { method: method.toLowerCase(), path }
    })
    expect(handoffs.map((h) => h.path.split('/').pop())).toEqual([
      'handoffs',
      'handoffs',
      'send',
      'accept',
      'return',
    ])
    for (const { method, path } of [...documented, ...handoffs]) {
      expect(spec.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined()
    }
  })

  it('the documented handoff paths carry a handoff from create to send, return, send and accept', async () => {
    const paths = Object.fromEntries(
      tableAfter('**Handoff actions**').map(([action, cell]) => [
        action,
        codes(cell as string)[0]?.split(' ')[1],
      ]),
    ) as Record<'list' | 'create' | 'send' | 'accept' | 'return', string>
    const sales = await logIn('sales@rapport.dev')
    const support = await logIn('support@rapport.dev')
    const accounts = await rest<{ items: Array<{ id: string }> }>(
      '/api/accounts?limit=1&sort=name',
      sales.cookie,
    )
    const accountId = accounts.body.items[0]?.id as string
    const fill = (path: string, handoffId = '') =>
      path.replace('{accountId}', accountId).replace('{handoffId}', handoffId)
    const created = await rest<{ id: string; status: string }>(fill(paths.create), sales.cookie, { body: {} })
    expect(created.status).toBe(201)
    const id = created.body.id
    const steps: Array<[string, { cookie: string }, Json | undefined, string]> = [
      [paths.send, sales, {}, 'sent'],
      [paths.return, support, { comment: 'Please add the renewal date' }, 'returned'],
      [paths.send, sales, {}, 'sent'],
      [paths.accept, support, undefined, 'accepted'],
    ]
    for (const [path, who, body, status] of steps) {
      const response = await rest<{ status: string }>(fill(path, id), who.cookie, { method: 'POST', body })
      expect(response.status, path).toBe(200)
      expect(response.body.status).toBe(status)
    }
    const listed = await rest<{ items: Array<{ id: string; status: string }> }>(
      fill(paths.list),
      sales.cookie,
    )
    expect(listed.body.items.find((h) => h.id === id)?.status).toBe('accepted')
  })

  it('invitation tokens and links have the documented format, and a token works once', async () => {
    expect(doc).toContain('`token` is an opaque secret of 43 characters `[A-Za-z0-9_-]`')
    const invited = await rest<{ token: string; link: string; invitation: Json }>(
      '/api/invitations',
      admin.cookie,
      {
        body: { email: 'Invitee@Schema.Test', role: 'support', team: 'support' },
      },
    )
    expect(invited.status).toBe(201)
    expect(invited.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(invited.body.link).toBe(`${s.url}/#/invite/${invited.body.token}`)
    expect(invited.body.invitation).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      email: 'invitee@schema.test',
    })
    const signup = { token: invited.body.token, name: 'Invitee', password: 'invitee-password' }
    expect((await rest('/api/auth/signup-invite', '', { body: signup })).status).toBe(200)
    const again = await rest('/api/auth/signup-invite', '', { body: signup })
    expect(again.body).toMatchObject({ error: { code: 'invitation_used' } })
  })
})
