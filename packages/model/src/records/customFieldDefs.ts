import * as Y from 'yjs'
import { z } from 'zod'
import { compareStrings, safeKeyBetween } from '../board/position.ts'
import { idString } from '../ids.ts'
import { SETTINGS_KEY, SETTINGS_MAP } from '../layout.ts'
import { diffEntry, orderKeys, setIfChanged } from './settingsDiff.ts'

const optionText = z.string().trim().min(1).max(100)
const distinct = (list: readonly string[]): boolean => new Set(list).size === list.length

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
  options: z.array(optionText).max(100),
  /** A create must give a value, and a value may not be cleared (checked on REST writes). */
  required: z.boolean().default(false),
})
export type CustomFieldDef = z.infer<typeof CustomFieldDef>

/**
 * A definition as READ from the document: like `CustomFieldDef` without the 100-choice cap (choices merge per
 * choice, so two admins each adding one to a list of 99 at once end with 101; the field must still read).
 */
export const StoredCustomFieldDef = CustomFieldDef.extend({ options: z.array(optionText) })

/** Why a definition's choices cannot be written (a choice named twice: each choice is stored under its text). */
export function choicesProblem(def: Pick<CustomFieldDef, 'label' | 'options'>): string | null {
  return distinct(def.options) ? null : `${def.label} has the same choice twice.`
}

// ---------------------------------------------------------------------------------------------------------------
// Custom field definitions as Yjs maps (docs/schema.md §3.8): each definition a `Y.Map` of its fields `id, label,
// entity, type, required` plus `options`: a `Y.Map` choice → `Y.Map { key, removed? }` (the choice's text is its id,
// since record values hold that text; `key` is a fractional order key; a removed choice keeps its map with
// `removed: true`, so a concurrent reorder cannot bring it back). Choices are read in `(key, text)` order. Old
// documents hold one plain value per definition, or `options` as one plain string array: both still read, and the
// server converts them (`convertPlainCustomFields`).
// ---------------------------------------------------------------------------------------------------------------

const CUSTOM_FIELD_FIELDS = ['id', 'label', 'entity', 'type', 'required'] as const
export const OPTION_KEY_FIELD = 'key'
export const OPTION_REMOVED_FIELD = 'removed'

function isRemovedOption(entry: Y.Map<unknown>): boolean {
  return entry.get(OPTION_REMOVED_FIELD) === true
}

/** The live choices of a stored `options` value, in order: an old plain array is returned as it is. */
function liveOptions(options: unknown): unknown {
  if (!(options instanceof Y.Map)) return options
  const live: Array<{ text: string; key: string }> = []
  for (const [text, entry] of (options as Y.Map<unknown>).entries()) {
    if (!(entry instanceof Y.Map) || isRemovedOption(entry as Y.Map<unknown>)) continue
    const key = entry.get(OPTION_KEY_FIELD)
    live.push({ text, key: typeof key === 'string' ? key : '' })
  }
  live.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.text, b.text))
  return live.map((o) => o.text)
}

/** A stored custom field definition as the plain value `CustomFieldDef` validates (every form). */
export function plainCustomField(entry: unknown): unknown {
  if (!(entry instanceof Y.Map)) return entry
  const out: Record<string, unknown> = {}
  for (const [field, value] of (entry as Y.Map<unknown>).entries()) {
    if (field === 'options') out[field] = liveOptions(value)
    else out[field] = value instanceof Y.AbstractType ? value.toJSON() : value
  }
  return out
}

function optionYMap(key: string): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  map.set(OPTION_KEY_FIELD, key)
  return map
}

function optionsYMap(options: readonly string[]): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  let key: string | null = null
  for (const text of options) {
    key = safeKeyBetween(key, null)
    map.set(text, optionYMap(key))
  }
  return map
}

function customFieldYMap(value: CustomFieldDef): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const field of CUSTOM_FIELD_FIELDS) map.set(field, value[field])
  map.set('options', optionsYMap(value.options))
  return map
}

/**
 * Writes the choice list as a diff: new choices are added (a removed one comes back), choices no longer listed are
 * marked removed, and only moved or new choices get a new order key. Two admins each adding, removing or moving a
 * different choice at once both keep their edit.
 */
function writeOptions(def: Y.Map<unknown>, options: readonly string[]): void {
  const map = diffEntry(def, 'options', () => optionsYMap(options))
  if (map === null) return
  const visible = new Set(liveOptions(map) as string[])
  const currentKeys = new Map<string, string>()
  for (const [text, entry] of map.entries()) {
    const key = entry instanceof Y.Map ? entry.get(OPTION_KEY_FIELD) : undefined
    if (visible.has(text) && typeof key === 'string') currentKeys.set(text, key)
  }
  const keys = orderKeys(options, currentKeys)
  options.forEach((text, i) => {
    const key = keys[i] as string
    const fields = diffEntry(map, text, () => optionYMap(key))
    if (fields === null) return
    setIfChanged(fields, OPTION_KEY_FIELD, key)
    if (fields.has(OPTION_REMOVED_FIELD)) fields.delete(OPTION_REMOVED_FIELD)
  })
  const listed = new Set(options)
  for (const [text, entry] of map.entries()) {
    if (listed.has(text)) continue
    if (!(entry instanceof Y.Map)) map.delete(text)
    else if (!isRemovedOption(entry as Y.Map<unknown>)) entry.set(OPTION_REMOVED_FIELD, true)
  }
}

/** Writes `value` (valid) into the custom-fields map as a diff (see `upsertCustomField`). Call inside a transaction. */
export function writeCustomField(fields: Y.Map<unknown>, value: CustomFieldDef): void {
  const map = diffEntry(fields, value.id, () => customFieldYMap(value), value, CUSTOM_FIELD_FIELDS)
  if (map !== null) writeOptions(map, value.options)
}

/**
 * Converts custom field definitions stored in an old form into maps with the same content, in one transaction with
 * `origin`: a plain definition (that validates) becomes a definition map, and a definition map whose `options` is one
 * plain string array gets a choice map. Idempotent. Returns the converted field ids.
 */
export function convertPlainCustomFields(doc: Y.Doc, origin: unknown): string[] {
  const map = doc.getMap<unknown>(SETTINGS_MAP).get(SETTINGS_KEY.customFields)
  if (!(map instanceof Y.Map)) return []
  const plain: CustomFieldDef[] = []
  const plainOptions: Array<{ id: string; def: Y.Map<unknown>; options: string[] }> = []
  for (const [id, entry] of (map as Y.Map<unknown>).entries()) {
    if (entry instanceof Y.Map) {
      const options = entry.get('options')
      if (options instanceof Y.Map) continue
      const parsed = z.array(optionText).safeParse(options)
      if (parsed.success)
        plainOptions.push({ id, def: entry as Y.Map<unknown>, options: [...new Set(parsed.data)] })
      continue
    }
    const parsed = StoredCustomFieldDef.safeParse(entry)
    if (parsed.success && parsed.data.id === id) plain.push(parsed.data)
  }
  if (plain.length + plainOptions.length === 0) return []
  doc.transact(() => {
    for (const def of plain) map.set(def.id, customFieldYMap({ ...def, options: [...new Set(def.options)] }))
    for (const { def, options } of plainOptions) def.set('options', optionsYMap(options))
  }, origin)
  return [...plain.map((d) => d.id), ...plainOptions.map((o) => o.id)]
}
