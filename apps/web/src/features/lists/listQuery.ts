/** Pure helpers behind the record lists: text search, filters, sorting and a stable order while editing. */

export type SortDir = 'asc' | 'desc'

export interface SortState {
  field: string
  dir: SortDir
}

export type SortValue = string | number | null

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function toggleSort(current: SortState | null, field: string): SortState {
  if (current?.field === field) return { field, dir: current.dir === 'asc' ? 'desc' : 'asc' }
  return { field, dir: 'asc' }
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true })

function compareValues(a: SortValue, b: SortValue): number {
  const aEmpty = a === null || a === ''
  const bEmpty = b === null || b === ''
  if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}

/**
 * Rows sorted by `value` in `dir`; empty values always last, ties broken by id so every replica shows the same
 * order. Each value is read once (decorate–sort–undecorate), which keeps 20,000 rows fast.
 */
export function sortRows<T extends { id: string }>(
  rows: Iterable<T>,
  value: (row: T) => SortValue,
  dir: SortDir,
): T[] {
  const decorated = Array.from(rows, (row) => ({ row, key: value(row) }))
  const sign = dir === 'asc' ? 1 : -1
  decorated.sort((x, y) => {
    const xEmpty = x.key === null || x.key === ''
    const yEmpty = y.key === null || y.key === ''
    if (xEmpty !== yEmpty) return xEmpty ? 1 : -1
    const byValue = compareValues(x.key, y.key) * sign
    if (byValue !== 0) return byValue
    return x.row.id < y.row.id ? -1 : x.row.id > y.row.id ? 1 : 0
  })
  return decorated.map((d) => d.row)
}

/** Lower-cased search tokens of a query (`"  Acme  Berlin "` → `["acme", "berlin"]`). */
export function queryTokens(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean)
}

/** True when every token occurs somewhere in the (lower-cased) haystack. */
export function matchesTokens(haystack: string, tokens: readonly string[]): boolean {
  for (const t of tokens) if (!haystack.includes(t)) return false
  return true
}

/**
 * Memoizes the lower-cased search text of each record object. Live snapshots keep unchanged records as the same
 * objects, so after an edit only the touched record is re-joined.
 */
export function haystackCache<T extends object>(
  parts: (row: T) => ReadonlyArray<string | null | undefined>,
): (row: T) => string {
  const cache = new WeakMap<T, string>()
  return (row) => {
    let text = cache.get(row)
    if (text === undefined) {
      text = parts(row)
        .filter((p): p is string => typeof p === 'string' && p !== '')
        .join(' ')
        .toLowerCase()
      cache.set(row, text)
    }
    return text
  }
}

/** `null` means "any". */
export type FilterValues = Readonly<Record<string, string | null>>

export interface RowQuery<T> {
  text: string
  haystack: (row: T) => string
  filters: FilterValues
  /** The value a filter key compares against (`null` = empty, matched by the filter value `''`). */
  filterValue: (row: T, key: string) => string | null
}

/** Rows matching the text query and every active filter, in their input order. */
export function filterRows<T>(rows: readonly T[], query: RowQuery<T>): T[] {
  const tokens = queryTokens(query.text)
  const active = Object.entries(query.filters).filter(
    (e): e is [string, string] => e[1] !== null && e[1] !== undefined,
  )
  if (tokens.length === 0 && active.length === 0) return rows.slice()
  return rows.filter((row) => {
    for (const [key, wanted] of active) {
      if ((query.filterValue(row, key) ?? '') !== wanted) return false
    }
    return tokens.length === 0 || matchesTokens(query.haystack(row), tokens)
  })
}

/**
 * The order to show while a cell is being edited: the previous order of ids still present, then new ids in their
 * new order. Rows never jump under the cursor because of a remote change.
 */
export function freezeOrder(previous: readonly string[], next: readonly string[]): string[] {
  const present = new Set(next)
  const kept = previous.filter((id) => present.has(id))
  const known = new Set(kept)
  for (const id of next) if (!known.has(id)) kept.push(id)
  return kept
}
