import { DEALS, defaultPipelines, docName, initWorkspace, type Pipeline } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_deal_contact'

let started: StartedServer
let sales: { id: string; cookie: string; token: () => Promise<string> }
let viewerCookie: string
let pipeline: Pipeline

beforeAll(async () => {
  started = await startServer()
  const { server, url } = started
  const salesUser = await seedMember(server, { workspaceId: WS, email: 'sales@dc.test', role: 'sales' })
  const viewer = await seedMember(server, { workspaceId: WS, email: 'viewer@dc.test', role: 'viewer' })
  sales = { id: salesUser.id, ...(await signIn(url, salesUser)) }
  viewerCookie = (await signIn(url, viewer)).cookie
  const connection = await server.hocuspocus.openDirectConnection(
    docName({ workspaceId: WS, kind: 'workspace' }),
    {
      system: true,
    },
  )
  await connection.transact((doc) => {
    const settings = initWorkspace(doc, { name: 'Deal pages', pipelines: defaultPipelines() }, 'test-setup')
    pipeline = settings.pipelines[0] as Pipeline
  })
  await connection.disconnect()
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

type Body = Record<string, unknown> & { id: string }
const get = (path: string, cookie = sales.cookie) => api<Body>(started.url, path, { cookie })
const send = (method: string, path: string, body: unknown, cookie = sales.cookie) =>
  api<Body & { error?: { code: string; message: string } }>(started.url, path, { method, cookie, body })

const stage = (outcome: 'open' | 'won' | 'lost', nth = 0) => {
  const found = pipeline.stages.filter((s) => s.outcome === outcome)[nth]
  if (!found) throw new Error(`the default pipeline needs a ${outcome} stage`)
  return found
}

describe('REST: every field of a deal and a contact (the deal and contact pages)', () => {
  it('creates a deal with every field, reads it back and patches each field', async () => {
    const account = await send('POST', '/api/accounts', { name: 'Pages Account' })
    const other = await send('POST', '/api/accounts', { name: 'Other Account' })
    const contact = await send('POST', '/api/contacts', { firstName: 'Ada', accountId: account.body.id })
    const created = await send('POST', '/api/deals', {
      pipelineId: pipeline.id,
      title: 'Full deal',
      stageId: stage('open').id,
      accountId: account.body.id,
      contactIds: [contact.body.id],
      amount: 12500,
      currency: 'EUR',
      ownerId: sales.id,
      expectedCloseDate: '2027-03-31',
    })
    expect(created.status).toBe(201)
    const read = await get(`/api/deals/${created.body.id}`)
    expect(read.body).toMatchObject({
      title: 'Full deal',
      accountId: account.body.id,
      contactIds: [contact.body.id],
      amount: 12500,
      currency: 'EUR',
      ownerId: sales.id,
      expectedCloseDate: '2027-03-31',
      status: 'open',
      pipelineId: pipeline.id,
    })

    const patch = {
      title: 'Full deal, renamed',
      accountId: other.body.id,
      contactIds: [],
      amount: 99.5,
      currency: 'GBP',
      ownerId: null,
      expectedCloseDate: null,
    }
    const patched = await send('PATCH', `/api/deals/${created.body.id}`, patch)
    expect(patched.status).toBe(200)
    expect((await get(`/api/deals/${created.body.id}`)).body).toMatchObject(patch)

    const bad = await send('PATCH', `/api/deals/${created.body.id}`, { currency: 'euro' })
    expect(bad.status).toBe(400)
    expect(bad.body.error?.code).toBe('invalid_input')
  })

  it('a move into a lost stage writes the reason with the move; a move out clears it', async () => {
    const created = await send('POST', '/api/deals', {
      pipelineId: pipeline.id,
      title: 'Lost with a reason',
      stageId: stage('open').id,
    })
    const { doc } = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'deal', dealId: created.body.id }),
      token: sales.token,
    })
    const lost = await send('POST', `/api/deals/${created.body.id}/move`, {
      stageId: stage('lost').id,
      lostReason: '  Chose a competitor ',
    })
    expect(lost.status).toBe(200)
    expect(lost.body).toMatchObject({ status: 'lost', lostReason: 'Chose a competitor' })
    const field = (name: string) => (doc.getMap(DEALS.name).get(created.body.id) as Y.Map<unknown>)?.get(name)
    await expect.poll(() => field('lostReason')).toBe('Chose a competitor')
    expect(field('status')).toBe('lost')

    const tooLong = await send('POST', `/api/deals/${created.body.id}/move`, {
      stageId: stage('lost').id,
      lostReason: 'x'.repeat(501),
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.error?.message).toContain('The lost reason can be at most 500 characters.')

    const reopened = await send('POST', `/api/deals/${created.body.id}/move`, {
      stageId: stage('open', 1).id,
    })
    expect(reopened.body).toMatchObject({ status: 'open', lostReason: null })
    await expect.poll(() => field('lostReason')).toBe(null)

    // Outside clients learn about the field from the OpenAPI document.
    const spec = await api<{ paths: Record<string, { post?: { requestBody?: unknown } }> }>(
      started.url,
      '/api/openapi.json',
    )
    expect(JSON.stringify(spec.body.paths['/api/deals/{id}/move']?.post?.requestBody)).toContain(
      '"lostReason"',
    )
  })

  it('reads and patches every contact field; a viewer may read but not write', async () => {
    const account = await send('POST', '/api/accounts', { name: 'Contact Home' })
    const created = await send('POST', '/api/contacts', { lastName: 'Lovelace' })
    expect(created.status).toBe(201)
    const patch = {
      accountId: account.body.id,
      firstName: 'Ada',
      lastName: 'King',
      email: 'ada@example.com',
      phone: '+44 20 1234',
      title: 'Analyst',
      leadStatus: 'qualified',
      source: 'referral',
      score: 87,
      ownerId: sales.id,
    }
    expect((await send('PATCH', `/api/contacts/${created.body.id}`, patch)).status).toBe(200)
    expect((await get(`/api/contacts/${created.body.id}`)).body).toMatchObject(patch)
    expect((await get(`/api/contacts/${created.body.id}`, viewerCookie)).status).toBe(200)
    const denied = await send('PATCH', `/api/contacts/${created.body.id}`, { title: 'Nope' }, viewerCookie)
    expect(denied.status).toBe(403)
    expect((await get(`/api/contacts?accountId=${account.body.id}`)).body.items).toEqual([
      expect.objectContaining({ id: created.body.id }),
    ])
  })
})
