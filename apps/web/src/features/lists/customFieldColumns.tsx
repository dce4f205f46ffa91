import type { CustomFieldDef, CustomFieldValue } from '@rapport/model'
import { formatCustomValue } from '../customFields/CustomFieldInput.tsx'
import type { ListColumn, ListOption } from './listColumns.ts'

type WithCustomFields = { customFields?: Readonly<Record<string, CustomFieldValue>> }
type Member = { userId: string; name: string }

const FILTER_PREFIX = 'cf.'
const FILTERABLE = new Set(['select', 'boolean', 'user'])

/**
 * One read-only list column per custom field (edit them on the record's page); long values end in an ellipsis. Each
 * sorts by the REST list's `cf.<fieldId>` (as the field's type says: numbers, text, member names — docs/schema.md).
 */
export function customFieldColumns<T extends WithCustomFields>(
  defs: readonly CustomFieldDef[],
  members: readonly Member[],
  currency: string,
): ListColumn<T>[] {
  return defs.map((def) => ({
    field: `cf-${def.id}`,
    label: def.label,
    width: 'minmax(120px, 1fr)',
    sort: `${FILTER_PREFIX}${def.id}`,
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
