import {
  defaultPipelines,
  docName,
  initWorkspace,
  type Pipeline,
  type Stage,
  setCurrency,
} from '@rapport/model'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/*
 * Reports (issue #13) over the real server: records written through REST (deals moved, won and lost, tickets
 * resolved, a handoff sent and accepted, a logged call), figures read from `/api/reports`, CSV against JSON,
 * drill-down against the rows, and another workspace's records never counted.
 */

const WS = 'ws_reports'
const OTHER = 'ws_reports_other'

interface Row {
  key: string
  label: string
  values: Record<string, number | string | null>
  currency?: string
}
interface Report {
  id: string
  filters: { period: string; from: string | null; to: string | null; pipelineId: string | null }
  currency: { base: string | null; converted: boolean }
  columns: Array<{ key: string; label: string; type: string }>
  rows: Row[]
  chart: { type: string; x: string; series: string[] }
  seq: number
}
interface Drill {
  kind: string
  items: Array<{ id: string; label: string; amount?: number; currency?: string; status?: string }>
  total: number
  nextOffset: number | null
}

let started: StartedServer
let sales: { id: string; cookie: string }
let support: { id: string; cookie: string }
let outsider: { id: string; cookie: string }
let pipeline: Pipeline
const stage = (name: string) => pipeline.stages.find((s) => s.name === name) as Stage

const get = <T>(path: string, cookie = sales.cookie) => api<T>(started.url, path, { cookie })
const post = <T>(path: string, body: unknown, cookie = sales.cookie) =>
  api<T>(started.url, path, { method: 'POST', cookie, body })

async function serverWrite(name: string, write: (doc: import('yjs').Doc) => void): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  await connection.transact((doc) => write(doc))
  await connection.disconnect()
}

const rowOf = (report: Report, key: string) => report.rows.find((r) => r.key === key)

async function createDeal(
  title: string,
  amount: number,
  currency: string,
  extra: Record<string, unknown> = {},
) {
  const created = await post<{ id: string }>('/api/deals', {
    pipelineId: pipeline.id,
    title,
    stageId: stage('Lead').id,
    amount,
    currency,
    ownerId: sales.id,
    ...extra,
  })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return created.body.id
}
const move = async (dealId: string, name: string, lostReason?: string) => {
  const moved = await post(`/api/deals/${dealId}/move`, { stageId: stage(name).id, lostReason })
  expect(moved.status, JSON.stringify(moved.body)).toBe(200)
}

const ids: Record<string, string> = {}

beforeAll(async () => {
  started = await startServer()
  const seed = async (
    workspaceId: string,
    email: string,
    role: 'sales' | 'support',
    team: 'sales' | 'support',
  ) => {
    const user = await seedMember(started.server, {
      workspaceId,
      email,
      role,
      team,
      name: email.split('@')[0],
    })
    return { id: user.id, ...(await signIn(started.url, user)) }
  }
  sales = await seed(WS, 'sales@reports.test', 'sales', 'sales')
  support = await seed(WS, 'support@reports.test', 'support', 'support')
  outsider = await seed(OTHER, 'sales@other.test', 'sales', 'sales')
  for (const ws of [WS, OTHER]) {
    await serverWrite(docName({ workspaceId: ws, kind: 'workspace' }), (doc) => {
      const settings = initWorkspace(doc, { name: ws, pipelines: defaultPipelines() }, 'setup')
      if (ws === WS) pipeline = settings.pipelines[0] as Pipeline
    })
  }
  const account = await post<{ id: string }>('/api/accounts', {
    name: 'Acme',
    tier: 'strategic',
    industry: 'Retail',
  })
  expect(account.status).toBe(201)
  ids.account = account.body.id
  const web = await post<{ id: string }>('/api/contacts', {
    firstName: 'Wendy',
    lastName: 'Web',
    source: 'web',
  })
  const event = await post<{ id: string }>('/api/contacts', {
    firstName: 'Evan',
    lastName: 'Event',
    source: 'event',
  })
  ids.web = web.body.id
  ids.event = event.body.id
  // Two won (USD 1000 from a web lead, EUR 500), one lost ("Price"), two open (USD 200 in Lead, USD 300 in Proposal).
  ids.won1 = await createDeal('Won one', 1000, 'USD', { accountId: ids.account, contactIds: [ids.web] })
  ids.won2 = await createDeal('Won two', 500, 'EUR', { contactIds: [ids.event] })
  ids.lost = await createDeal('Lost one', 700, 'USD')
  ids.open1 = await createDeal('Open one', 200, 'USD')
  ids.open2 = await createDeal('Open two', 300, 'USD')
  await move(ids.won1, 'Qualified')
  await move(ids.won1, 'Proposal')
  await move(ids.won1, 'Won')
  await move(ids.won2, 'Won')
  await move(ids.lost, 'Qualified')
  await move(ids.lost, 'Lost', 'Price')
  await move(ids.open2, 'Proposal')
  // Tickets: one resolved, one open urgent.
  const t1 = await post<{ id: string }>(
    '/api/tickets',
    { subject: 'Broken', priority: 'high', accountId: ids.account },
    support.cookie,
  )
  const t2 = await post<{ id: string }>(
    '/api/tickets',
    { subject: 'Down', priority: 'urgent' },
    support.cookie,
  )
  expect([t1.status, t2.status]).toEqual([201, 201])
  ids.t1 = t1.body.id
  ids.t2 = t2.body.id
  expect((await post(`/api/tickets/${ids.t1}/move`, { status: 'resolved' }, support.cookie)).status).toBe(200)
  // A handoff sent and accepted, and a logged call on the account.
  const handoff = await post<{ id: string }>(`/api/accounts/${ids.account}/handoffs`, {
    toUserId: support.id,
    toTeam: 'support',
  })
  expect(handoff.status, JSON.stringify(handoff.body)).toBe(201)
  expect((await post(`/api/accounts/${ids.account}/handoffs/${handoff.body.id}/send`, {})).status).toBe(200)
  expect(
    (await post(`/api/accounts/${ids.account}/handoffs/${handoff.body.id}/accept`, undefined, support.cookie))
      .status,
  ).toBe(200)
  const call = await post(`/api/accounts/${ids.account}/activities`, {
    type: 'call',
    at: Date.now(),
    outcome: 'Talked pricing',
    dealId: ids.won1,
  })
  expect(call.status, JSON.stringify(call.body)).toBe(201)
  // The other workspace: a big won deal that must never show here.
  const otherSettings = await get<{ pipelines: Pipeline[] }>('/api/settings', outsider.cookie)
  const otherPipeline = otherSettings.body.pipelines[0] as Pipeline
  const theirs = await post<{ id: string }>(
    '/api/deals',
    {
      pipelineId: otherPipeline.id,
      title: 'Theirs',
      stageId: (otherPipeline.stages.find((s) => s.outcome === 'won') as Stage).id,
      amount: 99_999,
      currency: 'USD',
    },
    outsider.cookie,
  )
  expect(theirs.status).toBe(201)
  ids.theirs = theirs.body.id
}, 60_000)
afterAll(() => started?.stop())

/** A report once the index holds every write above (the worker applies asynchronously). */
async function report(id: string, query = '', cookie = sales.cookie): Promise<Report> {
  const answer = await get<Report>(`/api/reports/${id}${query ? `?${query}` : ''}`, cookie)
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body
}

describe('GET /api/reports', () => {
  it('lists every report with its family and chart', async () => {
    const list = await get<{ reports: Array<{ id: string; family: string; chart: string; title: string }> }>(
      '/api/reports',
    )
    expect(list.status).toBe(200)
    expect(list.body.reports.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'sales.pipeline',
        'sales.funnel',
        'leads.bySource',
        'service.times',
        'customers.handoffs',
      ]),
    )
    for (const r of list.body.reports) {
      expect(['sales', 'leads', 'service', 'customers']).toContain(r.family)
      expect(['bar', 'line', 'pie', 'funnel', 'table']).toContain(r.chart)
    }
    expect((await api(started.url, '/api/reports')).status).toBe(401)
  })

  it('a read API token reads reports and drill-downs of its own workspace', async () => {
    const token = await post<{ token: string }>('/api/api-tokens', { name: 'Reports', scope: 'read' })
    expect(token.status, JSON.stringify(token.body)).toBe(201)
    const byToken = await api<Report>(started.url, '/api/reports/customers.byTier', {
      bearer: token.body.token,
    })
    expect(byToken.status).toBe(200)
    expect(byToken.body.rows.map((r) => r.key)).toEqual(['strategic'])
    const drill = await api<Drill>(started.url, '/api/reports/customers.byTier/rows/strategic/records', {
      bearer: token.body.token,
    })
    expect(drill.body).toMatchObject({
      kind: 'accounts',
      total: 1,
      items: [{ id: ids.account, label: 'Acme' }],
    })
  })
})

describe('figures over the index', () => {
  it('pipeline by stage: open deals per stage, per currency without rates', async () => {
    // Two pipelines in the workspace: without pipelineId rows are `<pipelineId>:<stageId>`.
    const key = (name: string) => `${pipeline.id}:${stage(name).id}~USD`
    await expect
      .poll(async () => rowOf(await report('sales.pipeline'), key('Proposal'))?.values.deals)
      .toBe(1)
    const pipelineReport = await report('sales.pipeline')
    expect(pipelineReport.currency).toEqual({ base: null, converted: false })
    expect(rowOf(pipelineReport, key('Lead'))).toEqual({
      key: key('Lead'),
      label: 'Sales / Lead (USD)',
      currency: 'USD',
      values: { stage: 'Sales / Lead', deals: 1, total: 200, weighted: 200 * stage('Lead').probability },
    })
    expect(rowOf(pipelineReport, key('Proposal'))?.values).toMatchObject({
      deals: 1,
      total: 300,
      weighted: 150,
    })
    expect(pipelineReport.rows).toHaveLength(2)
    // One pipeline: rows are its stage ids.
    const one = await report('sales.pipeline', `pipelineId=${pipeline.id}`)
    expect(one.rows.map((r) => r.key)).toEqual([`${stage('Lead').id}~USD`, `${stage('Proposal').id}~USD`])
  })

  it('with rates, money converts to the base currency: one row per group', async () => {
    await serverWrite(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
      setCurrency(doc, { base: 'USD', rates: { EUR: 2 } }, 'setup')
    })
    const revenue = await report('leads.revenueBySource')
    expect(revenue.currency).toEqual({ base: 'USD', converted: true })
    // Won one (USD 1000, web contact) and Won two (EUR 500 = USD 1000, event contact).
    expect(revenue.rows.map((r) => [r.key, r.values.deals, r.values.revenue, r.currency])).toEqual([
      ['event', 1, 1000, 'USD'],
      ['web', 1, 1000, 'USD'],
    ])
    await serverWrite(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
      setCurrency(doc, { base: 'USD', rates: {} }, 'setup')
    })
  })

  it('win rate, lost reasons, funnel from the stage history, leaderboard with activities', async () => {
    const win = await report('sales.winRate')
    const totals = win.rows.reduce(
      (acc, r) => ({ won: acc.won + Number(r.values.won), lost: acc.lost + Number(r.values.lost) }),
      { won: 0, lost: 0 },
    )
    expect(totals).toEqual({ won: 2, lost: 1 })
    const lost = await report('sales.lostReasons')
    expect(lost.rows.map((r) => [r.label, r.values.deals, r.values.amount])).toEqual([
      ['Price (USD)', 1, 700],
    ])
    await expect
      .poll(async () => rowOf(await report('sales.funnel'), stage('Lead').id)?.values.reached)
      .toBe(5)
    const funnel = await report('sales.funnel')
    // Reached (that stage or later): Qualified = won1, lost, open2 (Proposal), won2 (Won); Proposal = won1, open2, won2.
    expect(rowOf(funnel, stage('Qualified').id)?.values.reached).toBe(4)
    expect(rowOf(funnel, stage('Proposal').id)?.values.reached).toBe(3)
    expect(rowOf(funnel, stage('Won').id)?.values.reached).toBe(2)
    expect(rowOf(funnel, stage('Won').id)?.values.conversion).toBe(0.4)
    expect(rowOf(funnel, stage('Lost').id)).toBeUndefined()
    await expect
      .poll(async () => rowOf(await report('sales.leaderboard'), `${sales.id}~USD`)?.values.activities)
      .toBe(1)
    const board = await report('sales.leaderboard')
    expect(rowOf(board, `${sales.id}~USD`)?.values).toMatchObject({
      wonValue: 1000,
      won: 1,
      winRate: 0.5,
      openPipeline: 500,
    })
    expect(rowOf(board, `${sales.id}~EUR`)?.values).toMatchObject({ wonValue: 500, won: 1, winRate: 1 })
  })

  it('service, leads and customer figures', async () => {
    const times = await report('service.times')
    expect(rowOf(times, 'all')?.values.tickets).toBe(2)
    expect(rowOf(times, 'high')?.values.resolutionMedian).not.toBeNull()
    const backlog = await report('service.backlog')
    expect(rowOf(backlog, 'urgent')?.values).toMatchObject({ new: 1, total: 1 })
    expect(rowOf(backlog, 'high')?.values.total).toBe(0)
    const volume = await report('service.volume')
    expect(volume.rows.reduce((s, r) => s + Number(r.values.created), 0)).toBe(2)
    expect(volume.rows.reduce((s, r) => s + Number(r.values.resolved), 0)).toBe(1)
    const leads = await report('leads.conversion')
    expect(leads.rows.map((r) => [r.key, r.values.contacts])).toEqual([
      ['leads', 2],
      ['deal', 2],
      ['won', 2],
    ])
    const tiers = await report('customers.byTier')
    expect(tiers.rows.map((r) => [r.key, r.values.accounts])).toEqual([['strategic', 1]])
    await expect
      .poll(async () =>
        (await report('customers.handoffs')).rows.map((r) => [r.values.sent, r.values.accepted]),
      )
      .toEqual([[1, 1]])
  })

  it('filters: owner, team, period, pipeline', async () => {
    const none = await report('sales.pipeline', `ownerId=${support.id}`)
    expect(none.rows).toEqual([])
    const team = await report('sales.pipeline', 'team=sales')
    expect(team.rows).toHaveLength(2)
    const past = await report('sales.winRate', 'period=custom&from=2001-01-01&to=2001-12-31')
    expect(past.filters).toMatchObject({ period: 'custom', from: '2001-01-01', to: '2001-12-31' })
    expect(past.rows).toEqual([])
    const year = await report('sales.winRate', 'period=year')
    const y = new Date().getUTCFullYear()
    expect(year.filters).toMatchObject({ from: `${y}-01-01`, to: `${y}-12-31` })
    const piped = await report('sales.pipeline', `pipelineId=${pipeline.id}`)
    expect(piped.filters.pipelineId).toBe(pipeline.id)
  })
})

describe('CSV, drill-down, errors, isolation', () => {
  it('CSV holds exactly the JSON figures, with a file name', async () => {
    for (const id of ['sales.pipeline', 'sales.leaderboard', 'service.times', 'leads.bySource']) {
      const json = await report(id)
      const response = await fetch(`${started.url}/api/reports/${id}?format=csv`, {
        headers: { cookie: sales.cookie },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${id}_all.csv"`)
      // A UTF-8 byte order mark first (fetch's text() drops it when decoding).
      const bytes = Buffer.from(await response.arrayBuffer())
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const [header, ...lines] = parse(bytes.toString('utf8'), { bom: true }) as string[][]
      const perCurrency = json.rows.some((r) => r.currency !== undefined)
      expect(header).toEqual([...json.columns.map((c) => c.label), ...(perCurrency ? ['Currency'] : [])])
      expect(lines).toEqual(
        json.rows.map((r) => [
          ...json.columns.map((c) => (r.values[c.key] === null ? '' : String(r.values[c.key]))),
          ...(perCurrency ? [r.currency ?? ''] : []),
        ]),
      )
    }
  })

  it('drill-down returns exactly the records of the row, paged', async () => {
    const lost = await report('sales.lostReasons')
    const row = lost.rows[0] as Row
    const drill = await get<Drill>(
      `/api/reports/sales.lostReasons/rows/${encodeURIComponent(row.key)}/records`,
    )
    expect(drill.status).toBe(200)
    expect(drill.body).toMatchObject({ kind: 'deals', total: 1, nextOffset: null })
    expect(drill.body.items).toEqual([
      expect.objectContaining({
        id: ids.lost,
        label: 'Lost one',
        amount: 700,
        currency: 'USD',
        status: 'lost',
      }),
    ])
    const funnel = await get<Drill>(`/api/reports/sales.funnel/rows/${stage('Proposal').id}/records?limit=2`)
    expect(funnel.body.total).toBe(3)
    expect(funnel.body.items).toHaveLength(2)
    expect(funnel.body.nextOffset).toBe(2)
    const rest = await get<Drill>(`/api/reports/sales.funnel/rows/${stage('Proposal').id}/records?offset=2`)
    expect([...funnel.body.items, ...rest.body.items].map((i) => i.id).sort()).toEqual(
      [ids.won1, ids.won2, ids.open2].sort(),
    )
    const tickets = await get<Drill>('/api/reports/service.backlog/rows/urgent/records')
    expect(tickets.body).toMatchObject({ kind: 'tickets', total: 1, items: [{ id: ids.t2, label: 'Down' }] })
  })

  it('unknown report or row: 404; bad filters: 400 invalid_input, in plain words', async () => {
    const unknown = await get<{ error: { code: string; message: string } }>('/api/reports/sales.nope')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toMatch(/no report sales\.nope/)
    const row = await get<{ error: { message: string } }>('/api/reports/sales.pipeline/rows/zzz/records')
    expect(row.status).toBe(404)
    expect(row.body.error.message).toMatch(/has no row zzz/)
    for (const query of [
      'period=week',
      'period=custom&from=2026-01-01',
      'period=custom&from=2026-02-01&to=2026-01-01',
      'period=month&from=2026-01-01&to=2026-01-31',
      'period=custom&from=2026-02-30&to=2026-03-01',
      'team=marketing',
      'pipelineId=pip_unknown',
      'format=xml',
    ]) {
      const bad = await get<{ error: { code: string; message: string } }>(
        `/api/reports/sales.pipeline?${query}`,
      )
      expect(bad.status, query).toBe(400)
      expect(bad.body.error.code, query).toBe('invalid_input')
      expect(bad.body.error.message.length, query).toBeGreaterThan(5)
    }
  })

  it("another workspace's records never appear, and theirs never show ours", async () => {
    for (const id of ['sales.winRate', 'sales.leaderboard', 'customers.revenue', 'leads.revenueBySource']) {
      const ours = await report(id)
      expect(JSON.stringify(ours)).not.toContain('99999')
    }
    const theirs = await report('sales.winRate', '', outsider.cookie)
    expect(theirs.rows.map((r) => [r.values.won, r.values.lost])).toEqual([[1, 0]])
    const row = theirs.rows[0] as Row
    const drill = await get<Drill>(
      `/api/reports/sales.winRate/rows/${encodeURIComponent(row.key)}/records`,
      outsider.cookie,
    )
    expect(drill.body.items.map((i) => i.id)).toEqual([ids.theirs])
    // Our row key asked in their workspace finds only their records.
    const mine = await get<Drill>(`/api/reports/sales.winRate/rows/${encodeURIComponent(row.key)}/records`)
    expect(mine.body.items.map((i) => i.id)).not.toContain(ids.theirs)
  })
})
