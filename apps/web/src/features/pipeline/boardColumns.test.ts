import { moveByKeyboard, resolveDrop } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import {
  applyPosition,
  type BoardDeal,
  type BoardStage,
  buildBoard,
  daysInStage,
  dropTargetFor,
  isStale,
  moveInColumns,
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

describe('optimistic drag', () => {
  const board = buildBoard(
    [deal('a', 'lead', 'a0'), deal('b', 'lead', 'a1'), deal('c', 'lead', 'a2'), deal('d', 'prop', 'a0')],
    stages,
    all,
    new Map(),
  )

  it('moves locally without touching the input', () => {
    const moved = moveInColumns(board.columns, 'a', 'prop', 1)
    expect(moved).toEqual({ lead: ['b', 'c'], prop: ['d', 'a'], won: [] })
    expect(board.columns.lead).toEqual(['a', 'b', 'c'])
  })

  it('turns the optimistic order into the drop resolveDrop commits', () => {
    const cases: Array<[string, string, number, string[]]> = [
      ['a', 'lead', 2, ['b', 'c', 'a']],
      ['c', 'lead', 0, ['c', 'a', 'b']],
      ['b', 'prop', 0, ['b', 'd']],
      ['b', 'won', 0, ['b']],
    ]
    for (const [id, column, index, expected] of cases) {
      const optimistic = moveInColumns(board.columns, id, column, index)
      const target = dropTargetFor(optimistic, id)
      expect(target).not.toBeNull()
      if (!target) continue
      const position = resolveDrop({ columns: board.columns, keys: board.keys, activeId: id, ...target })
      expect(position?.column).toBe(column)
      if (!position) continue
      expect(applyPosition(board, id, position).columns[column]).toEqual(expected)
    }
  })

  it('dropping where the card already is resolves to no write', () => {
    const target = dropTargetFor(board.columns, 'b')
    expect(target).not.toBeNull()
    if (target)
      expect(resolveDrop({ columns: board.columns, keys: board.keys, activeId: 'b', ...target })).toBeNull()
  })

  it('keyboard moves chain locally across columns', () => {
    let local = { columns: board.columns, keys: board.keys }
    for (const dir of ['right', 'right', 'up'] as const) {
      const p = moveByKeyboard(local.columns, local.keys, 'b', dir)
      if (p) local = applyPosition(local, 'b', p)
    }
    expect(local.columns.won).toEqual(['b'])
    expect(local.columns.lead).toEqual(['a', 'c'])
  })
})
