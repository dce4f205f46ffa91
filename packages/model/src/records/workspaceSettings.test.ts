import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { SETTINGS_KEY } from '../layout.ts'
import { addStage, removeStage, reorderStage, updatePipeline, updateStage } from './pipelineSettings.ts'
import {
  type CustomFieldDef,
  convertPlainCustomFields,
  convertPlainPipelines,
  initWorkspace,
  markSettingsFormat,
  type Pipeline,
  plainPipeline,
  readSettings,
  SETTINGS_FORMAT,
  settingsFormat,
  settingsMap,
  upsertCustomField,
  upsertPipeline,
} from './workspaceSettings.ts'

let seq = 0
const makeId = (prefix: string) => `${prefix}_${++seq}`

/** Two replicas of one workspace document, in sync. */
function twoAdmins(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  initWorkspace(a, { name: 'Acme' }, 'test')
  const b = new Y.Doc()
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  return [a, b]
}

/** Exchanges what each replica is missing (both edits were made before either saw the other's). */
function sync(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  Y.applyUpdate(b, toB)
  Y.applyUpdate(a, toA)
}

function sales(doc: Y.Doc): Pipeline {
  const pipeline = readSettings(doc).pipelines[0]
  if (!pipeline) throw new Error('no pipeline')
  return pipeline
}

function pipelinesMap(doc: Y.Doc): Y.Map<unknown> {
  return settingsMap(doc).get(SETTINGS_KEY.pipelines) as Y.Map<unknown>
}

/** Both replicas read the same settings, nothing invalid; returns the first pipeline. */
function converged(a: Y.Doc, b: Y.Doc): Pipeline {
  expect(readSettings(a)).toEqual(readSettings(b))
  expect(readSettings(a).invalid).toEqual([])
  return sales(a)
}

describe('pipelines are stored per field and merge concurrent edits', () => {
  it('stores a pipeline as a map of fields with a map of stages, and reads it back as the plain value', () => {
    const [a] = twoAdmins()
    const stored = pipelinesMap(a).get(sales(a).id)
    expect(stored).toBeInstanceOf(Y.Map)
    const stages = (stored as Y.Map<unknown>).get('stages')
    expect(stages).toBeInstanceOf(Y.Map)
    expect(sales(a).stages.map((s) => s.name)).toEqual([
      'Lead',
      'Qualified',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ])
    expect(plainPipeline(stored)).toEqual(expect.objectContaining({ name: 'Sales', key: 'a0' }))
  })

  it('an unchanged write writes nothing; a rename writes only the name', () => {
    const [a] = twoAdmins()
    const updates: Uint8Array[] = []
    a.on('update', (update: Uint8Array) => updates.push(update))
    upsertPipeline(a, sales(a), 'test')
    expect(updates).toHaveLength(0)
    const before = sales(a)
    updatePipeline(a, before.id, { name: 'Sales EMEA' }, 'test')
    expect(updates).toHaveLength(1)
    const after = sales(a)
    expect(after).toEqual({ ...before, name: 'Sales EMEA' })
  })

  it('concurrent rename of stage A and add of stage B: both survive', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const lead = pipeline.stages[0]?.id as string
    updateStage(a, pipeline.id, lead, { name: 'Inbound lead' }, 'test')
    addStage(b, pipeline.id, { id: makeId('stg'), name: 'Demo' }, 'test', 2)
    sync(a, b)
    const merged = converged(a, b)
    expect(merged.stages.map((s) => s.name)).toEqual([
      'Inbound lead',
      'Qualified',
      'Demo',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ])
  })

  it('concurrent probability change and rename of the same stage: both survive', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const proposal = pipeline.stages[2]?.id as string
    updateStage(a, pipeline.id, proposal, { probability: 0.55 }, 'test')
    updateStage(b, pipeline.id, proposal, { name: 'Offer' }, 'test')
    sync(a, b)
    const stage = converged(a, b).stages[2]
    expect(stage).toEqual(expect.objectContaining({ id: proposal, name: 'Offer', probability: 0.55 }))
  })

  it('concurrent reorder of a stage and rename of it (and of another): all survive', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const [lead, qualified] = pipeline.stages.map((s) => s.id) as [string, string]
    reorderStage(a, pipeline.id, lead, 3, 'test')
    updateStage(b, pipeline.id, lead, { name: 'Inbound' }, 'test')
    updateStage(b, pipeline.id, qualified, { rotAfterDays: 30 }, 'test')
    sync(a, b)
    const merged = converged(a, b)
    expect(merged.stages.map((s) => s.name)).toEqual([
      'Qualified',
      'Proposal',
      'Negotiation',
      'Inbound',
      'Won',
      'Lost',
    ])
    expect(merged.stages[0]?.rotAfterDays).toBe(30)
  })

  it('a reorder rewrites only the moved stage’s key', () => {
    const [a] = twoAdmins()
    const pipeline = sales(a)
    const stages = (pipelinesMap(a).get(pipeline.id) as Y.Map<unknown>).get('stages') as Y.Map<Y.Map<unknown>>
    const keysBefore = new Map([...stages.entries()].map(([id, s]) => [id, s.get('key')]))
    const moved = pipeline.stages[4]?.id as string
    reorderStage(a, pipeline.id, moved, 1, 'test')
    const changed = [...stages.entries()]
      .filter(([id, s]) => s.get('key') !== keysBefore.get(id))
      .map(([id]) => id)
    expect(changed).toEqual([moved])
    expect(sales(a).stages[1]?.id).toBe(moved)
  })

  it('concurrent removal of a stage and rename of it: the stage stays removed', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const qualified = pipeline.stages[1]?.id as string
    removeStage(a, pipeline.id, qualified, 'test')
    updateStage(b, pipeline.id, qualified, { name: 'Qualified!' }, 'test')
    sync(a, b)
    const merged = converged(a, b)
    expect(merged.stages.map((s) => s.id)).not.toContain(qualified)
    expect(merged.stages).toHaveLength(5)
  })

  it('concurrent removal of the last two stages (one each) leaves neither removed: no pipeline without a stage', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const [first, second, ...rest] = pipeline.stages.map((s) => s.id) as string[]
    for (const id of rest) removeStage(a, pipeline.id, id, 'test')
    sync(a, b)
    removeStage(a, pipeline.id, first as string, 'test')
    removeStage(b, pipeline.id, second as string, 'test')
    sync(a, b)
    const merged = converged(a, b)
    expect(merged.stages.map((s) => s.id)).toEqual([first, second])
    // A later write keeps them live (their removal marks are cleared).
    updatePipeline(a, pipeline.id, { name: 'Sales 2' }, 'test')
    sync(a, b)
    expect(converged(a, b).stages.map((s) => s.id)).toEqual([first, second])
  })
})

describe('old plain pipeline values', () => {
  /** A workspace as stored before the per-field format: the pipeline is one plain value. */
  function oldWorkspace(): { doc: Y.Doc; pipeline: Pipeline } {
    const doc = new Y.Doc()
    initWorkspace(doc, { name: 'Acme' }, 'test')
    const pipeline = sales(doc)
    doc.transact(() => pipelinesMap(doc).set(pipeline.id, pipeline))
    return { doc, pipeline }
  }

  it('still reads, and a new write converts it to the per-field structure with the new value', () => {
    const { doc, pipeline } = oldWorkspace()
    expect(pipelinesMap(doc).get(pipeline.id)).not.toBeInstanceOf(Y.Map)
    expect(sales(doc)).toEqual(pipeline)
    updateStage(doc, pipeline.id, pipeline.stages[0]?.id as string, { name: 'Prospect' }, 'test')
    expect(pipelinesMap(doc).get(pipeline.id)).toBeInstanceOf(Y.Map)
    expect(sales(doc).stages[0]?.name).toBe('Prospect')
    expect(sales(doc).stages.slice(1)).toEqual(pipeline.stages.slice(1))
  })

  it('convertPlainPipelines converts without changing what reads, and is idempotent', () => {
    const { doc, pipeline } = oldWorkspace()
    const before = readSettings(doc)
    expect(convertPlainPipelines(doc, 'server')).toEqual([pipeline.id])
    expect(pipelinesMap(doc).get(pipeline.id)).toBeInstanceOf(Y.Map)
    expect(readSettings(doc)).toEqual(before)
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    expect(convertPlainPipelines(doc, 'server')).toEqual([])
    expect(updates).toHaveLength(0)
  })

  it('an old client writing a plain value after the conversion still reads; the next pass converts it', () => {
    const [server, oldClient] = twoAdmins()
    const pipeline = sales(server)
    // The old client replaces the whole pipeline with a plain value, as it always did.
    const renamed = {
      ...pipeline,
      stages: pipeline.stages.map((s, i) => (i === 0 ? { ...s, name: 'Old tab' } : s)),
    }
    oldClient.transact(() => pipelinesMap(oldClient).set(pipeline.id, renamed))
    sync(server, oldClient)
    expect(sales(server)).toEqual(renamed)
    expect(convertPlainPipelines(server, 'server')).toEqual([pipeline.id])
    sync(server, oldClient)
    expect(pipelinesMap(oldClient).get(pipeline.id)).toBeInstanceOf(Y.Map)
    expect(converged(server, oldClient)).toEqual(renamed)
  })

  it('leaves an invalid plain value alone (still reported invalid)', () => {
    const doc = new Y.Doc()
    initWorkspace(doc, { name: 'Acme' }, 'test')
    doc.transact(() => pipelinesMap(doc).set('pip_bad', { id: 'pip_bad', name: '', key: 'a5', stages: [] }))
    expect(convertPlainPipelines(doc, 'server')).toEqual([])
    expect(readSettings(doc).invalid.map((i) => i.path)).toEqual(['pipelines.pip_bad'])
  })
})

describe('the 50-stage cap under concurrent adds', () => {
  it('two admins each adding a stage to a pipeline of 49 end with 51: it still reads; no more may be added, one may be removed', () => {
    const [a, b] = twoAdmins()
    const pipeline = sales(a)
    const extra = Array.from({ length: 43 }, (_, i) => ({
      id: `stg_x${i}`,
      name: `X${i}`,
      probability: 0.2,
      rotAfterDays: null,
      outcome: 'open' as const,
    }))
    upsertPipeline(a, { ...pipeline, stages: [...pipeline.stages, ...extra] }, 'test')
    sync(a, b)
    expect(sales(a).stages).toHaveLength(49)
    addStage(a, pipeline.id, { id: 'stg_one', name: 'One' }, 'test')
    addStage(b, pipeline.id, { id: 'stg_two', name: 'Two' }, 'test')
    sync(a, b)
    expect(converged(a, b).stages).toHaveLength(51)
    expect(() => addStage(a, pipeline.id, { name: 'Three' }, 'test')).toThrow()
    removeStage(a, pipeline.id, 'stg_one', 'test')
    updateStage(a, pipeline.id, 'stg_two', { name: 'Two!' }, 'test')
    expect(sales(a).stages).toHaveLength(50)
  })
})

describe('custom field definitions are stored per field', () => {
  const PLAN: CustomFieldDef = {
    id: 'cf_plan',
    label: 'Plan',
    entity: 'account',
    type: 'select',
    options: ['Gold', 'Silver'],
    required: false,
  }
  const fieldsMap = (doc: Y.Doc) => settingsMap(doc).get(SETTINGS_KEY.customFields) as Y.Map<unknown>

  it('concurrent rename, options change and required toggle of one definition: all survive', () => {
    const [a, b] = twoAdmins()
    upsertCustomField(a, PLAN, 'test')
    sync(a, b)
    expect(fieldsMap(a).get(PLAN.id)).toBeInstanceOf(Y.Map)
    upsertCustomField(a, { ...PLAN, label: 'Plan tier' }, 'test')
    upsertCustomField(b, { ...PLAN, options: ['Gold', 'Silver', 'Bronze'], required: true }, 'test')
    sync(a, b)
    expect(readSettings(a)).toEqual(readSettings(b))
    expect(readSettings(a).customFields).toEqual([
      { ...PLAN, label: 'Plan tier', options: ['Gold', 'Silver', 'Bronze'], required: true },
    ])
  })

  it('an unchanged write writes nothing', () => {
    const [a] = twoAdmins()
    upsertCustomField(a, PLAN, 'test')
    const updates: Uint8Array[] = []
    a.on('update', (update: Uint8Array) => updates.push(update))
    upsertCustomField(a, { ...PLAN, options: [...PLAN.options] }, 'test')
    expect(updates).toHaveLength(0)
  })

  it('an old plain definition still reads, converts idempotently, and a new write converts it', () => {
    const [a] = twoAdmins()
    const { required: _required, ...old } = PLAN
    a.transact(() => fieldsMap(a).set(PLAN.id, old))
    expect(readSettings(a).customFields).toEqual([PLAN])
    expect(convertPlainCustomFields(a, 'server')).toEqual([PLAN.id])
    expect(fieldsMap(a).get(PLAN.id)).toBeInstanceOf(Y.Map)
    expect(readSettings(a).customFields).toEqual([PLAN])
    expect(convertPlainCustomFields(a, 'server')).toEqual([])
    a.transact(() => fieldsMap(a).set(PLAN.id, { ...old, label: 'Old tab' }))
    upsertCustomField(a, { ...PLAN, label: 'Plan', required: true }, 'test')
    expect(fieldsMap(a).get(PLAN.id)).toBeInstanceOf(Y.Map)
    expect(readSettings(a).customFields).toEqual([{ ...PLAN, required: true }])
  })

  it('two admins each adding a choice at once both keep theirs; a removal and a move of other choices merge too', () => {
    const [a, b] = twoAdmins()
    upsertCustomField(a, { ...PLAN, options: ['Gold', 'Silver', 'Bronze'] }, 'test')
    sync(a, b)
    upsertCustomField(a, { ...PLAN, options: ['Gold', 'Silver', 'Bronze', 'Platinum'] }, 'test')
    upsertCustomField(b, { ...PLAN, options: ['Tin', 'Gold', 'Silver', 'Bronze'] }, 'test')
    sync(a, b)
    expect(readSettings(a)).toEqual(readSettings(b))
    expect(readSettings(a).customFields[0]?.options).toEqual(['Tin', 'Gold', 'Silver', 'Bronze', 'Platinum'])
    upsertCustomField(a, { ...PLAN, options: ['Tin', 'Gold', 'Bronze', 'Platinum'] }, 'test')
    upsertCustomField(b, { ...PLAN, options: ['Gold', 'Tin', 'Silver', 'Bronze', 'Platinum'] }, 'test')
    sync(a, b)
    expect(readSettings(a)).toEqual(readSettings(b))
    expect(readSettings(a).customFields[0]?.options).toEqual(['Gold', 'Tin', 'Bronze', 'Platinum'])
  })

  it('a removed choice stays removed when a replica that had not seen the removal moves it', () => {
    const [a, b] = twoAdmins()
    upsertCustomField(a, { ...PLAN, options: ['Gold', 'Silver', 'Bronze'] }, 'test')
    sync(a, b)
    upsertCustomField(a, { ...PLAN, options: ['Gold', 'Bronze'] }, 'test')
    upsertCustomField(b, { ...PLAN, options: ['Silver', 'Gold', 'Bronze'] }, 'test')
    sync(a, b)
    expect(readSettings(a)).toEqual(readSettings(b))
    expect(readSettings(a).customFields[0]?.options).toEqual(['Gold', 'Bronze'])
    // Adding it again brings it back (the marker is cleared), at the place given.
    upsertCustomField(b, { ...PLAN, options: ['Silver', 'Gold', 'Bronze'] }, 'test')
    sync(a, b)
    expect(readSettings(a).customFields[0]?.options).toEqual(['Silver', 'Gold', 'Bronze'])
  })

  it('refuses a list naming one choice twice, in plain words', () => {
    const [a] = twoAdmins()
    expect(() => upsertCustomField(a, { ...PLAN, options: ['Gold', 'Gold'] }, 'test')).toThrow(
      /has the same choice twice/,
    )
  })

  it('a definition map with its choices as one plain array (an old tab) reads, and converts to a choice map', () => {
    const [a] = twoAdmins()
    upsertCustomField(a, PLAN, 'test')
    const def = fieldsMap(a).get(PLAN.id) as Y.Map<unknown>
    a.transact(() => def.set('options', ['Gold', 'Silver', 'Iron']))
    expect(readSettings(a).customFields).toEqual([{ ...PLAN, options: ['Gold', 'Silver', 'Iron'] }])
    expect(convertPlainCustomFields(a, 'server')).toEqual([PLAN.id])
    expect(def.get('options')).toBeInstanceOf(Y.Map)
    expect(readSettings(a).customFields).toEqual([{ ...PLAN, options: ['Gold', 'Silver', 'Iron'] }])
    expect(convertPlainCustomFields(a, 'server')).toEqual([])
  })
})

describe('the settings layout version', () => {
  it('a new workspace is at the current format; an old one reads 1 and is raised once, never lowered', () => {
    const [a] = twoAdmins()
    expect(settingsFormat(a)).toBe(SETTINGS_FORMAT)
    const old = new Y.Doc()
    expect(settingsFormat(old)).toBe(1)
    expect(markSettingsFormat(old, 'server')).toBe(true)
    expect(settingsFormat(old)).toBe(SETTINGS_FORMAT)
    expect(markSettingsFormat(old, 'server')).toBe(false)
    settingsMap(old).set(SETTINGS_KEY.format, SETTINGS_FORMAT + 1)
    expect(markSettingsFormat(old, 'server')).toBe(false)
    expect(settingsFormat(old)).toBe(SETTINGS_FORMAT + 1)
  })
})
