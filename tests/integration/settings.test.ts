import {
  ACCOUNTS,
  Account,
  COLLECTION,
  collectionMap,
  createAccount,
  createDeal,
  DEALS,
  Deal,
  docName,
  initWorkspace,
  type Pipeline,
  readRecords,
  readSettings,
  type Stage,
  type Ticket,
  updateAccount,
  upsertPipeline,
  withCustomFieldValue,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import { api, type ErrorBody, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/** Issue #11 item 3: settings over REST (admin only), live in every open workspace document; custom-field values checked. */
const WS = 'ws_settings'
const PIPELINE: Pipeline = {
  id: 'pip_set',
  name: 'Sales',
  key: 'a0',
  stages: [
    { id: 'stg_a', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_b', name: 'Demo', probability: 0.5, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
    { id: 'stg_lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
  ],
}
const WORKSPACE_DOC = docName({ workspaceId: WS, kind: 'workspace' })

let started: StartedServer
let admin = { cookie: '', token: async () => '' }
let sales = { cookie: '', token: async () => '' }
let viewer = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

const open = async (name: string, token: () => Promise<string>): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name, token })
  clients.push(client)
  return client
}

async function serverSettingsDoc(): Promise<Y.Doc> {
  const connection = await started.server.hocuspocus.openDirectConnection(WORKSPACE_DOC, { system: true })
  const doc = connection.document as Y.Doc
  await connection.disconnect()
  return doc
}

async function serverDoc(name: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    await connection.transact(fn)
  } finally {
    await connection.disconnect()
  }
}

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  const member = (email: string, role: 'admin' | 'sales' | 'viewer') =>
    seedMember(started.server, { workspaceId: WS, email, role })
  admin = await signIn(started.url, await member('admin@settings.test', 'admin'))
  sales = await signIn(started.url, await member('sales@settings.test', 'sales'))
  viewer = await signIn(started.url, await member('viewer@settings.test', 'viewer'))
  await serverDoc(WORKSPACE_DOC, (doc) => {
    initWorkspace(doc, { name: 'Settings', pipelines: [] }, 'setup')
    upsertPipeline(doc, PIPELINE, 'setup')
  })
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

describe('settings over REST', () => {
  it('lets only admins change settings (403 for sales and viewers); everyone reads', async () => {
    for (const who of [sales, viewer]) {
      const refused = await api(started.url, '/api/settings/pipelines', {
        cookie: who.cookie,
        body: { name: 'X' },
      })
      expect(refused.status).toBe(403)
      expect(refused.body.error.message).toBe('Only an admin can change the workspace settings.')
      const sla = await api(started.url, '/api/settings/sla', { method: 'PUT', cookie: who.cookie, body: {} })
      expect(sla.status).toBe(403)
    }
    const read = await api<{ pipelines: Pipeline[] }>(started.url, '/api/settings', { cookie: viewer.cookie })
    expect(read.status).toBe(200)
    expect(read.body.pipelines.map((p) => p.id)).toContain(PIPELINE.id)
  })

  it('an added stage reaches a second provider of the workspace document at once', async () => {
    const other = await open(WORKSPACE_DOC, sales.token)
    const added = await api<Stage>(started.url, `/api/settings/pipelines/${PIPELINE.id}/stages`, {
      cookie: admin.cookie,
      body: { name: 'Trial', probability: 0.3, rotAfterDays: 10 },
    })
    expect(added.status).toBe(201)
    await vi.waitFor(() => {
      const stages = readSettings(other.doc).pipelines.find((p) => p.id === PIPELINE.id)?.stages ?? []
      expect(stages.map((s) => s.name)).toEqual(['Lead', 'Demo', 'Trial', 'Won', 'Lost'])
    })
    const renamed = await api<Stage>(
      started.url,
      `/api/settings/pipelines/${PIPELINE.id}/stages/${added.body.id}`,
      { method: 'PATCH', cookie: admin.cookie, body: { name: 'Free trial', outcome: 'open', index: 0 } },
    )
    expect(renamed.status).toBe(200)
    await vi.waitFor(() => {
      const stages = readSettings(other.doc).pipelines.find((p) => p.id === PIPELINE.id)?.stages ?? []
      expect(stages[0]?.name).toBe('Free trial')
    })
  })

  it('removing a stage moves its deals to the chosen stage, each in its own document; none is left behind', async () => {
    const ids: string[] = []
    for (const title of ['One', 'Two']) {
      const created = await api<Deal>(started.url, '/api/deals', {
        cookie: admin.cookie,
        body: { pipelineId: PIPELINE.id, title, stageId: 'stg_b', amount: 10, currency: 'EUR' },
      })
      expect(created.status).toBe(201)
      ids.push(created.body.id)
    }
    const sameStage = await api(
      started.url,
      `/api/settings/pipelines/${PIPELINE.id}/stages/stg_b?moveTo=stg_b`,
      {
        method: 'DELETE',
        cookie: admin.cookie,
      },
    )
    expect(sameStage.status).toBe(400)
    expect(sameStage.body.error.message).toBe('Choose another stage for its deals.')
    const removed = await api<{ pipeline: Pipeline; movedDealIds: string[] }>(
      started.url,
      `/api/settings/pipelines/${PIPELINE.id}/stages/stg_b?moveTo=stg_lost`,
      { method: 'DELETE', cookie: admin.cookie },
    )
    expect(removed.status).toBe(200)
    expect(removed.body.movedDealIds.sort()).toEqual([...ids].sort())
    expect(removed.body.pipeline.stages.map((s) => s.id)).not.toContain('stg_b')
    const docs = await Promise.all(
      ids.map((dealId) => open(docName({ workspaceId: WS, kind: 'deal', dealId }), admin.token)),
    )
    await vi.waitFor(() => {
      const deals = docs.flatMap((client) => readRecords(collectionMap(client.doc, DEALS), Deal).records)
      expect(deals.map((d) => [d.position.column, d.status])).toEqual([
        ['stg_lost', 'lost'],
        ['stg_lost', 'lost'],
      ])
      // One after the other at the end of the column, in their old order.
      expect((deals[0]?.position.key ?? '') < (deals[1]?.position.key ?? '')).toBe(true)
    })
  })

  it('sets the SLA policy and a ticket priority change recomputes its due time', async () => {
    const policy = {
      low: { firstResponseMins: 600, resolutionMins: 6000 },
      normal: { firstResponseMins: 60, resolutionMins: 600 },
      high: { firstResponseMins: 30, resolutionMins: 120 },
      urgent: { firstResponseMins: 10, resolutionMins: 60 },
    }
    const put = await api(started.url, '/api/settings/sla', {
      method: 'PUT',
      cookie: admin.cookie,
      body: policy,
    })
    expect(put.status).toBe(200)
    const ticket = await api<Ticket>(started.url, '/api/tickets', {
      cookie: admin.cookie,
      body: { subject: 'Down' },
    })
    expect(ticket.body.slaDueAt).toBe(ticket.body.createdAt + 600 * 60_000)
    const patched = await api<Ticket>(started.url, `/api/tickets/${ticket.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { priority: 'urgent' },
    })
    expect(patched.status).toBe(200)
    expect(patched.body.slaDueAt).toBe(ticket.body.createdAt + 60 * 60_000)
  })

  it('a priority change written straight to the document gets its due time from the server', async () => {
    const created = await api<Ticket>(started.url, '/api/tickets', {
      cookie: admin.cookie,
      body: { subject: 'Raw' },
    })
    const support = await open(
      docName({ workspaceId: WS, kind: 'ticket', ticketId: created.body.id }),
      admin.token,
    )
    await vi.waitFor(() => expect(support.doc.getMap(COLLECTION.tickets).has(created.body.id)).toBe(true))
    // An outside client following docs/schema.md sets only the priority.
    const fields = support.doc.getMap(COLLECTION.tickets).get(created.body.id) as Y.Map<unknown>
    support.doc.transact(() => fields.set('priority', 'high'))
    const sla = readSettings((await serverSettingsDoc()) as Y.Doc).sla
    await vi.waitFor(() =>
      expect(fields.get('slaDueAt')).toBe(created.body.createdAt + sla.high.resolutionMins * 60_000),
    )
  })

  it('stores a base currency with rates', async () => {
    const put = await api(started.url, '/api/settings/currency', {
      method: 'PUT',
      cookie: admin.cookie,
      body: { base: 'EUR', rates: { USD: 0.9 } },
    })
    expect(put.status).toBe(200)
    const read = await api(started.url, '/api/settings/currency', { cookie: viewer.cookie })
    expect(read.body).toEqual({ base: 'EUR', rates: { USD: 0.9 } })
  })

  it('closedDays: how long a won card stays on the board; the board and its snapshot follow the setting', async () => {
    expect((await api(started.url, '/api/settings/board', { cookie: viewer.cookie })).body).toEqual({
      closedDays: 7,
    })
    // A deal won 5 days ago: on the board with the default of 7 days.
    const dealId = 'deal_closed5'
    await serverDoc(docName({ workspaceId: WS, kind: 'deal', dealId }), (doc) => {
      createDeal(
        doc,
        { id: dealId, pipelineId: PIPELINE.id, title: 'Won long ago', stageId: 'stg_won' },
        'setup',
        {
          stages: PIPELINE.stages,
          now: Date.now() - 5 * 86_400_000,
        },
      )
    })
    const board = await open(
      docName({ workspaceId: WS, kind: 'board', pipelineId: PIPELINE.id }),
      viewer.token,
    )
    const snapshotHas = async () =>
      (
        await api<{ columns: Array<{ deals: Array<{ id: string }> }> }>(
          started.url,
          `/api/pipelines/${PIPELINE.id}/board?perColumn=100`,
          { cookie: viewer.cookie },
        )
      ).body.columns.some((column) => column.deals.some((deal) => deal.id === dealId))
    await vi.waitFor(() => expect(board.doc.getMap('pos').has(dealId)).toBe(true))
    expect(await snapshotHas()).toBe(true)

    for (const closedDays of [0, 366, 2.5, '3'])
      expect(
        (
          await api(started.url, '/api/settings/board', {
            method: 'PUT',
            cookie: admin.cookie,
            body: { closedDays },
          })
        ).status,
      ).toBe(400)
    expect(
      (
        await api(started.url, '/api/settings/board', {
          method: 'PUT',
          cookie: sales.cookie,
          body: { closedDays: 3 },
        })
      ).status,
    ).toBe(403)
    const put = await api(started.url, '/api/settings/board', {
      method: 'PUT',
      cookie: admin.cookie,
      body: { closedDays: 3 },
    })
    expect(put.body).toEqual({ closedDays: 3 })
    expect(await snapshotHas()).toBe(false)
    // The hourly sweep (run now) takes the card off the board.
    await started.server.boards.sweep()
    await vi.waitFor(() => expect(board.doc.getMap('pos').has(dealId)).toBe(false))
  })
})

describe('custom fields', () => {
  let seats = ''
  let plan = ''
  beforeAll(async () => {
    const a = await api<{ id: string }>(started.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Seats', entity: 'account', type: 'number', required: true },
    })
    const b = await api<{ id: string }>(started.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Plan', entity: 'ticket', type: 'select', options: ['Free', 'Pro'] },
    })
    expect([a.status, b.status]).toEqual([201, 201])
    seats = a.body.id
    plan = b.body.id
  })

  it('refuses a select field without choices, in plain words', async () => {
    const bad = await api(started.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Region', entity: 'contact', type: 'select' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toBe('Region needs at least one choice.')
  })

  it('REST create and patch check values against the definitions of every kind (400 naming the field)', async () => {
    const missing = await api(started.url, '/api/accounts', { cookie: admin.cookie, body: { name: 'Acme' } })
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toBe('Seats is required.')
    const wrong = await api(started.url, '/api/accounts', {
      cookie: admin.cookie,
      body: { name: 'Acme', customFields: { [seats]: 'many' } },
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.message).toBe('Seats must be a number.')
    const ok = await api<Account>(started.url, '/api/accounts', {
      cookie: admin.cookie,
      body: { name: 'Acme', customFields: { [seats]: 12 } },
    })
    expect(ok.status).toBe(201)
    expect(ok.body.customFields).toEqual({ [seats]: 12 })
    const cleared = await api(started.url, `/api/accounts/${ok.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [seats]: null } },
    })
    expect(cleared.status).toBe(400)
    expect(cleared.body.error.message).toBe('Seats is required.')

    const region = await api<{ id: string }>(started.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Region', entity: 'account', type: 'text' },
    })
    const merged = await api<Account>(started.url, `/api/accounts/${ok.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [region.body.id]: 'EU' } },
    })
    expect(merged.status).toBe(200)
    expect(merged.body.customFields).toEqual({ [seats]: 12, [region.body.id]: 'EU' })

    const ticket = await api<Ticket>(started.url, '/api/tickets', {
      cookie: admin.cookie,
      body: { subject: 'Plan?' },
    })
    const badPlan = await api<ErrorBody>(started.url, `/api/tickets/${ticket.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [plan]: 'Gold' } },
    })
    expect(badPlan.status).toBe(400)
    expect(badPlan.body.error.message).toBe('Plan must be one of: Free, Pro.')
    const unknown = await api(started.url, `/api/tickets/${ticket.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [seats]: 3 } },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toBe(`There is no ticket field with the id ${seats}.`)
    const owner = await api<{ id: string }>(started.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Escalation owner', entity: 'ticket', type: 'user' },
    })
    const stranger = await api(started.url, `/api/tickets/${ticket.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [owner.body.id]: 'usr_nobody' } },
    })
    expect(stranger.status).toBe(400)
    expect(stranger.body.error.message).toBe('Escalation owner must be a member of the workspace.')
    const good = await api<Ticket>(started.url, `/api/tickets/${ticket.body.id}`, {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { customFields: { [plan]: 'Pro' } },
    })
    expect(good.status).toBe(200)
    expect(good.body.customFields).toEqual({ [plan]: 'Pro' })
  })

  it('filters list routes by a custom field (cf.<fieldId>=)', async () => {
    for (const [name, count] of [
      ['Small', 3],
      ['Big', 300],
    ] as const) {
      const created = await api(started.url, '/api/accounts', {
        cookie: admin.cookie,
        body: { name, customFields: { [seats]: count } },
      })
      expect(created.status).toBe(201)
    }
    const list = await api<{ items: Account[]; total: number }>(
      started.url,
      `/api/accounts?cf.${seats}=300`,
      {
        cookie: viewer.cookie,
      },
    )
    expect(list.status).toBe(200)
    expect(list.body.items.map((a) => a.name)).toEqual(['Big'])
    expect(list.body.total).toBe(1)
  })

  it('a value written through the document that fails its definition is put back by the server', async () => {
    const id = 'acc_cf_doc'
    const accounts = await open(docName({ workspaceId: WS, kind: 'account', accountId: id }), sales.token)
    createAccount(accounts.doc, { id, name: 'Doc Co', customFields: { [seats]: 5 } }, 'client')
    await waitForAcked(accounts)
    updateAccount(
      accounts.doc,
      id,
      { customFields: withCustomFieldValue({ [seats]: 5 }, seats, 'lots') },
      'client',
    )
    await vi.waitFor(() => {
      const account = readRecords(collectionMap(accounts.doc, ACCOUNTS), Account).records.find(
        (a) => a.id === id,
      )
      expect(account?.customFields).toEqual({ [seats]: 5 })
    })
  })
})
