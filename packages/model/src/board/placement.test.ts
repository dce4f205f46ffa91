import { describe, expect, it } from 'vitest'
import type { Stage } from '../records/workspaceSettings.ts'
import { type BoardRecord, layoutBoard } from './columns.ts'
import { dealRepair, layoutDeals, type PlaceableDeal, placeDeal } from './placement.ts'

const STAGES: Stage[] = [
  { id: 'lead', name: 'Lead', probability: 0.1, rotAfterDays: 7, outcome: 'open' },
  { id: 'prop', name: 'Proposal', probability: 0.5, rotAfterDays: null, outcome: 'open' },
  { id: 'won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
  { id: 'lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
]

type TestDeal = BoardRecord & PlaceableDeal & { pipelineId: string }

function deal(id: string, column: string, status: TestDeal['status'], key = 'a0'): TestDeal {
  return { id, pipelineId: 'p1', position: { column, key }, status, archived: false }
}

describe('placeDeal', () => {
  it('keeps a deal in its column when that is a stage of the pipeline, whatever its status', () => {
    expect(placeDeal(deal('d', 'prop', 'open'), STAGES)).toBe('prop')
    expect(placeDeal(deal('d', 'won', 'open'), STAGES)).toBe('won')
    expect(placeDeal(deal('d', 'lead', 'lost'), STAGES)).toBe('lead')
  })

  it('places a deal of an unknown column by its status: first stage of that outcome', () => {
    expect(placeDeal(deal('d', 'gone', 'open'), STAGES)).toBe('lead')
    expect(placeDeal(deal('d', 'gone', 'won'), STAGES)).toBe('won')
    expect(placeDeal(deal('d', 'gone', 'lost'), STAGES)).toBe('lost')
  })

  it('falls back to the first open stage, then the first stage; null without stages', () => {
    const openOnly = STAGES.filter((s) => s.outcome === 'open')
    expect(placeDeal(deal('d', 'gone', 'won'), openOnly)).toBe('lead')
    const closedOnly = STAGES.filter((s) => s.outcome !== 'open')
    expect(placeDeal(deal('d', 'gone', 'open'), closedOnly)).toBe('won')
    expect(placeDeal(deal('d', 'gone', 'open'), [])).toBeNull()
  })
})

describe('layoutDeals', () => {
  it('puts every deal in the column placeDeal gives, ordered by (key, id)', () => {
    const deals = [
      deal('a', 'lead', 'open', 'a1'),
      deal('b', 'gone', 'won', 'a0'),
      deal('c', 'gone', 'open', 'a0'),
      deal('d', 'won', 'won', 'a1'),
      deal('e', 'gone', 'lost', 'a0'),
    ]
    const layout = layoutDeals(deals, STAGES)
    expect(layout.columns).toEqual({ lead: ['c', 'a'], prop: [], won: ['b', 'd'], lost: ['e'] })
    for (const d of deals) {
      const column = Object.entries(layout.columns).find(([, ids]) => ids.includes(d.id))?.[0]
      expect(column).toBe(placeDeal(d, STAGES))
    }
    // The generic layout (tickets) still shows an unknown column's records in the first column.
    expect(layoutBoard(deals, ['lead', 'prop', 'won', 'lost']).columns.lead).toEqual(['b', 'c', 'e', 'a'])
  })
})

describe('dealRepair', () => {
  it('leaves a consistent deal alone', () => {
    expect(dealRepair(deal('d', 'prop', 'open'), 'p1', STAGES)).toBeNull()
    expect(dealRepair(deal('d', 'won', 'won'), 'p1', STAGES)).toBeNull()
  })

  it('moves a deal of an unknown column to its placed stage, keeping the key, with the matching status', () => {
    expect(dealRepair(deal('d', 'gone', 'won', 'a7'), 'p1', STAGES)).toEqual({
      position: { column: 'won', key: 'a7' },
      status: 'won',
    })
    expect(dealRepair(deal('d', 'gone', 'won', 'a7'), 'p1', STAGES.slice(0, 2))).toEqual({
      position: { column: 'lead', key: 'a7' },
      status: 'open',
    })
  })

  it('makes the status follow the stage (the position is the truth), writing both together', () => {
    expect(dealRepair(deal('d', 'won', 'open', 'a3'), 'p1', STAGES)).toEqual({
      position: { column: 'won', key: 'a3' },
      status: 'won',
    })
    expect(dealRepair(deal('d', 'lead', 'lost'), 'p1', STAGES)).toMatchObject({ status: 'open' })
  })

  it("sets pipelineId to the document's pipeline; without known stages only that", () => {
    expect(dealRepair({ ...deal('d', 'gone', 'won'), pipelineId: 'p2' }, 'p1', null)).toEqual({
      pipelineId: 'p1',
    })
    expect(dealRepair({ ...deal('d', 'lead', 'open'), pipelineId: 'p2' }, 'p1', STAGES)).toEqual({
      pipelineId: 'p1',
    })
  })
})
