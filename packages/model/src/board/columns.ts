import { compareByPosition, type Position } from './position.ts'

/** What a kanban needs of a record: its id, its `{column, key}` position and whether it is archived. */
export interface BoardRecord {
  id: string
  position: Position
  archived: boolean
}

/** The order of a board: the shape `resolveDrop` and `moveByKeyboard` take. */
export interface BoardLayout {
  /** Column id → ordered record ids, in column order. */
  columns: Record<string, string[]>
  /** Record id → its fractional key. */
  keys: Record<string, string>
}

/**
 * Groups records into `columnIds` ordered by (key, id). Archived records and those `include` rejects are
 * hidden. `columnOf` places each record (deals: `placeDeal` through `layoutDeals`); by default a record of an
 * unknown column is shown in the first column so it stays reachable. The browser's live boards and the server's
 * board snapshot both lay out with this function.
 */
export function layoutBoard<T extends BoardRecord>(
  records: Iterable<T>,
  columnIds: readonly string[],
  include: (record: T) => boolean = () => true,
  columnOf?: (record: T) => string | undefined,
): BoardLayout & { records: Record<string, T[]> } {
  const known = new Set(columnIds)
  const first = columnIds[0]
  const buckets: Record<string, T[]> = {}
  for (const id of columnIds) buckets[id] = []
  const keys: Record<string, string> = {}
  for (const record of records) {
    if (record.archived || !include(record)) continue
    const column = columnOf
      ? columnOf(record)
      : known.has(record.position.column)
        ? record.position.column
        : first
    if (column === undefined) continue
    buckets[column]?.push(record)
    keys[record.id] = record.position.key
  }
  const columns: Record<string, string[]> = {}
  for (const id of columnIds) {
    const list = (buckets[id] ?? []).sort(compareByPosition)
    buckets[id] = list
    columns[id] = list.map((r) => r.id)
  }
  return { columns, keys, records: buckets }
}

/** The deals of one currency in a column: amounts in different currencies are never added together. */
export interface CurrencyTotal {
  currency: string
  total: number
  /** Sum of amount × stage probability, rounded to cents. */
  weighted: number
}

/** Sums amounts per currency, largest first (ties by currency code); weighted = total × probability. */
export function totalsByCurrency(
  deals: Iterable<{ amount: number; currency: string }>,
  probability: number,
): CurrencyTotal[] {
  const sums = new Map<string, number>()
  for (const d of deals) sums.set(d.currency, (sums.get(d.currency) ?? 0) + d.amount)
  return [...sums]
    .map(([currency, total]) => ({
      currency,
      total,
      weighted: Math.round(total * probability * 100) / 100,
    }))
    .sort((a, b) => b.total - a.total || a.currency.localeCompare(b.currency))
}
