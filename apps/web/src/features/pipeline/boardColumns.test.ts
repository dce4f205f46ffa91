import { totalsByCurrency } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import {
  type BoardDeal,
  type BoardStage,
  buildBoard,
  daysInStage,
  formatTotals,
  isStale,
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
