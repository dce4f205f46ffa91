import type * as Y from 'yjs'
import { jsonEqual } from './jsonEqual.ts'

/*
 * Custom field values are stored one entry per field in the record's `Y.Map` (`cf:<fieldId>` → value, `null` when
 * cleared), so two people setting different fields of one record at once both keep their value (Y.Map resolves each
 * key on its own). Records written before kept every value in one plain object under `customFields`; readers merge
 * that object under the per-field entries (an entry wins, a `null` entry clears), and the server moves it into
 * entries (`migrateCustomFields`). Every reader sees `customFields: { [fieldId]: value }` (docs/schema.md §3.9).
 */

/** The prefix of a per-field custom value key in a record's `Y.Map`. */
export const CUSTOM_FIELD_KEY_PREFIX = 'cf:'
/** The key of the old form: one plain object holding every custom value of the record. */
export const LEGACY_CUSTOM_FIELDS_KEY = 'customFields'

/** The record-map key of custom field `fieldId`'s value. */
export function customFieldKey(fieldId: string): string {
  return `${CUSTOM_FIELD_KEY_PREFIX}${fieldId}`
}

/** Whether a record-map key holds one custom field's value. */
export function isCustomFieldKey(key: string): boolean {
  return key.startsWith(CUSTOM_FIELD_KEY_PREFIX)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The plain JSON of a record's `Y.Map`, as every reader sees it: the per-field entries folded into
 * `customFields: { [fieldId]: value }` over the old object form (an entry wins; a `null` entry clears the field).
 * A record with neither has no `customFields` key (schemas default it to `{}`). A malformed old value with no
 * entries is passed through as is, so validation reports it.
 */
export function recordJSON(fields: Y.Map<unknown>): Record<string, unknown> {
  const raw = fields.toJSON() as Record<string, unknown>
  const out: Record<string, unknown> = {}
  let values: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(raw)) {
    if (!isCustomFieldKey(key)) {
      out[key] = value
      continue
    }
    values ??= isPlainObject(raw.customFields) ? { ...raw.customFields } : {}
    const fieldId = key.slice(CUSTOM_FIELD_KEY_PREFIX.length)
    if (value === null || value === undefined) delete values[fieldId]
    else values[fieldId] = value
  }
  if (values !== undefined) out.customFields = values
  return out
}

/** A record's custom values as read (see `recordJSON`); `{}` when it has none or they are malformed. */
export function readCustomFields(fields: Y.Map<unknown>): Record<string, unknown> {
  const values = recordJSON(fields).customFields
  return isPlainObject(values) ? values : {}
}

/**
 * Writes the custom values of `next` that differ from what `fields` holds now, one entry per field (`null` for a field
 * that is cleared or missing from `next` among `fieldIds`). Call inside a transaction. Returns whether it wrote.
 */
export function writeCustomFields(
  fields: Y.Map<unknown>,
  next: Readonly<Record<string, unknown>>,
  fieldIds: Iterable<string> = Object.keys(next),
): boolean {
  const current = readCustomFields(fields)
  let wrote = false
  for (const fieldId of fieldIds) {
    const value = next[fieldId] ?? null
    if (jsonEqual(current[fieldId] ?? null, value)) continue
    fields.set(customFieldKey(fieldId), value)
    wrote = true
  }
  return wrote
}

/**
 * Moves a record's old-form `customFields` object into per-field entries (a field that already has an entry keeps
 * it) and deletes the object. Call inside a transaction. Returns whether the record was in the old form.
 */
export function migrateCustomFields(fields: Y.Map<unknown>): boolean {
  if (!fields.has(LEGACY_CUSTOM_FIELDS_KEY)) return false
  const legacy = fields.get(LEGACY_CUSTOM_FIELDS_KEY)
  if (isPlainObject(legacy)) {
    for (const [fieldId, value] of Object.entries(legacy)) {
      const key = customFieldKey(fieldId)
      if (!fields.has(key) && value !== null && value !== undefined) fields.set(key, value)
    }
  }
  fields.delete(LEGACY_CUSTOM_FIELDS_KEY)
  return true
}
