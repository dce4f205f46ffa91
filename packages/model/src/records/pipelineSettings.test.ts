import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createDeal as create, DEALS, Deal } from './deal.ts'
import {
  addStage,
  createPipeline,
  moveDealsToStage,
  removeStage,
  reorderPipeline,
  reorderStage,
  updatePipeline,
  updateStage,
} from './pipelineSettings.ts'
import { collectionMap } from './recordMap.ts'
import { initWorkspace, type Pipeline, readSettings } from './workspaceSettings.ts'

function createDeal(doc: Y.Doc, pipeline: Pipeline, stageId: string, title: string): string {
  return create(doc, { pipelineId: pipeline.id, title, stageId }, 'test', { stages: pipeline.stages }).id
}

function readDealsForTest(doc: Y.Doc): Deal[] {
  return [...collectionMap(doc, DEALS).values()].map((v) => Deal.parse((v as Y.Map<unknown>).toJSON()))
}

let seq = 0
const makeId = (prefix: string) => `${prefix}_${++seq}`

function workspace() {
  const doc = new Y.Doc()
  initWorkspace(doc, { name: 'Acme' }, 'test')
  return doc
}

describe('pipeline settings commands', () => {
  it('adds an open stage before the first won/lost stage and edits it', () => {
    const doc = workspace()
    const sales = readSettings(doc).pipelines[0]
    if (!sales) throw new Error('no pipeline')
    const stage = addStage(doc, sales.id, { name: 'Demo', probability: 0.4, rotAfterDays: 7 }, 'test')
    const names = () => readSettings(doc).pipelines[0]?.stages.map((s) => s.name)
    expect(names()).toEqual(['Lead', 'Qualified', 'Proposal', 'Negotiation', 'Demo', 'Won', 'Lost'])
    updateStage(doc, sales.id, stage.id, { name: 'Live demo', outcome: 'open', probability: 0.45 }, 'test')
    expect(readSettings(doc).pipelines[0]?.stages[4]).toMatchObject({ name: 'Live demo', probability: 0.45 })
    reorderStage(doc, sales.id, stage.id, 0, 'test')
    expect(names()?.[0]).toBe('Live demo')
    expect(() => updateStage(doc, sales.id, stage.id, { probability: 2 }, 'test')).toThrow(/invalid input/)
  })

  it('creates, renames, reorders and archives pipelines', () => {
    const doc = workspace()
    const renewals = createPipeline(doc, { name: 'Renewals', id: makeId('pip') }, 'test')
    expect(readSettings(doc).pipelines.map((p) => p.name)).toEqual(['Sales', 'Expansion', 'Renewals'])
    expect(renewals.stages.map((s) => s.outcome)).toEqual(['open', 'won', 'lost'])
    reorderPipeline(doc, renewals.id, 0, 'test')
    updatePipeline(doc, renewals.id, { name: 'Renewal', archived: true }, 'test')
    expect(readSettings(doc).pipelines[0]).toMatchObject({ name: 'Renewal', archived: true })
  })

  it('refuses to remove the last stage', () => {
    const doc = workspace()
    const p = createPipeline(
      doc,
      {
        name: 'One',
        stages: [{ id: 'stg_only', name: 'Only', probability: 0, rotAfterDays: null, outcome: 'open' }],
      },
      'test',
    )
    expect(() => removeStage(doc, p.id, 'stg_only', 'test')).toThrow(/at least one stage/)
  })

  it('moves the deals of a removed stage to the chosen stage, in order, taking its outcome', () => {
    const ws = workspace()
    const sales = readSettings(ws).pipelines[0]
    if (!sales) throw new Error('no pipeline')
    const [lead, qualified] = sales.stages
    const lost = sales.stages.find((s) => s.outcome === 'lost')
    if (!lead || !qualified || !lost) throw new Error('stages')
    const deals = new Y.Doc()
    const a = createDeal(deals, sales, lead.id, 'A')
    const b = createDeal(deals, sales, lead.id, 'B')
    createDeal(deals, sales, qualified.id, 'C')
    const moved = moveDealsToStage(deals, lead.id, lost.id, sales.stages, 'test', { now: 5 })
    expect(moved).toEqual([a, b])
    removeStage(ws, sales.id, lead.id, 'test')
    const rows = readDealsForTest(deals)
    expect(rows.filter((d) => d.position.column === lead.id)).toEqual([])
    const inLost = rows
      .filter((d) => d.position.column === lost.id)
      .sort((x, y) => (x.position.key < y.position.key ? -1 : 1))
    expect(inLost.map((d) => [d.title, d.status])).toEqual([
      ['A', 'lost'],
      ['B', 'lost'],
    ])
    expect(readSettings(ws).pipelines[0]?.stages.some((s) => s.id === lead.id)).toBe(false)
  })
})
