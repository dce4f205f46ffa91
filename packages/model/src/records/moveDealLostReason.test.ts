import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import { createDeal, moveDeal } from './deal.ts'
import { defaultPipelines } from './workspaceSettings.ts'

const ORIGIN = { user: 'u1' }

function salesBoard() {
  let n = 0
  const [sales] = defaultPipelines((prefix) => `${prefix}_${++n}`)
  if (sales === undefined) throw new Error('no pipeline')
  const lead = sales.stages[0]
  const lost = sales.stages.find((s) => s.outcome === 'lost')
  if (!lead || !lost) throw new Error('stages')
  const doc = new Y.Doc()
  const deal = createDeal(doc, { pipelineId: sales.id, title: 'One', stageId: lead.id }, ORIGIN)
  return { doc, deal, stages: sales.stages, lead, lost }
}

describe('moveDeal with a lost reason', () => {
  it('writes the position, status and reason in one transaction', () => {
    const { doc, deal, stages, lost } = salesBoard()
    let updates = 0
    doc.on('update', () => updates++)
    const moved = moveDeal(doc, deal.id, { column: lost.id, key: 'a0' }, ORIGIN, {
      stages,
      lostReason: 'Chose a competitor',
    })
    expect(updates).toBe(1)
    expect(moved).toMatchObject({
      position: { column: lost.id, key: 'a0' },
      status: 'lost',
      lostReason: 'Chose a competitor',
    })
  })

  it('keeps the reason out of open stages and refuses one longer than 500 characters', () => {
    const { doc, deal, stages, lead, lost } = salesBoard()
    const open = moveDeal(doc, deal.id, { column: lead.id, key: 'a1' }, ORIGIN, { stages, lostReason: 'x' })
    expect(open).toMatchObject({ status: 'open', lostReason: null })
    expect(() =>
      moveDeal(doc, deal.id, { column: lost.id, key: 'a0' }, ORIGIN, { stages, lostReason: 'x'.repeat(501) }),
    ).toThrow(ModelError)
    expect(moveDeal(doc, deal.id, { column: lost.id, key: 'a0' }, ORIGIN, { stages }).lostReason).toBeNull()
  })
})
