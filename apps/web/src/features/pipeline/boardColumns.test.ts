import { describe, expect, it } from 'vitest'
import { type BoardDeal, type BoardStage, buildBoard, daysInStage, isStale } from './boardColumns.ts'

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
    expect(lead).toMatchObject({ count: 3, total: 3000, weighted: 300, currency: 'EUR' })
    expect(prop).toMatchObject({ count: 1, total: 500, weighted: 250 })
    expect(won).toMatchObject({ count: 0, total: 0, currency: null })
  })

  it('hides archived deals and keeps deals of a deleted stage in the first column', () => {
    const board = buildBoard(
      [deal('x', 'gone', 'a0'), deal('y', 'prop', 'a0', { archived: true })],
      stages,
      all,
      new Map(),
    )
    expect(board.columns.lead).toEqual(['x'])
    expect(board.columns.prop).toEqual([])
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
