import {
  type Activity,
  COLLECTION,
  CUSTOM_FIELD_KEY_PREFIX,
  collectionMap,
  createDeal,
  DEALS,
  Deal,
  docName,
  initWorkspace,
  type Pipeline,
  readRecord,
  TIMELINE,
  updateDeal,
  upsertCustomField,
  upsertPipeline,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #10's promise for #11's custom fields: two people editing DIFFERENT custom fields of one deal at the same
 * moment both keep their value (one entry per field, docs/schema.md §3.9); the server's copy and REST agree; a
 * record written in the old form (one `customFields` object) is read as it was and moved to per-field entries.
 */
const WS = 'ws_cfmerge'
const PIPELINE: Pipeline = {
  id: 'pip_cfm',
  name: 'Sales',
  key: 'a0',
  stages: [
    { id: 'stg_open', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
  ],
}
const WORKSPACE_DOC = docName({ workspaceId: WS, kind: 'workspace' })
/** Each deal lives in its own document. */
const dealDoc = (dealId: string): string => docName({ workspaceId: WS, kind: 'deal', dealId })
const field = (id: string, label: string, type: 'text' | 'number' | 'select', options: string[] = []) => ({
  id,
  label,
  entity: 'deal' as const,
  type,
  options,
  required: false,
})

let started: StartedServer
let alice = { cookie: '', token: async () => '' }
let bob = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

const open = async (token: () => Promise<string>, dealId: string): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name: dealDoc(dealId), token })
  clients.push(client)
  return client
}

/** Runs `fn` on the server's own copy of deal `dealId`'s document. */
async function onServer<T>(dealId: string, fn: (doc: Y.Doc) => T): Promise<T> {
  const connection = await started.server.hocuspocus.openDirectConnection(dealDoc(dealId), { system: true })
  try {
    let result: T | undefined
    await connection.transact((doc) => {
      result = fn(doc)
    })
    return result as T
  } finally {
    await connection.disconnect()
  }
}

const dealIn = (doc: Y.Doc, id: string): Deal | null => readRecord(collectionMap(doc, DEALS), id, Deal)

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  const member = (email: string) => seedMember(started.server, { workspaceId: WS, email, role: 'sales' })
  alice = await signIn(started.url, await member('alice@cfmerge.test'))
  bob = await signIn(started.url, await member('bob@cfmerge.test'))
  const workspace = await started.server.hocuspocus.openDirectConnection(WORKSPACE_DOC, { system: true })
  await workspace.transact((doc) => {
    initWorkspace(doc, { name: 'Custom field merge', pipelines: [] }, 'setup')
    upsertPipeline(doc, PIPELINE, 'setup')
    upsertCustomField(doc, field('cf_region', 'Region', 'select', ['EU', 'US']), 'setup')
    upsertCustomField(doc, field('cf_seats', 'Seats', 'number'), 'setup')
    upsertCustomField(doc, field('cf_plan', 'Plan', 'text'), 'setup')
  })
  await workspace.disconnect()
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

describe('custom field values merge per field', () => {
  it('two users set different custom fields of one deal at once: both kept, and the server and REST agree', async () => {
    const id = 'deal_cf_both'
    const a = await open(alice.token, id)
    const b = await open(bob.token, id)
    createDeal(
      a.doc,
      {
        id,
        pipelineId: PIPELINE.id,
        title: 'Renewal',
        stageId: 'stg_open',
        customFields: { cf_region: 'EU' },
      },
      'client',
    )
    await vi.waitFor(() => expect(dealIn(b.doc, id)).not.toBeNull())
    // In the same tick: neither provider has seen the other's edit when it makes its own.
    updateDeal(a.doc, id, { customFields: { cf_seats: 40 } }, 'client')
    updateDeal(b.doc, id, { customFields: { cf_plan: 'Gold' } }, 'client')
    const expected = { cf_region: 'EU', cf_seats: 40, cf_plan: 'Gold' }
    await vi.waitFor(() => {
      expect(dealIn(a.doc, id)?.customFields).toEqual(expected)
      expect(dealIn(b.doc, id)?.customFields).toEqual(expected)
    })
    await Promise.all([waitForAcked(a), waitForAcked(b)])
    expect((await onServer(id, (doc) => dealIn(doc, id)))?.customFields).toEqual(expected)
    const rest = await api<Deal>(started.url, `/api/deals/${id}`, { cookie: alice.cookie })
    expect(rest.status).toBe(200)
    expect(rest.body.customFields).toEqual(expected)
  })

  it('a REST patch writes only the fields it names, so a provider edit of another field at the same time is kept', async () => {
    const id = 'deal_cf_rest'
    const a = await open(alice.token, id)
    createDeal(
      a.doc,
      { id, pipelineId: PIPELINE.id, title: 'Expansion', stageId: 'stg_open', customFields: { cf_seats: 5 } },
      'client',
    )
    await waitForAcked(a)
    updateDeal(a.doc, id, { customFields: { cf_plan: 'Pro' } }, 'client')
    const patched = await api<Deal>(started.url, `/api/deals/${id}`, {
      method: 'PATCH',
      cookie: bob.cookie,
      body: { customFields: { cf_region: 'US', cf_seats: null } },
    })
    expect(patched.status).toBe(200)
    const expected = { cf_plan: 'Pro', cf_region: 'US' }
    await vi.waitFor(() => expect(dealIn(a.doc, id)?.customFields).toEqual(expected))
    const rest = await api<Deal>(started.url, `/api/deals/${id}`, { cookie: alice.cookie })
    expect(rest.body.customFields).toEqual(expected)
  })

  it("a custom field change reaches the account's timeline as one change of that field, named by its label", async () => {
    const account = await api<{ id: string }>(started.url, '/api/accounts', {
      cookie: alice.cookie,
      body: { name: 'Timeline Co' },
    })
    expect(account.status).toBe(201)
    const id = 'deal_cf_timeline'
    const a = await open(alice.token, id)
    createDeal(
      a.doc,
      {
        id,
        pipelineId: PIPELINE.id,
        title: 'Seats deal',
        stageId: 'stg_open',
        accountId: account.body.id,
        customFields: { cf_seats: 10, cf_plan: 'Pro' },
      },
      'client',
    )
    await waitForAcked(a)
    updateDeal(a.doc, id, { customFields: { cf_seats: 12 } }, 'client')
    const room = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: account.body.id }),
      token: alice.token,
    })
    clients.push(room)
    const change = () =>
      (Object.values(room.doc.getMap(TIMELINE.name).toJSON()) as Activity[]).find((e) =>
        e.changes.some((c) => c.field === 'cf:cf_seats'),
      )
    await expect.poll(change).toBeDefined()
    expect(change()?.changes).toEqual([{ field: 'cf:cf_seats', label: 'Seats', before: 10, after: 12 }])
    expect(change()?.text).toBe('changed Seats of Seats deal')
  })

  it('a custom field entry that breaks its definition or is no value at all is put back; the other entries are kept', async () => {
    const id = 'deal_cf_repair'
    const a = await open(alice.token, id)
    createDeal(
      a.doc,
      {
        id,
        pipelineId: PIPELINE.id,
        title: 'Repair',
        stageId: 'stg_open',
        customFields: { cf_region: 'EU' },
      },
      'client',
    )
    await waitForAcked(a)
    const fields = a.doc.getMap(COLLECTION.deals).get(id) as Y.Map<unknown>
    a.doc.transact(() => {
      fields.set('cf:cf_region', 'Mars') // not one of the options
      fields.set('cf:cf_plan', 'Gold') // valid, in the same update
    }, 'client')
    await vi.waitFor(() =>
      expect(dealIn(a.doc, id)?.customFields).toEqual({ cf_region: 'EU', cf_plan: 'Gold' }),
    )
    a.doc.transact(() => fields.set('cf:cf_seats', { nested: 1 }), 'client') // not a custom value at all
    await vi.waitFor(() => expect(fields.get('cf:cf_seats') ?? null).toBeNull())
    expect(dealIn(a.doc, id)?.customFields).toEqual({ cf_region: 'EU', cf_plan: 'Gold' })
    const rest = await api<Deal>(started.url, `/api/deals/${id}`, { cookie: alice.cookie })
    expect(rest.body.customFields).toEqual({ cf_region: 'EU', cf_plan: 'Gold' })
  })

  it('a deal written in the old form (one customFields object) reads as it was and the server moves it to per-field entries', async () => {
    const id = 'deal_cf_old'
    const a = await open(alice.token, id)
    createDeal(a.doc, { id, pipelineId: PIPELINE.id, title: 'Legacy', stageId: 'stg_open' }, 'client')
    await waitForAcked(a)
    // What a client of the old schema writes: every value in one plain object.
    a.doc.transact(() => {
      const fields = a.doc.getMap(COLLECTION.deals).get(id) as Y.Map<unknown>
      fields.set('customFields', { cf_region: 'EU', cf_seats: 12 })
    }, 'client')
    await vi.waitFor(() => {
      const fields = a.doc.getMap(COLLECTION.deals).get(id) as Y.Map<unknown>
      expect(fields.has('customFields')).toBe(false)
      expect([...fields.keys()].filter((k) => k.startsWith(CUSTOM_FIELD_KEY_PREFIX)).sort()).toEqual([
        'cf:cf_region',
        'cf:cf_seats',
      ])
    })
    expect(dealIn(a.doc, id)?.customFields).toEqual({ cf_region: 'EU', cf_seats: 12 })
    const rest = await api<Deal>(started.url, `/api/deals/${id}`, { cookie: alice.cookie })
    expect(rest.body.customFields).toEqual({ cf_region: 'EU', cf_seats: 12 })
  })
})
