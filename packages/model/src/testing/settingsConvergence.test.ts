import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { isModelError } from '../errors.ts'
import { SETTINGS_MAP } from '../layout.ts'
import {
  addStage,
  createPipeline,
  removeStage,
  reorderPipeline,
  reorderStage,
  updatePipeline,
  updateStage,
} from '../records/pipelineSettings.ts'
import {
  CUSTOM_FIELD_TYPES,
  type CustomFieldDef,
  DEFAULT_SLA,
  initWorkspace,
  readSettings,
  removeCustomField,
  setCurrency,
  setSla,
  upsertCustomField,
} from '../records/workspaceSettings.ts'
import {
  assertProperty,
  NETWORK_OPS,
  ORIGIN,
  PROPERTY_TIMEOUT,
  pickAt,
  replicaArb,
  runScenario,
  type Scenario,
  scenarioArb,
  targetArb,
} from './propertyHarness.ts'
import { convergenceReport } from './TestConnector.ts'

/**
 * Convergence of the workspace settings (`W/workspace`) under concurrent admin edits through the model's commands:
 * pipelines created, renamed, archived and reordered; stages added, edited, reordered and removed; custom fields
 * defined and removed; choices of one select field added, removed and reordered; SLA and currency set. Invariants:
 * every replica ends equal, every setting still reads valid (nothing skipped as invalid), every pipeline keeps at
 * least one stage with distinct stage ids, and the select field's choices are exactly the ones it started with or
 * any replica added, less the ones any replica removed (concurrent choice edits never drop one another).
 */

/** The select field every scenario starts with; its choices are what the choice ops edit. */
const CHOICE_FIELD: CustomFieldDef = {
  id: 'cf_choice',
  label: 'Tier',
  entity: 'deal',
  type: 'multiselect',
  options: ['A', 'B'],
  required: false,
}

type Op =
  | { t: 'pipeline'; r: number }
  | { t: 'renamePipeline'; r: number; target: number; archived: boolean }
  | { t: 'movePipeline'; r: number; target: number; index: number }
  | { t: 'addStage'; r: number; target: number; outcome: number }
  | { t: 'editStage'; r: number; target: number; stage: number; probability: number }
  | { t: 'moveStage'; r: number; target: number; stage: number; index: number }
  | { t: 'removeStage'; r: number; target: number; stage: number }
  | { t: 'field'; r: number; type: number }
  | { t: 'removeField'; r: number; target: number }
  | { t: 'addChoice'; r: number; index: number }
  | { t: 'removeChoice'; r: number; target: number }
  | { t: 'moveChoice'; r: number; target: number; index: number }
  | { t: 'sla'; r: number; mins: number }
  | { t: 'currency'; r: number; rate: number }

const rec = <T extends Op['t'], S extends Record<string, fc.Arbitrary<unknown>>>(t: T, shape: S) =>
  fc.record({ t: fc.constant(t), r: replicaArb, ...shape })

const opArb = fc.oneof(
  { arbitrary: rec('pipeline', {}), weight: 1 },
  { arbitrary: rec('renamePipeline', { target: targetArb, archived: fc.boolean() }), weight: 1 },
  { arbitrary: rec('movePipeline', { target: targetArb, index: fc.nat(4) }), weight: 1 },
  { arbitrary: rec('addStage', { target: targetArb, outcome: fc.nat(2) }), weight: 3 },
  {
    arbitrary: rec('editStage', { target: targetArb, stage: targetArb, probability: fc.nat(100) }),
    weight: 2,
  },
  { arbitrary: rec('moveStage', { target: targetArb, stage: targetArb, index: fc.nat(8) }), weight: 2 },
  { arbitrary: rec('removeStage', { target: targetArb, stage: targetArb }), weight: 3 },
  { arbitrary: rec('field', { type: fc.nat(CUSTOM_FIELD_TYPES.length - 1) }), weight: 2 },
  { arbitrary: rec('removeField', { target: targetArb }), weight: 1 },
  { arbitrary: rec('addChoice', { index: fc.nat(6) }), weight: 3 },
  { arbitrary: rec('removeChoice', { target: targetArb }), weight: 2 },
  { arbitrary: rec('moveChoice', { target: targetArb, index: fc.nat(6) }), weight: 2 },
  { arbitrary: rec('sla', { mins: fc.integer({ min: 1, max: 10_000 }) }), weight: 1 },
  { arbitrary: rec('currency', { rate: fc.integer({ min: 1, max: 500 }) }), weight: 1 },
  ...NETWORK_OPS,
) as fc.Arbitrary<Op | { t: 'deliver'; n: number } | { t: 'toggle' }>

const OUTCOMES = ['open', 'won', 'lost'] as const

/** Choices added and removed by any replica during a scenario. */
interface ChoiceLog {
  added: Set<string>
  removed: Set<string>
}

function editChoices(doc: Y.Doc, edit: (options: string[]) => string[]): void {
  const field = readSettings(doc).customFields.find((f) => f.id === CHOICE_FIELD.id)
  if (field) upsertCustomField(doc, { ...field, options: edit([...field.options]) }, ORIGIN)
}

function apply(doc: Y.Doc, op: Op, nextId: (prefix: string) => string, choices: ChoiceLog): void {
  const settings = readSettings(doc)
  const pipeline = 'target' in op ? pickAt(settings.pipelines, op.target) : undefined
  const choiceField = settings.customFields.find((f) => f.id === CHOICE_FIELD.id)
  try {
    switch (op.t) {
      case 'pipeline':
        createPipeline(doc, { id: nextId('pip_'), name: 'Renewals' }, ORIGIN)
        return
      case 'renamePipeline':
        if (pipeline) updatePipeline(doc, pipeline.id, { name: `P${op.r}`, archived: op.archived }, ORIGIN)
        return
      case 'movePipeline':
        if (pipeline) reorderPipeline(doc, pipeline.id, op.index, ORIGIN)
        return
      case 'addStage':
        if (pipeline)
          addStage(
            doc,
            pipeline.id,
            { id: nextId('stg_'), name: `S${op.r}`, outcome: OUTCOMES[op.outcome] },
            ORIGIN,
          )
        return
      case 'editStage': {
        const stage = pipeline && pickAt(pipeline.stages, op.stage)
        if (pipeline && stage)
          updateStage(
            doc,
            pipeline.id,
            stage.id,
            { probability: op.probability / 100, name: `E${op.r}` },
            ORIGIN,
          )
        return
      }
      case 'moveStage': {
        const stage = pipeline && pickAt(pipeline.stages, op.stage)
        if (pipeline && stage) reorderStage(doc, pipeline.id, stage.id, op.index, ORIGIN)
        return
      }
      case 'removeStage': {
        const stage = pipeline && pickAt(pipeline.stages, op.stage)
        if (pipeline && stage) removeStage(doc, pipeline.id, stage.id, ORIGIN)
        return
      }
      case 'field': {
        const type = CUSTOM_FIELD_TYPES[op.type] ?? 'text'
        const options = type === 'select' || type === 'multiselect' ? ['A', 'B'] : []
        upsertCustomField(
          doc,
          {
            id: nextId('cf_'),
            label: `F${op.r}`,
            entity: 'account',
            type,
            options,
            required: op.r % 2 === 0,
          },
          ORIGIN,
        )
        return
      }
      case 'removeField': {
        const field = pickAt(
          settings.customFields.filter((f) => f.id !== CHOICE_FIELD.id),
          op.target,
        )
        if (field) removeCustomField(doc, field.id, ORIGIN)
        return
      }
      case 'addChoice': {
        const text = nextId('O')
        editChoices(doc, (options) => {
          options.splice(Math.min(op.index, options.length), 0, text)
          return options
        })
        choices.added.add(text)
        return
      }
      case 'removeChoice': {
        const text = choiceField && pickAt(choiceField.options, op.target)
        if (text === undefined) return
        editChoices(doc, (options) => options.filter((o) => o !== text))
        choices.removed.add(text)
        return
      }
      case 'moveChoice': {
        const text = choiceField && pickAt(choiceField.options, op.target)
        if (text === undefined) return
        editChoices(doc, (options) => {
          const rest = options.filter((o) => o !== text)
          rest.splice(Math.min(op.index, rest.length), 0, text)
          return rest
        })
        return
      }
      case 'sla':
        setSla(
          doc,
          { ...DEFAULT_SLA, urgent: { firstResponseMins: op.mins, resolutionMins: op.mins * 2 } },
          ORIGIN,
        )
        return
      case 'currency':
        setCurrency(doc, { base: 'EUR', rates: { USD: op.rate / 100 } }, ORIGIN)
        return
    }
  } catch (error) {
    // A replica's own view refused the command (the last stage of a pipeline): the UI says so; nothing is written.
    if (!isModelError(error)) throw error
  }
}

function check(scenario: Scenario<Op>): void {
  const choices: ChoiceLog = { added: new Set(), removed: new Set() }
  const { net } = runScenario(
    scenario,
    (doc, op, context) => apply(doc, op, (prefix) => context.nextId(prefix), choices),
    (setupNet) => {
      initWorkspace(setupNet.doc(0), { name: 'Acme' }, ORIGIN)
      upsertCustomField(setupNet.doc(0), CHOICE_FIELD, ORIGIN)
    },
  )
  const docs = Array.from({ length: scenario.replicas }, (_, i) => net.doc(i))
  expect(convergenceReport(docs, [SETTINGS_MAP])).toEqual([])
  const first = readSettings(docs[0] as Y.Doc)
  expect(first.invalid).toEqual([])
  for (const pipeline of first.pipelines) {
    expect(pipeline.stages.length).toBeGreaterThan(0)
    expect(new Set(pipeline.stages.map((s) => s.id)).size).toBe(pipeline.stages.length)
  }
  for (const doc of docs) expect(readSettings(doc)).toEqual(first)
  const choiceField = first.customFields.find((f) => f.id === CHOICE_FIELD.id)
  const expected = [...CHOICE_FIELD.options, ...choices.added].filter((o) => !choices.removed.has(o))
  expect([...(choiceField?.options ?? [])].sort()).toEqual(expected.sort())
}

describe('workspace settings converge under concurrent admin edits (seeded; RAPPORT_LONG=1 for the long run)', () => {
  it(
    'every replica ends with the same valid settings; no pipeline loses its last stage',
    () => assertProperty(scenarioArb(opArb), check),
    PROPERTY_TIMEOUT,
  )
})
