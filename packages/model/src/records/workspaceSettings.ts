import * as Y from 'yjs'
import { z } from 'zod'
import { CLOSED_DAYS_DEFAULT } from '../board/boardEntries.ts'
import { compareStrings, keyAfterAll } from '../board/position.ts'
import { idString, newId } from '../ids.ts'
import { SETTINGS_KEY, SETTINGS_MAP } from '../layout.ts'
import { CurrencySettings, DEFAULT_CURRENCY } from './currencySettings.ts'
import { parseInput } from './parseInput.ts'
import { formatIssues } from './recordBase.ts'

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

export const CUSTOM_FIELD_ENTITIES = ['account', 'contact', 'deal', 'ticket'] as const
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number]
export const CUSTOM_FIELD_TYPES = [
  'text',
  'number',
  'currency',
  'date',
  'boolean',
  'select',
  'multiselect',
  'user',
  'url',
  'email',
] as const
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number]
export const CustomFieldDef = z.object({
  id: idString,
  label: z.string().trim().min(1).max(100),
  entity: z.enum(CUSTOM_FIELD_ENTITIES),
  type: z.enum(CUSTOM_FIELD_TYPES),
  /** Choices of a `select` or `multiselect` field; empty otherwise. */
  options: z.array(z.string().trim().min(1).max(100)).max(100),
  /** A create must give a value, and a value may not be cleared (checked on REST writes). */
  required: z.boolean().default(false),
})
export type CustomFieldDef = z.infer<typeof CustomFieldDef>

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
): T[] {
  if (!(value instanceof Y.Map)) return []
  const out: T[] = []
  for (const [id, entry] of value.entries()) {
    const parsed = schema.safeParse(entry)
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
  const pipelines = readEntries(map.get(SETTINGS_KEY.pipelines), Pipeline, SETTINGS_KEY.pipelines, invalid)
  pipelines.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id))
  const customFields = readEntries(
    map.get(SETTINGS_KEY.customFields),
    CustomFieldDef,
    SETTINGS_KEY.customFields,
    invalid,
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
      const pipelineMap = nestedMap(doc, SETTINGS_KEY.pipelines)
      for (const p of pipelines) pipelineMap.set(p.id, p)
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

/** Adds or replaces a pipeline (a whole plain value). Without `key`, a new pipeline goes last. */
export function upsertPipeline(
  doc: Y.Doc,
  input: Omit<Pipeline, 'key'> & { key?: string },
  origin: unknown,
): Pipeline {
  const existing = readSettings(doc).pipelines
  const key =
    input.key ?? existing.find((p) => p.id === input.id)?.key ?? keyAfterAll(existing.map((p) => p.key))
  const value = parseInput(Pipeline, { ...input, key })
  doc.transact(() => nestedMap(doc, SETTINGS_KEY.pipelines).set(value.id, value), origin)
  return value
}

export function removePipeline(doc: Y.Doc, pipelineId: string, origin: unknown): void {
  doc.transact(() => nestedMap(doc, SETTINGS_KEY.pipelines).delete(pipelineId), origin)
}

export function upsertCustomField(doc: Y.Doc, input: CustomFieldDef, origin: unknown): CustomFieldDef {
  const value = parseInput(CustomFieldDef, input)
  doc.transact(() => nestedMap(doc, SETTINGS_KEY.customFields).set(value.id, value), origin)
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
