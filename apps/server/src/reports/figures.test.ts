import type { Pipeline } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import type {
  AccountFact,
  AppliedFilters,
  ContactFact,
  DealFact,
  ReportContext,
  ReportFacts,
  TicketFact,
} from './facts.ts'
import { type Figures, percentile, reportById, textKey } from './figures.ts'
import { applyFilters, resolvePeriod, weekOf } from './filters.ts'

/*
 * Each figure against a small fixture whose expected values are computed by hand (in the comments). Times are UTC;
 * "now" is 2026-03-15.
 */

const day = (s: string, hours = 0) => Date.parse(`${s}T00:00:00Z`) + hours * 3_600_000
const NOW = day('2026-03-15')

const P: Pipeline = {
  id: 'P',
  name: 'Sales',
  key: 'a0',
  stages: [
    { id: 's1', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
    { id: 's2', name: 'Proposal', probability: 0.5, rotAfterDays: null, outcome: 'open' },
    { id: 'won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
    { id: 'lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
  ],
}

const deal = (id: string, fields: Partial<DealFact>): DealFact => ({
  id,
  title: id,
  pipelineId: 'P',
  stage: 's1',
  status: 'open',
  amount: 0,
  currency: 'USD',
  ownerId: null,
  accountId: null,
  contactIds: [],
  createdAt: day('2026-01-01'),
  stageEnteredAt: day('2026-01-01'),
  expectedCloseDate: null,
  lostReason: null,
  ...fields,
})
const DEALS: DealFact[] = [
  deal('d1', { amount: 100, ownerId: 'u1', createdAt: day('2026-01-10'), expectedCloseDate: '2026-03-20' }),
  deal('d2', {
    stage: 's2',
    amount: 200,
    ownerId: 'u2',
    createdAt: day('2026-02-01'),
    expectedCloseDate: '2026-03-05',
  }),
  deal('d3', {
    stage: 'won',
    status: 'won',
    amount: 1000,
    ownerId: 'u1',
    accountId: 'a1',
    contactIds: ['c1'],
    createdAt: day('2026-01-01'),
    stageEnteredAt: day('2026-01-11'),
    expectedCloseDate: '2026-01-31',
  }),
  deal('d4', {
    stage: 'won',
    status: 'won',
    amount: 500,
    currency: 'EUR',
    ownerId: 'u2',
    contactIds: ['nobody', 'c2'],
    createdAt: day('2026-02-01'),
    stageEnteredAt: day('2026-02-21'),
    expectedCloseDate: '2026-03-10',
  }),
  deal('d5', {
    stage: 'lost',
    status: 'lost',
    amount: 300,
    ownerId: 'u1',
    createdAt: day('2026-01-20'),
    stageEnteredAt: day('2026-02-10'),
    lostReason: 'Price',
  }),
]
const h = (dealId: string, seq: number, fromStage: string | null, toStage: string, at: string) => ({
  dealId,
  pipelineId: 'P',
  fromStage,
  toStage,
  at: day(at),
  seq,
})
const HISTORY = [
  h('d1', 1, null, 's1', '2026-01-10'),
  h('d2', 2, null, 's1', '2026-02-01'),
  h('d2', 3, 's1', 's2', '2026-02-05'),
  h('d3', 4, null, 's1', '2026-01-01'),
  h('d3', 5, 's1', 's2', '2026-01-05'),
  h('d3', 6, 's2', 'won', '2026-01-11'),
  h('d4', 7, null, 's1', '2026-02-01'),
  h('d4', 8, 's1', 'won', '2026-02-21'),
  h('d5', 9, null, 's1', '2026-01-20'),
  h('d5', 10, 's1', 'lost', '2026-02-10'),
]
const contact = (id: string, fields: Partial<ContactFact>): ContactFact => ({
  id,
  name: id,
  source: 'web',
  leadStatus: 'new',
  ownerId: null,
  createdAt: day('2026-01-01'),
  ...fields,
})
const CONTACTS = [
  contact('c1', { leadStatus: 'qualified', ownerId: 'u1', createdAt: day('2026-01-05') }),
  contact('c2', { source: 'event', ownerId: 'u2', createdAt: day('2026-02-05') }),
  contact('c3', { createdAt: day('2026-03-01') }),
]
const ticket = (id: string, fields: Partial<TicketFact>): TicketFact => ({
  id,
  subject: id,
  status: 'new',
  priority: 'normal',
  assigneeId: null,
  accountId: null,
  createdAt: day('2026-03-01'),
  firstResponseAt: null,
  resolvedAt: null,
  slaDueAt: null,
  csat: null,
  ...fields,
})
const TICKETS = [
  ticket('t1', {
    status: 'resolved',
    priority: 'high',
    accountId: 'a1',
    createdAt: day('2026-03-02'),
    firstResponseAt: day('2026-03-02', 2),
    resolvedAt: day('2026-03-02', 10),
    slaDueAt: day('2026-03-02', 24),
    csat: 5,
  }),
  ticket('t2', {
    status: 'resolved',
    priority: 'high',
    accountId: 'a1',
    createdAt: day('2026-03-03'),
    firstResponseAt: day('2026-03-03', 4),
    resolvedAt: day('2026-03-03', 30),
    slaDueAt: day('2026-03-03', 24),
    csat: 3,
  }),
  ticket('t3', {
    status: 'open',
    priority: 'urgent',
    createdAt: day('2026-03-09'),
    slaDueAt: day('2026-03-09', 4),
  }),
  ticket('t4', { status: 'new', priority: 'low', createdAt: day('2026-03-10') }),
]
const ACCOUNTS: AccountFact[] = [
  {
    id: 'a1',
    name: 'Acme',
    tier: 'strategic',
    industry: 'Retail',
    ownerId: 'u1',
    createdAt: day('2026-01-01'),
  },
  { id: 'a2', name: 'Beta', tier: 'growth', industry: '', ownerId: null, createdAt: day('2026-01-02') },
]
const FACTS: ReportFacts = {
  deals: DEALS,
  tickets: TICKETS,
  accounts: ACCOUNTS,
  contacts: CONTACTS,
  stageHistory: HISTORY,
  handoffs: [
    {
      id: 'h1',
      accountId: 'a1',
      dealId: 'd3',
      status: 'accepted',
      fromUserId: 'u1',
      toUserId: 'u3',
      createdAt: day('2026-01-30'),
      sentAt: day('2026-02-01'),
      acceptedAt: day('2026-02-04'),
    },
    {
      id: 'h2',
      accountId: 'a2',
      dealId: null,
      status: 'returned',
      fromUserId: 'u2',
      toUserId: null,
      createdAt: day('2026-02-09'),
      sentAt: day('2026-02-10'),
      acceptedAt: null,
    },
    {
      id: 'h3',
      accountId: 'a2',
      dealId: null,
      status: 'draft',
      fromUserId: 'u2',
      toUserId: null,
      createdAt: day('2026-02-11'),
      sentAt: null,
      acceptedAt: null,
    },
  ],
  activities: [
    { id: 'x1', accountId: 'a1', type: 'call', at: day('2026-02-01'), actorId: 'u1', dealId: 'd3' },
    { id: 'x2', accountId: 'a1', type: 'email', at: day('2026-02-02'), actorId: 'u1', dealId: null },
    { id: 'x3', accountId: 'a2', type: 'meeting', at: day('2026-02-03'), actorId: 'u3', dealId: null },
  ],
}

const MEMBERS = [
  { userId: 'u1', name: 'Ann', team: 'sales' as const },
  { userId: 'u2', name: 'Bob', team: 'sales' as const },
  { userId: 'u3', name: 'Cid', team: 'support' as const },
]
const ALL: AppliedFilters = {
  period: 'all',
  from: null,
  to: null,
  pipelineId: null,
  ownerId: null,
  team: null,
}
const ctx = (filters: Partial<AppliedFilters> = {}, rates = false): ReportContext => ({
  filters: { ...ALL, ...filters },
  pipelines: [P],
  currency: rates ? { base: 'USD', rates: { EUR: 2 } } : null,
  members: MEMBERS,
  now: NOW,
})
const run = (id: string, c: ReportContext = ctx()): Figures => {
  const def = reportById(id)
  if (!def) throw new Error(id)
  return def.compute(FACTS, c)
}
const values = (f: Figures) => Object.fromEntries(f.rows.map((r) => [r.key, r.values]))

describe('sales figures', () => {
  it('pipeline by stage: count, total, weighted; per currency without rates, converted with', () => {
    const plain = run('sales.pipeline')
    // d1 in Lead (100 × 0.1 = 10), d2 in Proposal (200 × 0.5 = 100).
    expect(plain.rows).toEqual([
      {
        key: 's1~USD',
        label: 'Lead (USD)',
        currency: 'USD',
        values: { stage: 'Lead', deals: 1, total: 100, weighted: 10 },
      },
      {
        key: 's2~USD',
        label: 'Proposal (USD)',
        currency: 'USD',
        values: { stage: 'Proposal', deals: 1, total: 200, weighted: 100 },
      },
    ])
    expect(plain.members.get('s1~USD')).toEqual(['d1'])
    expect(run('sales.pipeline', ctx({}, true)).rows.map((r) => [r.key, r.currency])).toEqual([
      ['s1', 'USD'],
      ['s2', 'USD'],
    ])
    expect(run('sales.pipeline', ctx({ ownerId: 'u2' })).rows.map((r) => r.key)).toEqual(['s2~USD'])
    expect(run('sales.pipeline', ctx({ team: 'support' })).rows).toEqual([])
  })

  it('forecast by expected close month: weighted (open), best case (open + won), closed won', () => {
    // Jan: d3 won 1000. Mar: d1 10 + d2 100 weighted; best 100 + 200 + d4 (500 EUR = 1000 USD); won 1000.
    expect(values(run('sales.forecast', ctx({}, true)))).toEqual({
      '2026-01': { month: '2026-01', weighted: 0, bestCase: 1000, closedWon: 1000 },
      '2026-03': { month: '2026-03', weighted: 110, bestCase: 1300, closedWon: 1000 },
    })
  })

  it('win rate, average won deal and sales cycle per month of closing', () => {
    // Jan: d3 won after 10 days. Feb: d4 won (1000 USD) after 20 days, d5 lost.
    expect(values(run('sales.winRate', ctx({}, true)))).toEqual({
      '2026-01': { month: '2026-01', won: 1, lost: 0, winRate: 1, avgDealSize: 1000, cycleDays: 10 },
      '2026-02': { month: '2026-02', won: 1, lost: 1, winRate: 0.5, avgDealSize: 1000, cycleDays: 20 },
    })
    // This month (March) nothing closed.
    expect(run('sales.winRate', ctx(applyFilters({ period: 'month' }, NOW))).rows).toEqual([])
  })

  it('funnel and average days in stage from the stage history', () => {
    const funnel = run('sales.funnel')
    // Reached: Lead all 5; Proposal d2, d3, d4 (won is later); Won d3, d4. Lost is no step.
    // Days in Lead: d1 64 (open: until now), d2 4, d3 4, d4 20, d5 21 → 22.6. Proposal: d2 38 (until now), d3 6 → 22.
    expect(values(funnel)).toEqual({
      s1: { stage: 'Lead', reached: 5, conversion: 1, avgDays: 22.6 },
      s2: { stage: 'Proposal', reached: 3, conversion: 0.6, avgDays: 22 },
      won: { stage: 'Won', reached: 2, conversion: 0.4, avgDays: null },
    })
    expect(funnel.members.get('s2')).toEqual(['d2', 'd3', 'd4'])
  })

  it('lost reasons', () => {
    expect(run('sales.lostReasons').rows).toEqual([
      {
        key: 'Price~USD',
        label: 'Price (USD)',
        currency: 'USD',
        values: { reason: 'Price', deals: 1, amount: 300 },
      },
    ])
  })

  it('leaderboard: won value, win rate, open pipeline, activities', () => {
    // Ann: won d3 1000, closed d3 + d5 → 0.5, open d1 100, 2 activities. Bob: d4 = 1000 USD, 1/1, open d2 200.
    // Cid: no deals, one activity.
    const board = run('sales.leaderboard', ctx({}, true))
    expect(board.rows.map((r) => [r.key, r.values])).toEqual([
      ['u1', { owner: 'Ann', wonValue: 1000, won: 1, winRate: 0.5, openPipeline: 100, activities: 2 }],
      ['u2', { owner: 'Bob', wonValue: 1000, won: 1, winRate: 1, openPipeline: 200, activities: 0 }],
      ['u3', { owner: 'Cid', wonValue: 0, won: 0, winRate: null, openPipeline: 0, activities: 1 }],
    ])
    expect(board.members.get('u1')).toEqual(['d1', 'd3', 'd5'])
    expect(board.members.get('u3')).toEqual([])
  })
})

describe('lead figures', () => {
  it('by source and status, conversion, revenue by source', () => {
    expect(values(run('leads.bySource'))).toEqual({
      event: {
        source: 'event',
        contacts: 1,
        new: 1,
        contacted: 0,
        qualified: 0,
        unqualified: 0,
        customer: 0,
      },
      web: { source: 'web', contacts: 2, new: 1, contacted: 0, qualified: 1, unqualified: 0, customer: 0 },
    })
    // c1 on d3 (won), c2 on d4 (won), c3 on none.
    expect(values(run('leads.conversion'))).toEqual({
      leads: { step: 'Leads', contacts: 3, conversion: 1 },
      deal: { step: 'On a deal', contacts: 2, conversion: 0.6667 },
      won: { step: 'On a won deal', contacts: 2, conversion: 0.6667 },
    })
    // d4's first contact that exists is c2 (event).
    expect(run('leads.revenueBySource', ctx({}, true)).rows.map((r) => [r.key, r.values])).toEqual([
      ['event', { source: 'event', deals: 1, revenue: 1000 }],
      ['web', { source: 'web', deals: 1, revenue: 1000 }],
    ])
  })
})

describe('service figures', () => {
  it('times: median and p90 (nearest rank), SLA compliance, CSAT per priority and all', () => {
    const times = values(run('service.times'))
    // First response 2 h and 4 h; resolution 10 h and 30 h. SLA: t1 met, t2 late, t3 overdue (open) → 1 of 3.
    expect(times.all).toEqual({
      priority: 'All',
      tickets: 4,
      firstResponseMedian: 2,
      firstResponseP90: 4,
      resolutionMedian: 10,
      resolutionP90: 30,
      slaMet: 0.3333,
      csat: 4,
    })
    expect(times.high).toMatchObject({ tickets: 2, slaMet: 0.5, csat: 4 })
    expect(times.urgent).toMatchObject({ tickets: 1, firstResponseMedian: null, slaMet: 0, csat: null })
    expect(times.normal).toMatchObject({ tickets: 0, slaMet: null })
  })

  it('volume per week, backlog, CSAT distribution, tickets per account', () => {
    expect(values(run('service.volume'))).toEqual({
      '2026-03-02': { week: '2026-03-02', created: 2, resolved: 2 },
      '2026-03-09': { week: '2026-03-09', created: 2, resolved: 0 },
    })
    const backlog = values(run('service.backlog'))
    expect(backlog.urgent).toEqual({ priority: 'urgent', new: 0, open: 1, waiting: 0, total: 1 })
    expect(backlog.low).toEqual({ priority: 'low', new: 1, open: 0, waiting: 0, total: 1 })
    expect(backlog.high?.total).toBe(0)
    const csat = values(run('service.csat'))
    expect([csat['5'], csat['3'], csat['1']]).toEqual([
      { score: '5', tickets: 1, share: 0.5 },
      { score: '3', tickets: 1, share: 0.5 },
      { score: '1', tickets: 0, share: 0 },
    ])
    expect(run('service.byAccount').rows.map((r) => [r.key, r.values])).toEqual([
      ['-', { account: 'No account', tickets: 2, open: 2, resolved: 0 }],
      ['a1', { account: 'Acme', tickets: 2, open: 0, resolved: 2 }],
    ])
    // Assignee filter: nobody is assigned.
    expect(run('service.backlog', ctx({ ownerId: 'u1' })).rows.every((r) => r.values.total === 0)).toBe(true)
  })
})

describe('customer figures', () => {
  it('accounts by tier, industry and owner; revenue per account; handoffs', () => {
    expect(run('customers.byTier').rows.map((r) => [r.key, r.values.accounts])).toEqual([
      ['growth', 1],
      ['strategic', 1],
    ])
    expect(run('customers.byIndustry').rows.map((r) => [r.key, r.label])).toEqual([
      ['-', 'None'],
      ['Retail', 'Retail'],
    ])
    expect(run('customers.byOwner').rows.map((r) => [r.key, r.label])).toEqual([
      ['-', 'Unassigned'],
      ['u1', 'Ann'],
    ])
    expect(run('customers.revenue', ctx({}, true)).rows.map((r) => [r.key, r.values])).toEqual([
      ['-', { account: 'No account', deals: 1, revenue: 1000 }],
      ['a1', { account: 'Acme', deals: 1, revenue: 1000 }],
    ])
    // Sent in Feb: h1 (accepted after 3 days), h2 (returned); h3 is a draft.
    const handoffs = run('customers.handoffs')
    expect(values(handoffs)).toEqual({
      '2026-02': { month: '2026-02', sent: 2, accepted: 1, returned: 1, daysToAccept: 3 },
    })
    expect(handoffs.members.get('2026-02')).toEqual(['a1', 'a2'])
    expect(run('customers.handoffs', ctx({ ownerId: 'u1' })).rows[0]?.values.sent).toBe(1)
  })
})

describe('helpers', () => {
  it('percentile is nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull()
    expect(percentile([5], 0.9)).toBe(5)
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9)
  })

  it('periods are calendar days in UTC; bad periods are plain 400s', () => {
    expect(resolvePeriod('month', NOW)).toEqual({ from: '2026-03-01', to: '2026-03-31' })
    expect(resolvePeriod('quarter', NOW)).toEqual({ from: '2026-01-01', to: '2026-03-31' })
    expect(resolvePeriod('year', NOW)).toEqual({ from: '2026-01-01', to: '2026-12-31' })
    expect(resolvePeriod('custom', NOW, '2026-02-01', '2026-02-28')).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
    })
    expect(() => resolvePeriod('custom', NOW, '2026-03-01')).toThrow(/needs both from and to/)
    expect(() => resolvePeriod('custom', NOW, '2026-03-02', '2026-03-01')).toThrow(/is after/)
    expect(weekOf(day('2026-03-08'))).toBe('2026-03-02')
    expect(weekOf(day('2026-03-09'))).toBe('2026-03-09')
  })

  it('row keys of free texts stay URL-plain', () => {
    expect(textKey('Price')).toBe('Price')
    expect(textKey('Too expensive / no budget')).toMatch(/^h[0-9a-f]{12}$/)
  })
})
