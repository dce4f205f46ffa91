import type * as Y from 'yjs'
import { z } from 'zod'
import { compareStrings, keyForIndex } from '../board/position.ts'
import { ModelError } from '../errors.ts'
import { newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { endOfColumn } from './boardRecords.ts'
import { DEALS, Deal, moveDeal } from './deal.ts'
import { parseInput } from './parseInput.ts'
import { collectionMap } from './recordMap.ts'
import {
  type Pipeline,
  readSettings,
  STAGE_OUTCOMES,
  Stage,
  type Stage as StageValue,
  upsertPipeline,
} from './workspaceSettings.ts'

/** What a new stage needs; the rest has defaults (open, 10 %, never rots). */
export const StageInput = z.object({
  name: Stage.shape.name,
  probability: Stage.shape.probability.default(0.1),
  rotAfterDays: Stage.shape.rotAfterDays.default(null),
  outcome: z.enum(STAGE_OUTCOMES).default('open'),
})
export type StageInput = z.input<typeof StageInput>
/** A stage edit: only the fields given change (no defaults here — a rename must not reset the probability). */
export const StagePatch = Stage.pick({
  name: true,
  probability: true,
  rotAfterDays: true,
  outcome: true,
}).partial()
export type StagePatch = z.input<typeof StagePatch>

/** The stages of a new pipeline: one open stage, then Won and Lost. */
export function newPipelineStages(makeId: (prefix: string) => string = newId): StageValue[] {
  return [
    { id: makeId('stg'), name: 'New', probability: 0.1, rotAfterDays: 14, outcome: 'open' },
    { id: makeId('stg'), name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
    { id: makeId('stg'), name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
  ]
}

function pipelineOf(doc: Y.Doc, pipelineId: string): Pipeline {
  const pipeline = readSettings(doc).pipelines.find((p) => p.id === pipelineId)
  if (!pipeline) throw new ModelError('not_found', `pipeline ${pipelineId} not found`)
  return pipeline
}

function stageIndex(pipeline: Pipeline, stageId: string): number {
  const index = pipeline.stages.findIndex((s) => s.id === stageId)
  if (index < 0) throw new ModelError('not_found', `stage ${stageId} not found in pipeline ${pipeline.name}`)
  return index
}

/** Creates a pipeline (last in order) with `newPipelineStages()` unless stages are given. */
export function createPipeline(
  doc: Y.Doc,
  input: { name: string; id?: string; stages?: StageValue[] },
  origin: unknown,
): Pipeline {
  return upsertPipeline(
    doc,
    { id: input.id ?? newId('pip'), name: input.name, stages: input.stages ?? newPipelineStages() },
    origin,
  )
}

/** Renames and/or archives (hides from the picker; deals kept) a pipeline. */
export function updatePipeline(
  doc: Y.Doc,
  pipelineId: string,
  patch: { name?: string; archived?: boolean },
  origin: unknown,
): Pipeline {
  const current = pipelineOf(doc, pipelineId)
  return upsertPipeline(
    doc,
    { ...current, name: patch.name ?? current.name, archived: patch.archived ?? current.archived },
    origin,
  )
}

/** Moves a pipeline to `index` in the pipeline order (a new fractional key; the other pipelines are untouched). */
export function reorderPipeline(doc: Y.Doc, pipelineId: string, index: number, origin: unknown): Pipeline {
  const current = pipelineOf(doc, pipelineId)
  const others = readSettings(doc)
    .pipelines.filter((p) => p.id !== pipelineId)
    .map((p) => p.key)
  return upsertPipeline(doc, { ...current, key: keyForIndex(others, index) }, origin)
}

/** Adds a stage at `index` (default: before the first won/lost stage, else last). Returns the stage. */
export function addStage(
  doc: Y.Doc,
  pipelineId: string,
  input: StageInput & { id?: string },
  origin: unknown,
  index?: number,
): StageValue {
  const current = pipelineOf(doc, pipelineId)
  const stage: StageValue = parseInput(Stage, {
    id: input.id ?? newId('stg'),
    ...parseInput(StageInput, input),
  })
  const firstClosed = current.stages.findIndex((s) => s.outcome !== 'open')
  const at = index ?? (stage.outcome === 'open' && firstClosed >= 0 ? firstClosed : current.stages.length)
  const stages = [...current.stages]
  stages.splice(Math.max(0, Math.min(at, stages.length)), 0, stage)
  upsertPipeline(doc, { ...current, stages }, origin)
  return stage
}

/** Renames or changes the probability, rot time or outcome of a stage. */
export function updateStage(
  doc: Y.Doc,
  pipelineId: string,
  stageId: string,
  patch: StagePatch,
  origin: unknown,
): StageValue {
  const current = pipelineOf(doc, pipelineId)
  const index = stageIndex(current, stageId)
  const parsed = parseInput(StagePatch, patch)
  const defined = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined))
  const stage = parseInput(Stage, { ...current.stages[index], ...defined })
  const stages = current.stages.map((s, i) => (i === index ? stage : s))
  upsertPipeline(doc, { ...current, stages }, origin)
  return stage
}

/** Moves a stage (a board column) to `index` among the pipeline's stages. */
export function reorderStage(
  doc: Y.Doc,
  pipelineId: string,
  stageId: string,
  index: number,
  origin: unknown,
): Pipeline {
  const current = pipelineOf(doc, pipelineId)
  const from = stageIndex(current, stageId)
  const stages = [...current.stages]
  const [stage] = stages.splice(from, 1)
  if (!stage) throw new ModelError('not_found', `stage ${stageId} not found`)
  stages.splice(Math.max(0, Math.min(Math.trunc(index), stages.length)), 0, stage)
  return upsertPipeline(doc, { ...current, stages }, origin)
}

/**
 * Removes a stage from the workspace settings. Its deals must have been moved first (`moveDealsToStage` on the
 * pipeline document); a deal left behind is placed by `placeDeal` and repaired by the server. The last stage of a
 * pipeline cannot be removed.
 */
export function removeStage(doc: Y.Doc, pipelineId: string, stageId: string, origin: unknown): Pipeline {
  const current = pipelineOf(doc, pipelineId)
  stageIndex(current, stageId)
  if (current.stages.length <= 1) {
    throw new ModelError('invalid_input', 'A pipeline needs at least one stage.')
  }
  return upsertPipeline(doc, { ...current, stages: current.stages.filter((s) => s.id !== stageId) }, origin)
}

/**
 * Moves every deal whose column is `fromStageId` to the end of `toStageId` on a pipeline document, keeping their
 * order, through `moveDeal` (status follows the target stage's outcome). One transaction. Returns the moved ids.
 */
export function moveDealsToStage(
  doc: Y.Doc,
  fromStageId: string,
  toStageId: string,
  stages: readonly StageValue[],
  origin: unknown,
  options?: { now?: number },
): string[] {
  if (fromStageId === toStageId) throw new ModelError('invalid_input', 'Choose another stage for its deals.')
  if (!stages.some((s) => s.id === toStageId))
    throw new ModelError('not_found', `stage ${toStageId} not found`)
  const map = collectionMap(doc, { name: COLLECTION.deals })
  const deals: Deal[] = []
  for (const value of map.values()) {
    const parsed = Deal.safeParse((value as Y.Map<unknown>).toJSON?.())
    if (parsed.success && parsed.data.position.column === fromStageId) deals.push(parsed.data)
  }
  deals.sort((a, b) => compareStrings(a.position.key, b.position.key) || compareStrings(a.id, b.id))
  doc.transact(() => {
    for (const deal of deals) {
      moveDeal(doc, deal.id, endOfColumn(collectionMap(doc, DEALS), toStageId), origin, {
        stages,
        now: options?.now,
      })
    }
  }, origin)
  return deals.map((d) => d.id)
}
