import type { CustomFieldDef, CustomFieldValue } from '@rapport/model'
import { formatCustomValue } from '../customFields/CustomFieldInput.tsx'
import type { ListColumn, ListOption } from './listColumns.ts'
import type { SortValue } from './listQuery.ts'

type WithCustomFields = { customFields?: Readonly<Record<string, CustomFieldValue>> }
type Member = { userId: string; name: string }

const FILTER_PREFIX = 'cf.'
const FILTERABLE = new Set(['select', 'boolean', 'user'])

/** One read-only list column per custom field (edit them on the record's page); long values end in an ellipsis. */
export function customFieldColumns<T extends WithCustomFields>(
  defs: readonly CustomFieldDef[],
  members: readonly Member[],
  currency: string,
): ListColumn<T>[] {
  return defs.map((def) => ({
    field: `cf-${def.id}`,
    label: def.label,
    width: 'minmax(120px, 1fr)',
    sortValue: (row: T): SortValue => {
      const value = row.customFields?.[def.id]
      if (value === undefined || value === null || value === '') return null
      if (typeof value === 'number') return value
      return formatCustomValue(def, value, members, currency)
    },
    render: (row: T) => {
      const value = row.customFields?.[def.id]
      const text = formatCustomValue(def, value, members, currency)
      return text === '—' ? <span className="muted">—</span> : <span title={text}>{text}</span>
    },
  }))
}

/** Toolbar filters for the custom fields with a fixed set of values (choices, yes/no, members). */
export function customFieldFilters(
  defs: readonly CustomFieldDef[],
  members: readonly Member[],
): Array<{ key: string; label: string; options: ListOption[] }> {
  return defs
    .filter((d) => FILTERABLE.has(d.type))
    .map((def) => ({
      key: `${FILTER_PREFIX}${def.id}`,
      label: def.label,
      options:
        def.type === 'boolean'
          ? [
              { value: 'true', label: 'Yes' },
              { value: 'false', label: 'No' },
            ]
          : def.type === 'user'
            ? members.map((m) => ({ value: m.userId, label: m.name }))
            : def.options.map((o) => ({ value: o, label: o })),
    }))
}

/** `filterValue` that also answers `cf.<fieldId>` filter keys (the field's value as text), else asks `base`. */
export function withCustomFieldFilters<T extends WithCustomFields>(
  base: (row: T, key: string) => string | null,
): (row: T, key: string) => string | null {
  return (row, key) => {
    if (!key.startsWith(FILTER_PREFIX)) return base(row, key)
    const value = row.customFields?.[key.slice(FILTER_PREFIX.length)]
    if (value === undefined || value === null) return null
    return Array.isArray(value) ? value.join(', ') : String(value)
  }
}
