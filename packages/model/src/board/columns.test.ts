import { describe, expect, it } from 'vitest'
import { Deal } from '../records/deal.ts'
import type { Pipeline } from '../records/workspaceSettings.ts'
import { BoardSnapshot, buildBoardSnapshot } from './boardSnapshot.ts'
import { type BoardRecord, layoutBoard } from './columns.ts'

const COLUMNS = ['lead', 'prop', 'won'] as const

function rec(id: string, column: string, key: string, archived = false): BoardRecord {
  return { id, position: { column, key }, archived }
}

describe('layoutBoard', () => {
  it('orders by (key, id), hides archived and filtered records, keeps unknown columns reachable', () => {
    const layout = layoutBoard(
      [
        rec('b', 'lead', 'a1'),
        rec('a', 'lead', 'a1'),
        rec('c', 'lead', 'a0'),
        rec('x', 'gone', 'a5'),
        rec('y', 'prop', 'a0', true),
        rec('z', 'prop', 'a1'),
        rec('skip', 'won', 'a0'),
      ],
      COLUMNS,
      (r) => r.id !== 'skip',
    )
    expect(layout.columns).toEqual({ lead: ['c', 'a', 'b', 'x'], prop: ['z'], won: [] })
    expect(Object.keys(layout.columns)).toEqual(['lead', 'prop', 'won'])
    expect(layout.keys.x).toBe('a5')
    expect(layout.records.lead?.map((r) => r.id)).toEqual(['c', 'a', 'b', 'x'])
  })
})

const PIPELINE: Pipeline = {
  id: 'pipe_sales',
  name: 'Sales',
  key: 'a0',
  stages: [
    { id: 'lead', name: 'Lead', probability: 0.1, rotAfterDays: 7, outcome: 'open' },
    { id: 'prop', name: 'Proposal', probability: 0.5, rotAfterDays: null, outcome: 'open' },
    { id: 'won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
  ],
}

function deal(id: string, column: string, key: string, extra: Partial<Deal> = {}): Deal {
  return Deal.parse({
    id,
    pipelineId: PIPELINE.id,
    title: `Deal ${id}`,
    accountId: 'acc_1',
    contactIds: [],
    amount: 100,
    currency: 'EUR',
    ownerId: null,
    expectedCloseDate: null,
    status: column === 'won' ? 'won' : 'open',
    lostReason: null,
    position: { column, key },
    stageEnteredAt: 1,
    createdAt: 1,
    updatedAt: 1,
    archived: false,
    ...extra,
  })
}

describe('buildBoardSnapshot', () => {
  const deals = [
    deal('d3', 'lead', 'a2'),
    deal('d1', 'lead', 'a0'),
    deal('d2', 'lead', 'a1', { amount: 50, currency: 'USD', accountId: 'acc_2' }),
    deal('d4', 'prop', 'a0', { archived: true }),
    deal('d5', 'gone', 'a0'),
  ]
  const names = new Map([
    ['acc_1', 'Acme'],
    ['acc_2', 'Globex'],
  ])

  it('keeps the first cards of each column in board order, with figures over the whole column', () => {
    const snapshot = buildBoardSnapshot(PIPELINE, deals, (id) => names.get(id), 2)
    expect(BoardSnapshot.parse(snapshot)).toEqual(snapshot)
    const lead = snapshot.columns[0]
    expect(lead?.deals.map((d) => d.id)).toEqual(['d1', 'd5'])
    expect(lead?.count).toBe(4)
    expect(lead?.totals).toEqual([
      { currency: 'EUR', total: 300, weighted: 30 },
      { currency: 'USD', total: 50, weighted: 5 },
    ])
    expect(snapshot.columns.map((c) => c.stageId)).toEqual(['lead', 'prop', 'won'])
    expect(snapshot.columns[1]).toMatchObject({ count: 0, deals: [], totals: [] })
    expect(snapshot.accountNames).toEqual({ acc_1: 'Acme' })
  })
})
