import {
  boardColumns,
  createAccount,
  createDeal,
  DEALS,
  defaultPipelines,
  docName,
  initWorkspace,
  moveDeal,
  type Pipeline,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_records'
const OTHER = 'ws_records_other'

interface Page {
  items: Array<Record<string, unknown> & { id: string }>
  total: number
  nextCursor: string | null
}

let started: StartedServer
let sales: { id: string; cookie: string; token: () => Promise<string> }
let viewerCookie: string
let viewerToken: () => Promise<string>
let otherCookie: string
let pipeline: Pipeline

beforeAll(async () => {
  started = await startServer()
  const { server, url } = started
  const salesUser = await seedMember(server, { workspaceId: WS, email: 'sales@records.test', role: 'sales' })
  const viewer = await seedMember(server, { workspaceId: WS, email: 'viewer@records.test', role: 'viewer' })
  const other = await seedMember(server, { workspaceId: OTHER, email: 'admin@other.test', role: 'admin' })
  sales = { id: salesUser.id, ...(await signIn(url, salesUser)) }
  const viewerSession = await signIn(url, viewer)
  viewerCookie = viewerSession.cookie
  viewerToken = viewerSession.token
  otherCookie = (await signIn(url, other)).cookie
  const connection = await server.hocuspocus.openDirectConnection(
    docName({ workspaceId: WS, kind: 'workspace' }),
    {
      system: true,
    },
  )
  await connection.transact((doc) => {
    const settings = initWorkspace(doc, { name: 'Records', pipelines: defaultPipelines() }, 'test-setup')
    pipeline = settings.pipelines[0] as Pipeline
  })
  await connection.disconnect()
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

const get = <T>(path: string, cookie = sales.cookie) => api<T>(started.url, path, { cookie })
const send = <T>(method: string, path: string, body: unknown, cookie = sales.cookie) =>
  api<T>(started.url, path, { method, cookie, body })

describe('REST records', () => {
  it('finds an account a provider just created (projection follows live edits)', async () => {
    const { doc } = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: 'acc_zyxelcorp' }),
      token: sales.token,
    })
    createAccount(doc, { id: 'acc_zyxelcorp', name: 'Zyxelcorp Holdings', domain: 'zyxel.example' }, 'local')
    await expect
      .poll(async () => (await get<Page>('/api/accounts?q=zyxelc')).body.items.map((a) => a.name))
      .toEqual(['Zyxelcorp Holdings'])
    const search = await get<{ items: Array<{ kind: string; title: string }> }>('/api/search?q=zyxel')
    expect(search.body.items[0]).toMatchObject({ kind: 'accounts', title: 'Zyxelcorp Holdings' })
  })

  it('filters, sorts and paginates with a cursor', async () => {
    for (const [name, tier] of [
      ['Tier Delta', 'growth'],
      ['Tier Alpha', 'growth'],
      ['Tier Charlie', 'standard'],
      ['Tier Bravo', 'growth'],
    ] as const) {
      const created = await send('POST', '/api/accounts', { name, tier, industry: 'Paging' })
      expect(created.status).toBe(201)
    }
    const first = await get<Page>('/api/accounts?industry=Paging&tier=growth&sort=-name&limit=2')
    expect(first.status).toBe(200)
    expect(first.body.total).toBe(3)
    expect(first.body.items.map((a) => a.name)).toEqual(['Tier Delta', 'Tier Bravo'])
    expect(first.body.nextCursor).toEqual(expect.any(String))
    const second = await get<Page>(
      `/api/accounts?industry=Paging&tier=growth&sort=-name&limit=2&cursor=${first.body.nextCursor}`,
    )
    expect(second.body.items.map((a) => a.name)).toEqual(['Tier Alpha'])
    expect(second.body.nextCursor).toBeNull()
    expect((await get('/api/accounts?limit=500')).status).toBe(400)
    expect((await get('/api/accounts?sort=password')).status).toBe(400)
  })

  it('a REST write appears in an open provider at once', async () => {
    const created = await send<{ id: string }>('POST', '/api/accounts', { name: 'Before Rename' })
    const { doc } = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: created.body.id }),
      token: sales.token,
    })
    const patched = await send<{ name: string }>('PATCH', `/api/accounts/${created.body.id}`, {
      name: 'After Rename',
    })
    expect(patched.status).toBe(200)
    expect(patched.body.name).toBe('After Rename')
    await expect
      .poll(() => (doc.getMap('accounts').get(created.body.id) as Y.Map<unknown> | undefined)?.get('name'))
      .toBe('After Rename')
    expect((await send('PATCH', `/api/accounts/${created.body.id}`, { tier: 'gold' })).status).toBe(400)
  })

  it('moves a deal through its document and reports the new stage', async () => {
    const [lead, , proposal] = pipeline.stages
    const created = await send<{ id: string; position: { column: string } }>('POST', '/api/deals', {
      pipelineId: pipeline.id,
      title: 'Rest deal',
      stageId: lead?.id,
      amount: 1000,
    })
    expect(created.status).toBe(201)
    expect(created.body.position.column).toBe(lead?.id)
    const { doc } = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'deal', dealId: created.body.id }),
      token: sales.token,
    })
    const moved = await send<{ position: { column: string } }>('POST', `/api/deals/${created.body.id}/move`, {
      stageId: proposal?.id,
    })
    expect(moved.body.position.column).toBe(proposal?.id)
    await expect
      .poll(() =>
        (doc.getMap(DEALS.name).get(created.body.id) as Y.Map<unknown> | undefined)?.get('position'),
      )
      .toMatchObject({ column: proposal?.id })
    const list = await get<Page>(`/api/deals?stage=${proposal?.id}&pipelineId=${pipeline.id}`)
    expect(list.body.items.map((d) => d.id)).toContain(created.body.id)
    expect((await send('POST', `/api/deals/${created.body.id}/move`, { stageId: 'stg_nope' })).status).toBe(
      400,
    )
  })

  it('serves a board snapshot from the index that matches the board the server mirrors from the deal documents', async () => {
    const [lead, qualified] = pipeline.stages
    if (!lead || !qualified) throw new Error('pipeline needs two stages')
    const account = await send<{ id: string }>('POST', '/api/accounts', { name: 'Snapshot Account' })
    // Each deal in its own document, written by a client (the board is the server's).
    const docs = new Map<string, Y.Doc>()
    for (const [i, title] of ['Snap A', 'Snap B', 'Snap C'].entries()) {
      const id = `deal_snap${i}`
      const { doc } = await openProvider({
        wsUrl: started.wsUrl,
        name: docName({ workspaceId: WS, kind: 'deal', dealId: id }),
        token: sales.token,
      })
      createDeal(
        doc,
        {
          id,
          pipelineId: pipeline.id,
          title,
          stageId: lead.id,
          amount: 100 * (i + 1),
          accountId: account.body.id,
        },
        'test',
        { stages: pipeline.stages },
      )
      docs.set(id, doc)
    }
    const ids = [...docs.keys()]
    const board = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'board', pipelineId: pipeline.id }),
      token: viewerToken,
    })
    type Snapshot = {
      columns: Array<{ stageId: string; count: number; deals: Array<{ id: string }> }>
      accountNames: Record<string, string>
    }
    const snapshot = () => get<Snapshot>(`/api/pipelines/${pipeline.id}/board?perColumn=2`)
    const live = () => boardColumns(board.doc, pipeline).columns
    const matchesLive = (body: Snapshot) =>
      body.columns.every(
        (c) =>
          c.count === live()[c.stageId]?.length &&
          c.deals.map((d) => d.id).join() === live()[c.stageId]?.slice(0, 2).join(),
      )
    await expect.poll(() => ids.every((id) => live()[lead.id]?.includes(id))).toBe(true)
    await expect.poll(async () => matchesLive((await snapshot()).body)).toBe(true)
    const first = (await snapshot()).body
    expect(first.columns.map((c) => c.stageId)).toEqual(pipeline.stages.map((s) => s.id))
    expect(first.columns[0]?.deals.length).toBe(2)

    moveDeal(
      docs.get(ids[2] as string) as Y.Doc,
      ids[2] as string,
      { column: qualified.id, key: 'a0' },
      'test',
      {
        stages: pipeline.stages,
      },
    )
    await expect.poll(() => live()[qualified.id]?.includes(ids[2] as string)).toBe(true)
    await expect
      .poll(async () => (await snapshot()).body.columns[1]?.deals.some((d) => d.id === ids[2]))
      .toBe(true)
    expect(matchesLive((await snapshot()).body)).toBe(true)
    expect((await snapshot()).body.accountNames[account.body.id]).toBe('Snapshot Account')

    // A viewer's (or anyone's) write to the board is never applied: the server alone writes it.
    board.doc.getMap('pos').set(ids[0] as string, [qualified.id, 'zz', 'o', 0])
    await expect
      .poll(async () => (await snapshot()).body.columns[0]?.deals.some((d) => d.id === ids[0]))
      .toBe(true)
    const serverBoard = started.server.hocuspocus.documents.get(
      docName({ workspaceId: WS, kind: 'board', pipelineId: pipeline.id }),
    )
    expect((serverBoard?.getMap('pos').get(ids[0] as string) as unknown[] | undefined)?.[0]).toBe(lead.id)

    expect((await get(`/api/pipelines/${pipeline.id}/board`, viewerCookie)).status).toBe(200)
    expect((await get(`/api/pipelines/${pipeline.id}/board`, otherCookie)).status).toBe(404)
    expect((await get(`/api/pipelines/pipe_missing/board`)).status).toBe(404)
    expect((await get(`/api/pipelines/${pipeline.id}/board?perColumn=0`)).status).toBe(400)
    expect((await api(started.url, `/api/pipelines/${pipeline.id}/board`)).status).toBe(401)
  })

  it('refuses writes to a viewer with 403 and lets them read', async () => {
    const denied = await send<{ error: { code: string } }>(
      'POST',
      '/api/accounts',
      { name: 'Nope' },
      viewerCookie,
    )
    expect(denied.status).toBe(403)
    expect(denied.body.error.code).toBe('forbidden')
    expect((await get<Page>('/api/accounts', viewerCookie)).status).toBe(200)
    expect((await get<Page>('/api/accounts?q=Nope', viewerCookie)).body.total).toBe(0)
  })

  it('never shows another workspace its records', async () => {
    const created = await send<{ id: string }>('POST', '/api/accounts', { name: 'Private Secret Account' })
    expect((await get(`/api/accounts/${created.body.id}`, otherCookie)).status).toBe(404)
    expect((await send('PATCH', `/api/accounts/${created.body.id}`, { name: 'x' }, otherCookie)).status).toBe(
      404,
    )
    expect((await get<Page>('/api/accounts?q=Private', otherCookie)).body.total).toBe(0)
    expect((await get<{ items: unknown[] }>('/api/search?q=Private', otherCookie)).body.items).toEqual([])
    expect((await api(started.url, '/api/accounts')).status).toBe(401)
  })

  it('repairs an invalid client update: never stored, projected or shown', async () => {
    const [lead] = pipeline.stages
    const { doc } = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'deal', dealId: 'deal_repairme' }),
      token: sales.token,
    })
    const deal = createDeal(
      doc,
      {
        id: 'deal_repairme',
        pipelineId: pipeline.id,
        title: 'Repair me',
        stageId: lead?.id ?? '',
        amount: 500,
      },
      'local',
    )
    await expect.poll(async () => (await get(`/api/deals/${deal.id}`)).status).toBe(200)
    const fields = doc.getMap(DEALS.name).get(deal.id) as Y.Map<unknown>
    doc.transact(() => {
      fields.set('amount', 'lots')
      fields.set('hacked', true)
    })
    await expect.poll(() => fields.get('amount')).toBe(500)
    await expect.poll(() => fields.has('hacked')).toBe(false)
    const fetched = await get<{ amount: unknown; hacked?: unknown }>(`/api/deals/${deal.id}`)
    expect(fetched.body.amount).toBe(500)
    expect(fetched.body.hacked).toBeUndefined()
  })

  it('describes every /api route in openapi.json', async () => {
    const spec = await get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json')
    expect(spec.status).toBe(200)
    const routes = started.server.app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      expect(spec.body.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined()
    }
    const post = spec.body.paths['/api/accounts']?.post as {
      requestBody?: { content: Record<string, unknown> }
    }
    expect(JSON.stringify(post.requestBody)).toContain('"name"')
    expect(spec.body.paths['/api/deals/{id}/move']).toBeDefined()
  })
})
