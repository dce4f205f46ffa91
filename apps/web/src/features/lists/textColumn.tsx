import type { ListColumn } from './listColumns.ts'

/**
 * A plain text column of `field`: sorts by the text (when the REST list can: `sortable`), shows a dash when empty,
 * edits inline (trimmed).
 */
export function textColumn<T extends Record<F, string>, F extends string>(
  field: F,
  label: string,
  width: string,
  sortable = true,
): ListColumn<T> {
  return {
    field,
    label,
    width,
    ...(sortable ? { sort: field } : {}),
    render: (row) => row[field] || <span className="muted">—</span>,
    edit: { kind: 'text', value: (row) => row[field], toPatch: (v) => ({ [field]: v.trim() }) },
  }
}
