import * as Y from 'yjs'
import { z } from 'zod'
import { CLOSED_DAYS_DEFAULT } from '../board/boardEntries.ts'
import { compareStrings, keyAfterAll, safeKeyBetween } from '../board/position.ts'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { SETTINGS_KEY, SETTINGS_MAP } from '../layout.ts'
import { CurrencySettings, DEFAULT_CURRENCY } from './currencySettings.ts'
import {
  CustomFieldDef,
  choicesProblem,
  plainCustomField,
  StoredCustomFieldDef,
  writeCustomField,
} from './customFieldDefs.ts'
import { parseInput } from './parseInput.ts'
import { formatIssues } from './recordBase.ts'
import { diffEntry, orderKeys, setIfChanged } from './settingsDiff.ts'

export {
  CUSTOM_FIELD_ENTITIES,
  CUSTOM_FIELD_TYPES,
  CustomFieldDef,
  type CustomFieldEntity,
  type CustomFieldType,
  convertPlainCustomFields,
  plainCustomField,
  StoredCustomFieldDef,
  writeCustomField,
} from './customFieldDefs.ts'

export const STAGE_OUTCOMES = ['open', 'won', 'lost'] as const
export const Stage = z.object({
  id: idString,
  name: z.string().trim().min(1).max(100),
  probability: z.number().min(0).max(1),
  /** A deal is "rotting" after this many days in the stage; `null` = never. */
  rotAfterDays: z.number().int().min(0).nullable(),
  outcome: z.enum(STAGE_OUTCOMES),
})
export type Stage = z.infer<typeof Stage>

/** A pipeline; its deals live in `W/pipeline/<id>`. Stages are in board (column) order. */
export const Pipeline = z.object({
  id: idString,
  name: z.string().trim().min(1).max(100),
  key: z.string().min(1),
  stages: z.array(Stage).min(1).max(50),
  /** An archived pipeline keeps its deals but is hidden from the board's pipeline picker. */
  archived: z.boolean().optional(),
})
export type Pipeline = z.infer<typeof Pipeline>

/**
 * A pipeline as READ from the document: like `Pipeline` without the 50-stage cap. Stages merge per field, so two
 * admins each adding a stage to a pipeline of 49 at once end with 51; the pipeline must still read (a write may then
 * not add more, but may edit or remove).
 */
export const StoredPipeline = Pipeline.extend({ stages: z.array(Stage).min(1) })

const slaTarget = z.object({
  firstResponseMins: z.number().int().positive(),
  resolutionMins: z.number().int().positive(),
})
export const SlaPolicy = z.object({ low: slaTarget, normal: slaTarget, high: slaTarget, urgent: slaTarget })
export type SlaPolicy = z.infer<typeof SlaPolicy>

export const DEFAULT_SLA: SlaPolicy = {
  low: { firstResponseMins: 24 * 60, resolutionMins: 5 * 24 * 60 },
  normal: { firstResponseMins: 8 * 60, resolutionMins: 3 * 24 * 60 },
  high: { firstResponseMins: 2 * 60, resolutionMins: 24 * 60 },
  urgent: { firstResponseMins: 30, resolutionMins: 4 * 60 },
}

type StageSeed = [name: string, probability: number, rotAfterDays: number | null, outcome: Stage['outcome']]

function pipeline(
  name: string,
  key: string,
  stages: StageSeed[],
  makeId: (prefix: string) => string,
): Pipeline {
  return {
    id: makeId('pip'),
    name,
    key,
    stages: stages.map(([stageName, probability, rotAfterDays, outcome]) => ({
      id: makeId('stg'),
      name: stageName,
      probability,
      rotAfterDays,
      outcome,
    })),
  }
}

/** The pipelines of a new workspace: Sales and Expansion. `makeId` defaults to `newId`. */
export function defaultPipelines(makeId: (prefix: string) => string = newId): Pipeline[] {
  return [
    pipeline(
      'Sales',
      'a0',
      [
        ['Lead', 0.1, 14, 'open'],
        ['Qualified', 0.25, 14, 'open'],
        ['Proposal', 0.5, 21, 'open'],
        ['Negotiation', 0.75, 14, 'open'],
        ['Won', 1, null, 'won'],
        ['Lost', 0, null, 'lost'],
      ],
      makeId,
    ),
    pipeline(
      'Expansion',
      'a1',
      [
        ['Discovery', 0.2, 21, 'open'],
        ['Proposal', 0.6, 21, 'open'],
        ['Won', 1, null, 'won'],
        ['Lost', 0, null, 'lost'],
      ],
      makeId,
    ),
  ]
}

export interface WorkspaceSettings {
  name: string
  /** Sorted by `(key, id)`. */
  pipelines: Pipeline[]
  customFields: CustomFieldDef[]
  sla: SlaPolicy
  /** Base currency and exchange rates (default: USD, no rates). */
  currency: CurrencySettings
  /** Days a won or lost card stays on the board after entering its stage (default 7). */
  closedDays: number
  /** Entries that failed their schema (skipped), as `path: issues`. */
  invalid: Array<{ path: string; issues: string }>
}

export function settingsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(SETTINGS_MAP)
}

function readEntries<T>(
  value: unknown,
  schema: z.ZodType<T>,
  path: string,
  invalid: WorkspaceSettings['invalid'],
  plain: (entry: unknown) => unknown = (entry) => entry,
): T[] {
  if (!(value instanceof Y.Map)) return []
  const out: T[] = []
  for (const [id, entry] of value.entries()) {
    const parsed = schema.safeParse(plain(entry))
    if (parsed.success) out.push(parsed.data)
    else invalid.push({ path: `${path}.${id}`, issues: formatIssues(parsed.error).join('; ') })
  }
  return out
}

/** Reads the workspace settings, tolerating bad data (skipped and reported in `invalid`). */
export function readSettings(doc: Y.Doc): WorkspaceSettings {
  const map = settingsMap(doc)
  const invalid: WorkspaceSettings['invalid'] = []
  const name = map.get(SETTINGS_KEY.name)
  const sla = SlaPolicy.safeParse(map.get(SETTINGS_KEY.sla))
  if (!sla.success && map.has(SETTINGS_KEY.sla)) {
    invalid.push({ path: SETTINGS_KEY.sla, issues: formatIssues(sla.error).join('; ') })
  }
  const pipelines = readEntries(
    map.get(SETTINGS_KEY.pipelines),
    StoredPipeline,
    SETTINGS_KEY.pipelines,
    invalid,
    plainPipeline,
  )
  pipelines.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id))
  const customFields = readEntries(
    map.get(SETTINGS_KEY.customFields),
    StoredCustomFieldDef,
    SETTINGS_KEY.customFields,
    invalid,
    plainCustomField,
  )
  customFields.sort((a, b) => compareStrings(a.id, b.id))
  const currency = CurrencySettings.safeParse(map.get(SETTINGS_KEY.currency))
  if (!currency.success && map.has(SETTINGS_KEY.currency)) {
    invalid.push({ path: SETTINGS_KEY.currency, issues: formatIssues(currency.error).join('; ') })
  }
  const closedDays = ClosedDays.safeParse(map.get(SETTINGS_KEY.closedDays))
  if (!closedDays.success && map.has(SETTINGS_KEY.closedDays)) {
    invalid.push({ path: SETTINGS_KEY.closedDays, issues: formatIssues(closedDays.error).join('; ') })
  }
  return {
    name: typeof name === 'string' ? name : '',
    pipelines,
    customFields,
    sla: sla.success ? sla.data : DEFAULT_SLA,
    currency: currency.success ? currency.data : DEFAULT_CURRENCY,
    closedDays: closedDays.success ? closedDays.data : CLOSED_DAYS_DEFAULT,
    invalid,
  }
}

/**
 * The layout version of `W/workspace` this model reads and writes (docs/schema.md §3.8): 1 = pipelines and custom
 * field definitions as plain values (also a document without `format`), 2 = per-field maps, 3 = choices of a custom
 * field per choice, 4 = account room notes and handoff briefs as notes text v2 (`notesText`, `briefText:<id>`,
 * §3.5.1; their y-prosemirror fragments are no longer read). The server raises a document's `format` when it converts it; a client that finds a larger
 * number than this one is out of date (it would read the new structures as invalid) and should reload.
 */
export const SETTINGS_FORMAT = 4

/** The layout version stored in the workspace document (1 when none is). */
export function settingsFormat(doc: Y.Doc): number {
  const value = settingsMap(doc).get(SETTINGS_KEY.format)
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 1
}

/** Raises the stored layout version to `SETTINGS_FORMAT` (never lowers it); true when it wrote. Idempotent. */
export function markSettingsFormat(doc: Y.Doc, origin: unknown): boolean {
  if (settingsFormat(doc) >= SETTINGS_FORMAT) return false
  doc.transact(() => settingsMap(doc).set(SETTINGS_KEY.format, SETTINGS_FORMAT), origin)
  return true
}

function nestedMap(doc: Y.Doc, key: string): Y.Map<unknown> {
  const map = settingsMap(doc)
  const current = map.get(key)
  if (current instanceof Y.Map) return current as Y.Map<unknown>
  const created = new Y.Map<unknown>()
  map.set(key, created)
  return created
}

/**
 * Creates the workspace document's structure: name, the given pipelines (default: `defaultPipelines()`),
 * an empty custom-field map and `DEFAULT_SLA`. Run ONCE, by the server when it creates the workspace:
 * two replicas initialising concurrently would each create their own nested maps and one would win.
 * Does nothing if the document is already initialised.
 */
export function initWorkspace(
  doc: Y.Doc,
  input: { name: string; pipelines?: Pipeline[] },
  origin: unknown,
): WorkspaceSettings {
  const name = parseInput(z.string().trim().min(1).max(200), input.name)
  const pipelines = parseInput(z.array(Pipeline), input.pipelines ?? defaultPipelines())
  const map = settingsMap(doc)
  if (!map.has(SETTINGS_KEY.pipelines)) {
    doc.transact(() => {
      map.set(SETTINGS_KEY.name, name)
      map.set(SETTINGS_KEY.format, SETTINGS_FORMAT)
      const pipelineMap = nestedMap(doc, SETTINGS_KEY.pipelines)
      for (const p of pipelines) pipelineMap.set(p.id, pipelineYMap(p))
      nestedMap(doc, SETTINGS_KEY.customFields)
      map.set(SETTINGS_KEY.sla, DEFAULT_SLA)
    }, origin)
  }
  return readSettings(doc)
}

export function setWorkspaceName(doc: Y.Doc, name: string, origin: unknown): void {
  const value = parseInput(z.string().trim().min(1).max(200), name)
  doc.transact(() => settingsMap(doc).set(SETTINGS_KEY.name, value), origin)
}

/**
 * Adds or replaces a pipeline. Without `key`, a new pipeline goes last. The write is a diff against the stored
 * structure (see `writePipeline`): only the fields and stages that changed are written, so two admins editing
 * different fields or stages of one pipeline at once both keep their edit.
 */
export function upsertPipeline(
  doc: Y.Doc,
  input: Omit<Pipeline, 'key'> & { key?: string },
  origin: unknown,
): Pipeline {
  const existing = readSettings(doc).pipelines
  const before = existing.find((p) => p.id === input.id)
  const key = input.key ?? before?.key ?? keyAfterAll(existing.map((p) => p.key))
  // At most 50 stages, unless a concurrent merge already went past it: then no stage may be added.
  const schema = before && input.stages.length <= before.stages.length ? StoredPipeline : Pipeline
  const value = parseInput(schema, { ...input, key })
  doc.transact(() => writePipeline(nestedMap(doc, SETTINGS_KEY.pipelines), value), origin)
  return value
}

export function removePipeline(doc: Y.Doc, pipelineId: string, origin: unknown): void {
  doc.transact(() => nestedMap(doc, SETTINGS_KEY.pipelines).delete(pipelineId), origin)
}

/**
 * Adds or replaces a custom field definition, as a diff: an existing definition map gets only its changed fields set,
 * and its choices are written per choice (two admins renaming a field and making it required at once both keep their
 * edit, as do two admins each adding or removing a different choice). At most 100 choices, unless concurrent adds
 * already went past it: then none may be added.
 */
export function upsertCustomField(doc: Y.Doc, input: CustomFieldDef, origin: unknown): CustomFieldDef {
  const before = readSettings(doc).customFields.find((f) => f.id === input.id)
  const shrinking =
    before !== undefined && before.options.length > 100 && input.options.length <= before.options.length
  const value = parseInput(shrinking ? StoredCustomFieldDef : CustomFieldDef, input)
  const problem = choicesProblem(value)
  if (problem) throw new ModelError('invalid_input', 'invalid input', [problem])
  doc.transact(() => writeCustomField(nestedMap(doc, SETTINGS_KEY.customFields), value), origin)
  return value
}

export function removeCustomField(doc: Y.Doc, fieldId: string, origin: unknown): void {
  doc.transact(() => nestedMap(doc, SETTINGS_KEY.customFields).delete(fieldId), origin)
}

export function setSla(doc: Y.Doc, sla: SlaPolicy, origin: unknown): void {
  const value = parseInput(SlaPolicy, sla)
  doc.transact(() => settingsMap(doc).set(SETTINGS_KEY.sla, value), origin)
}

/** Days a won or lost card stays on the board (`W/board/P`) after entering its stage: a whole number 1..365. */
export const ClosedDays = z.number().int().min(1).max(365)

export function setClosedDays(doc: Y.Doc, days: number, origin: unknown): number {
  const value = parseInput(ClosedDays, days)
  doc.transact(() => settingsMap(doc).set(SETTINGS_KEY.closedDays, value), origin)
  return value
}

export function setCurrency(doc: Y.Doc, currency: CurrencySettings, origin: unknown): CurrencySettings {
  const value = parseInput(CurrencySettings, currency)
  doc.transact(() => settingsMap(doc).set(SETTINGS_KEY.currency, value), origin)
  return value
}

// ---------------------------------------------------------------------------------------------------------------
// Pipelines as Yjs structures (docs/schema.md §3.8)
//
// A pipeline is a `Y.Map` of its fields `id, name, key, archived?` plus `stages`: a `Y.Map` stageId → `Y.Map` of the
// stage's fields `id, name, probability, rotAfterDays, outcome` plus `key` (fractional; stages are in `(key, id)`
// order) and, once removed, `removed` (a tombstone, see below). Older documents (and clients from before this
// format) hold a pipeline as ONE plain value `{ id, name, key, stages: Stage[] }`: it still reads, and the server
// converts it (`convertPlainPipelines`).
//
// A removed stage keeps its map with `removed: n` (n = 1 + the largest `removed` of the pipeline's stages) instead
// of being deleted: two admins each removing a different one of the last two stages at once would otherwise leave
// a pipeline with no stage. When no live stage is left, the stages removed last (largest `n`) read as live again.
// ---------------------------------------------------------------------------------------------------------------

/** The fields a stage map holds besides the `Stage` ones. */
export const STAGE_KEY_FIELD = 'key'
export const STAGE_REMOVED_FIELD = 'removed'
const PIPELINE_FIELDS = ['id', 'name', 'key', 'archived'] as const
const STAGE_FIELDS = ['id', 'name', 'probability', 'rotAfterDays', 'outcome'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stageEntries(stages: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(stages)) return stages.filter(isRecord)
  if (!(stages instanceof Y.Map)) return []
  const out: Array<Record<string, unknown>> = []
  for (const entry of stages.values()) {
    const value = entry instanceof Y.Map ? (entry.toJSON() as unknown) : entry
    if (isRecord(value)) out.push(value)
  }
  return out
}

function removedMark(stage: Record<string, unknown>): number | null {
  const value = stage[STAGE_REMOVED_FIELD]
  if (value === undefined || value === null || value === false) return null
  return typeof value === 'number' ? value : 0
}

/** The live stages of a pipeline's `stages` map, in `(key, id)` order, as plain values (still to validate). */
function liveStages(stages: unknown): unknown[] {
  if (Array.isArray(stages)) return stages
  const all = stageEntries(stages)
  let live = all.filter((s) => removedMark(s) === null)
  if (live.length === 0 && all.length > 0) {
    // Every stage removed (concurrent removals of the last ones): those removed last read as live again.
    const last = Math.max(...all.map((s) => removedMark(s) ?? 0))
    live = all.filter((s) => removedMark(s) === last)
  }
  const keyOf = (s: Record<string, unknown>) => (typeof s.key === 'string' ? s.key : '')
  const idOf = (s: Record<string, unknown>) => (typeof s.id === 'string' ? s.id : '')
  live.sort((a, b) => compareStrings(keyOf(a), keyOf(b)) || compareStrings(idOf(a), idOf(b)))
  return live.map((s) => {
    const { [STAGE_KEY_FIELD]: _key, [STAGE_REMOVED_FIELD]: _removed, ...stage } = s
    return stage
  })
}

/**
 * A stored pipeline entry as the plain value `Pipeline` validates: a pipeline map is assembled (stages in order,
 * tombstones left out), an old plain value is returned as it is.
 */
export function plainPipeline(entry: unknown): unknown {
  if (!(entry instanceof Y.Map)) return entry
  const out: Record<string, unknown> = {}
  for (const [field, value] of entry.entries()) {
    if (field === 'stages') continue
    out[field] = value instanceof Y.AbstractType ? value.toJSON() : value
  }
  out.stages = liveStages(entry.get('stages'))
  return out
}

/** A new pipeline map (to be integrated into a document) holding `pipeline`, stages keyed in their order. */
export function pipelineYMap(pipeline: Pipeline): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const field of PIPELINE_FIELDS) if (pipeline[field] !== undefined) map.set(field, pipeline[field])
  const stages = new Y.Map<unknown>()
  let key: string | null = null
  for (const stage of pipeline.stages) {
    key = safeKeyBetween(key, null)
    stages.set(stage.id, stageYMap(stage, key))
  }
  map.set('stages', stages)
  return map
}

function stageYMap(stage: Stage, key: string): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const field of STAGE_FIELDS) map.set(field, stage[field])
  map.set(STAGE_KEY_FIELD, key)
  return map
}

/**
 * Writes `value` (valid) into the pipelines map as a diff: a missing pipeline (or an old plain value) becomes a new
 * pipeline map; an existing one gets only its changed fields set, new stages added, stages no longer listed marked
 * removed, and order keys changed only for the stages that moved. Call inside a transaction.
 */
export function writePipeline(pipelines: Y.Map<unknown>, value: Pipeline): void {
  const map = diffEntry(pipelines, value.id, () => pipelineYMap(value), value, PIPELINE_FIELDS)
  if (map === null) return
  let stages = map.get('stages')
  if (!(stages instanceof Y.Map)) {
    stages = new Y.Map<unknown>()
    map.set('stages', stages)
  }
  const stageMap = stages as Y.Map<unknown>
  // The stages as this replica sees them: live ones (in order) and the rest (removed or unreadable).
  const visible = new Set((liveStages(stageMap) as Array<{ id?: unknown }>).map((s) => s.id))
  const currentKeys = new Map<string, string>()
  let lastRemoved = 0
  for (const [id, entry] of stageMap.entries()) {
    if (!(entry instanceof Y.Map)) continue
    const mark = removedMark(entry.toJSON() as Record<string, unknown>)
    if (mark !== null) lastRemoved = Math.max(lastRemoved, mark)
    const key = entry.get(STAGE_KEY_FIELD)
    if (visible.has(id) && typeof key === 'string') currentKeys.set(id, key)
  }
  const ids = value.stages.map((s) => s.id)
  const keys = orderKeys(ids, currentKeys)
  value.stages.forEach((stage, i) => {
    const key = keys[i] as string
    const fields = diffEntry(stageMap, stage.id, () => stageYMap(stage, key), stage, STAGE_FIELDS)
    if (fields === null) return
    setIfChanged(fields, STAGE_KEY_FIELD, key)
    if (fields.has(STAGE_REMOVED_FIELD)) fields.delete(STAGE_REMOVED_FIELD)
  })
  const listed = new Set(ids)
  for (const [id, entry] of stageMap.entries()) {
    if (listed.has(id)) continue
    if (entry instanceof Y.Map) {
      if (visible.has(id) && !entry.has(STAGE_REMOVED_FIELD)) entry.set(STAGE_REMOVED_FIELD, lastRemoved + 1)
    } else {
      stageMap.delete(id)
    }
  }
}

/**
 * Converts every pipeline stored as an old plain value (that still validates) into a pipeline map with the same
 * content, in one transaction with `origin`; idempotent. Returns the converted pipeline ids.
 */
export function convertPlainPipelines(doc: Y.Doc, origin: unknown): string[] {
  const map = settingsMap(doc).get(SETTINGS_KEY.pipelines)
  if (!(map instanceof Y.Map)) return []
  const plain: Pipeline[] = []
  for (const [id, entry] of map.entries()) {
    if (entry instanceof Y.Map) continue
    const parsed = StoredPipeline.safeParse(entry)
    if (parsed.success && parsed.data.id === id) plain.push(parsed.data)
  }
  if (plain.length === 0) return []
  doc.transact(() => {
    for (const pipeline of plain) map.set(pipeline.id, pipelineYMap(pipeline))
  }, origin)
  return plain.map((p) => p.id)
}
