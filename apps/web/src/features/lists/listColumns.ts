import type { ReactNode } from 'react'

export interface ListOption {
  value: string
  label: string
}

/** How a cell is edited inline; `toPatch` turns the edited text into a model command patch. */
export interface CellEditor<T> {
  kind: 'text' | 'number' | 'select'
  /** The stored value, as the editor shows it. */
  value: (row: T) => string
  /** A select's choices, or the choices for one row. */
  options?: readonly ListOption[] | ((row: T) => readonly ListOption[])
  toPatch: (text: string) => Record<string, unknown>
}

/** One column of a record list. `field` names the column in testids (`cell-<id>-<field>`) and the sort state. */
export interface ListColumn<T> {
  field: string
  label: string
  /** CSS grid track, e.g. `minmax(160px, 2fr)`. */
  width: string
  /** The REST list's `sort` field for this column; absent = the server cannot sort by it (no sort button). */
  sort?: string
  render: (row: T) => ReactNode
  edit?: CellEditor<T>
}

/** Options of a select editor or filter, from a fixed list of values (labels are the values, capitalized by CSS). */
/** `cold_call` → `Cold call`. */
export const sentenceCase = (value: string): string => {
  const words = value.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function enumOptions(values: readonly string[]): ListOption[] {
  // Sentence case for people ("Strategic", "Cold call"); the stored value stays as it is.
  return values.map((value) => ({ value, label: sentenceCase(value) }))
}
