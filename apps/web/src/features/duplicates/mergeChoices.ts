import type { AnyRecord, DuplicateKind, MergeSide } from './duplicatesApi.ts'

/**
 * The pure part of the merge dialog: which fields of two records differ, the default choice per field, and the
 * request body. Custom fields are `cf.<fieldId>`.
 */

export interface MergeField {
  field: string
  label: string
}

/** The fields a merge chooses between, per kind, in the order the dialog shows them. */
export const MERGE_FIELDS: Record<DuplicateKind, readonly MergeField[]> = {
  contacts: [
    { field: 'firstName', label: 'First name' },
    { field: 'lastName', label: 'Last name' },
    { field: 'email', label: 'Email' },
    { field: 'phone', label: 'Phone' },
    { field: 'title', label: 'Title' },
    { field: 'accountId', label: 'Account' },
    { field: 'leadStatus', label: 'Status' },
    { field: 'source', label: 'Source' },
    { field: 'score', label: 'Score' },
    { field: 'ownerId', label: 'Owner' },
  ],
  accounts: [
    { field: 'name', label: 'Name' },
    { field: 'domain', label: 'Domain' },
    { field: 'website', label: 'Website' },
    { field: 'phone', label: 'Phone' },
    { field: 'industry', label: 'Industry' },
    { field: 'size', label: 'Size' },
    { field: 'tier', label: 'Tier' },
    { field: 'team', label: 'Team' },
    { field: 'city', label: 'City' },
    { field: 'country', label: 'Country' },
    { field: 'ownerId', label: 'Owner' },
  ],
}

/** A field's value on a record (`cf.<id>` reads its custom fields). */
export function fieldValue(record: AnyRecord, field: string): unknown {
  if (field.startsWith('cf.')) return record.customFields?.[field.slice(3)]
  return (record as Record<string, unknown>)[field]
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)

const same = (a: unknown, b: unknown): boolean =>
  (isEmpty(a) && isEmpty(b)) || JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

export interface FieldDifference extends MergeField {
  survivor: unknown
  merged: unknown
}

/** The fields whose values differ between the two records (custom fields after the kind's own). */
export function differingFields(
  kind: DuplicateKind,
  survivor: AnyRecord,
  merged: AnyRecord,
  customFields: readonly { id: string; label: string }[] = [],
): FieldDifference[] {
  const fields: MergeField[] = [
    ...MERGE_FIELDS[kind],
    ...customFields.map((d) => ({ field: `cf.${d.id}`, label: d.label })),
  ]
  const out: FieldDifference[] = []
  for (const f of fields) {
    const a = fieldValue(survivor, f.field)
    const b = fieldValue(merged, f.field)
    if (!same(a, b)) out.push({ ...f, survivor: a, merged: b })
  }
  return out
}

/** The survivor's value wins, except where it is empty and the merged record has one. */
export function defaultChoices(diffs: readonly FieldDifference[]): Record<string, MergeSide> {
  return Object.fromEntries(
    diffs.map((d) => [d.field, isEmpty(d.survivor) && !isEmpty(d.merged) ? 'merged' : 'survivor']),
  )
}

/** The survivor's values after the merge, as the dialog's choices make them (shown in the summary). */
export function mergedValues(
  diffs: readonly FieldDifference[],
  choices: Readonly<Record<string, MergeSide>>,
): Record<string, unknown> {
  return Object.fromEntries(
    diffs.map((d) => [d.field, choices[d.field] === 'merged' ? d.merged : d.survivor]),
  )
}

/** Swaps the roles: the other record survives, each choice keeps the same value. */
export function swapChoices(choices: Readonly<Record<string, MergeSide>>): Record<string, MergeSide> {
  return Object.fromEntries(
    Object.entries(choices).map(([f, side]) => [f, side === 'survivor' ? 'merged' : 'survivor']),
  )
}
