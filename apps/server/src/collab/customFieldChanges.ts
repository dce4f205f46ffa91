import { CUSTOM_FIELD_KEY_PREFIX, customFieldKey, type FieldChange, jsonEqual } from '@rapport/model'

type Values = Record<string, unknown>

const valuesOf = (value: unknown): Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Values) : {}

/**
 * A change of a record's `customFields` as one change per custom field that changed, named `cf:<fieldId>` (its
 * record-map key, docs/schema.md §3.9) with the field's label, so the timeline reads "changed Seats from 10 to 12"
 * instead of "changed Custom fields". `labelOf` answers undefined for a field that is not defined (any more).
 */
export function customFieldChanges(
  before: unknown,
  after: unknown,
  labelOf: (fieldId: string) => string | undefined,
): FieldChange[] {
  const from = valuesOf(before)
  const to = valuesOf(after)
  const changes: FieldChange[] = []
  for (const fieldId of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
    if (jsonEqual(from[fieldId], to[fieldId])) continue
    changes.push({
      field: customFieldKey(fieldId),
      label: labelOf(fieldId) ?? 'a custom field',
      before: from[fieldId] ?? null,
      after: to[fieldId] ?? null,
    })
  }
  return changes
}

/** For a lost set of entry `field` of `record`: the custom field's label and value before, or null if not one. */
export function customFieldOfEntry(
  field: string,
  record: Values,
  labelOf: (fieldId: string) => string | undefined,
): { label: string; before: unknown } | null {
  if (!field.startsWith(CUSTOM_FIELD_KEY_PREFIX)) return null
  const fieldId = field.slice(CUSTOM_FIELD_KEY_PREFIX.length)
  return {
    label: labelOf(fieldId) ?? 'a custom field',
    before: valuesOf(record.customFields)[fieldId] ?? null,
  }
}
