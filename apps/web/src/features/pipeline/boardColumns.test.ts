import { totalsByCurrency } from '@rapport/model'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type BoardDeal,
  type BoardFilter,
  type BoardStage,
  buildBoard,
  daysInStage,
  formatTotals,
  isStale,
  LiveBoard,
} from './boardColumns.ts'

const DAY = 86_400_000
const NOW = 1_700_000_000_000

const stages: BoardStage[] = [
  { id: 'lead', name: 'Lead', probability: 0.1, rotAfterDays: 7, outcome: 'open' },
  { id: 'prop', name: 'Proposal', probability: 0.5, rotAfterDays: 14, outcome: 'open' },
  { id: 'won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
]

function deal(id: string, column: string, key: string, extra: Partial<BoardDeal> = {}): BoardDeal {
  return {
    id,
    title: `Deal ${id}`,
    accountId: null,
    amount: 1000,
    currency: 'EUR',
    ownerId: 'u1',
    position: { column, key },
    status: column === 'won' ? 'won' : 'open',
    stageEnteredAt: NOW - 3 * DAY,
    archived: false,
    ...extra,
  }
}

const all = { ownerId: null, text: '' }

describe('buildBoard', () => {
  it('orders by (key, id), sums totals and weighted values per stage', () => {
    const board = buildBoard(
      [
        deal('b', 'lead', 'a1'),
        deal('a', 'lead', 'a1'),
        deal('c', 'lead', 'a0'),
        deal('d', 'prop', 'a0', { amount: 500 }),
      ],
      stages,
      all,
      new Map(),
    )
    expect(board.columns).toEqual({ lead: ['c', 'a', 'b'], prop: ['d'], won: [] })
    expect(Object.keys(board.columns)).toEqual(['lead', 'prop', 'won'])
    const [lead, prop, won] = board.summaries
    expect(lead).toMatchObject({ count: 3, totals: [{ currency: 'EUR', total: 3000, weighted: 300 }] })
    expect(prop).toMatchObject({ count: 1, totals: [{ currency: 'EUR', total: 500, weighted: 250 }] })
    expect(won).toMatchObject({ count: 0, totals: [] })
  })

  it('never adds amounts of different currencies together', () => {
    const board = buildBoard(
      [
        deal('e1', 'prop', 'a0', { amount: 700_000 }),
        deal('u1', 'prop', 'a1', { amount: 300_000, currency: 'USD' }),
        deal('e2', 'prop', 'a2', { amount: 500_000 }),
        deal('g1', 'prop', 'a3', { amount: 950, currency: 'GBP' }),
      ],
      stages,
      all,
      new Map(),
    )
    const prop = board.summaries[1]
    expect(prop?.totals).toEqual([
      { currency: 'EUR', total: 1_200_000, weighted: 600_000 },
      { currency: 'USD', total: 300_000, weighted: 150_000 },
      { currency: 'GBP', total: 950, weighted: 475 },
    ])
    expect(formatTotals(prop?.totals ?? [], 'total')).toBe('€1.2M · $300K · £950')
    expect(formatTotals(prop?.totals ?? [], 'weighted')).toBe('€600K · $150K · £475')
  })
})

describe('formatTotals', () => {
  it('shows a dash for an empty column and orders ties by currency code', () => {
    expect(formatTotals([], 'total')).toBe('—')
    const totals = totalsByCurrency(
      [
        { amount: 10, currency: 'USD' },
        { amount: 10, currency: 'EUR' },
      ],
      0.333,
    )
    expect(totals.map((t) => t.currency)).toEqual(['EUR', 'USD'])
    expect(totals[0]?.weighted).toBe(3.33)
  })

  it('hides archived deals and places deals of a deleted stage by status (placeDeal)', () => {
    const board = buildBoard(
      [
        deal('x', 'gone', 'a0'),
        deal('w', 'gone', 'a0', { status: 'won' }),
        deal('y', 'prop', 'a0', { archived: true }),
      ],
      stages,
      all,
      new Map(),
    )
    expect(board.columns.lead).toEqual(['x'])
    expect(board.columns.prop).toEqual([])
    expect(board.columns.won).toEqual(['w'])
  })

  it('filters by owner, unassigned and text (title or account name)', () => {
    const deals = [
      deal('1', 'lead', 'a0', { ownerId: 'u1', title: 'Alpha renewal' }),
      deal('2', 'lead', 'a1', { ownerId: 'u2', accountId: 'acc', title: 'Upsell' }),
      deal('3', 'lead', 'a2', { ownerId: null }),
    ]
    const names = new Map([['acc', 'Globex']])
    expect(buildBoard(deals, stages, { ownerId: 'u2', text: '' }, names).columns.lead).toEqual(['2'])
    expect(buildBoard(deals, stages, { ownerId: 'none', text: '' }, names).columns.lead).toEqual(['3'])
    expect(buildBoard(deals, stages, { ownerId: null, text: 'globex' }, names).columns.lead).toEqual(['2'])
    expect(buildBoard(deals, stages, { ownerId: null, text: 'ALPHA' }, names).columns.lead).toEqual(['1'])
  })
})

describe('stale deals', () => {
  it('counts whole days and flags open stages past rotAfterDays only', () => {
    expect(daysInStage({ stageEnteredAt: NOW - 8 * DAY - 1 }, NOW)).toBe(8)
    expect(isStale({ stageEnteredAt: NOW - 8 * DAY }, stages[0], NOW)).toBe(true)
    expect(isStale({ stageEnteredAt: NOW - 7 * DAY }, stages[0], NOW)).toBe(false)
    expect(isStale({ stageEnteredAt: NOW - 400 * DAY }, stages[2], NOW)).toBe(false)
  })
})

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20261206

describe('LiveBoard', () => {
  const owners = ['u1', 'u2', null] as const
  const columnIds = ['lead', 'prop', 'won', 'gone'] as const
  const op = fc.oneof(
    // Set (add or replace) deal `n` with a position, status, owner, amount and archived flag drawn here.
    fc.record({
      kind: fc.constant('set' as const),
      n: fc.nat(40),
      column: fc.constantFrom(...columnIds),
      key: fc.constantFrom('a0', 'a1', 'a2', 'a3', 'a1V'),
      status: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
      owner: fc.constantFrom(...owners),
      amount: fc.nat(5000),
      currency: fc.constantFrom('EUR', 'USD'),
      archived: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('remove' as const), n: fc.nat(40) }),
    fc.record({
      kind: fc.constant('filter' as const),
      owner: fc.constantFrom(null, 'none', 'u1'),
      text: fc.constantFrom('', 'deal 1', 'acme'),
    }),
    fc.record({ kind: fc.constant('stages' as const) }),
    fc.record({ kind: fc.constant('names' as const) }),
  )
  it('equals buildBoard after every change (seeded property)', () => {
    fc.assert(
      fc.property(fc.nat(60), fc.array(op, { maxLength: 60 }), (initial, ops) => {
        let deals = new Map<string, BoardDeal>()
        for (let i = 0; i < initial; i++) {
          const d = deal(`d${i}`, columnIds[i % 3] as string, `a${i % 4}`, { ownerId: owners[i % 3] ?? null })
          deals.set(d.id, d)
        }
        let filter: BoardFilter = { ownerId: null, text: '' }
        let currentStages: BoardStage[] = stages
        let names: ReadonlyMap<string, string> = new Map([['acc1', 'Acme']])
        const live = new LiveBoard()
        expect(live.build(deals, currentStages, filter, names)).toEqual(
          buildBoard(deals.values(), currentStages, filter, names),
        )
        for (const o of ops) {
          if (o.kind === 'set') {
            deals = new Map(deals).set(
              `d${o.n}`,
              deal(`d${o.n}`, o.column, o.key, {
                status: o.status,
                ownerId: o.owner,
                amount: o.amount,
                currency: o.currency,
                archived: o.archived,
                accountId: o.n % 2 === 0 ? 'acc1' : null,
              }),
            )
          } else if (o.kind === 'remove') {
            deals = new Map(deals)
            deals.delete(`d${o.n}`)
          } else if (o.kind === 'filter') {
            filter = { ownerId: o.owner, text: o.text }
          } else if (o.kind === 'stages') {
            currentStages = currentStages.length === 3 ? stages.slice(0, 2) : stages
          } else {
            names = new Map([['acc1', names.get('acc1') === 'Acme' ? 'Globex' : 'Acme']])
          }
          const board = live.build(deals, currentStages, filter, names)
          expect(board).toEqual(buildBoard(deals.values(), currentStages, filter, names))
        }
      }),
      { seed: SEED, numRuns: LONG ? 3000 : 200 },
    )
  })

  it('re-places only what changed: other columns and their figures keep their objects', () => {
    const deals = new Map<string, BoardDeal>()
    for (let i = 0; i < 1000; i++) {
      const d = deal(`d${i}`, i % 2 === 0 ? 'lead' : 'prop', `a${i}`)
      deals.set(d.id, d)
    }
    const live = new LiveBoard()
    const names = new Map<string, string>()
    const before = live.build(deals, stages, all, names)
    const moved = new Map(deals).set('d0', deal('d0', 'won', 'a0'))
    const after = live.build(moved, stages, all, names)
    expect(after.columns.prop).toBe(before.columns.prop)
    expect(after.summaries[1]).toBe(before.summaries[1])
    expect(after.columns.lead).not.toContain('d0')
    expect(after.columns.won).toEqual(['d0'])
    expect(after.summaries[2]).toMatchObject({ count: 1 })
    // Nothing changed: the same board.
    expect(live.build(moved, stages, all, names)).toBe(after)
  })
})
