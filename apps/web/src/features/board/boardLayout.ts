import { compareByPosition, type Position } from '@rapport/model'

/** What a kanban needs of a record: its id, its `{column, key}` position and whether it is archived. */
export interface BoardRecord {
  id: string
  position: Position
  archived: boolean
}

/** The live order of a board: the shape `resolveDrop` and `moveByKeyboard` take. */
export interface BoardLayout {
  /** Column id → ordered record ids, in column order. */
  columns: Record<string, string[]>
  /** Record id → its fractional key. */
  keys: Record<string, string>
}

/**
 * Groups records into `columnIds` ordered by (key, id). Archived records and those `include` rejects are
 * hidden; records of an unknown column are shown in the first column so they stay reachable.
 */
export function layoutBoard<T extends BoardRecord>(
  records: Iterable<T>,
  columnIds: readonly string[],
  include: (record: T) => boolean = () => true,
): BoardLayout & { records: Record<string, T[]> } {
  const known = new Set(columnIds)
  const first = columnIds[0]
  const buckets: Record<string, T[]> = {}
  for (const id of columnIds) buckets[id] = []
  const keys: Record<string, string> = {}
  for (const record of records) {
    if (record.archived || !include(record)) continue
    const column = known.has(record.position.column) ? record.position.column : first
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

/** The column holding `id`, or `null`. */
export function columnOf(columns: Record<string, readonly string[]>, id: string): string | null {
  for (const [column, ids] of Object.entries(columns)) if (ids.includes(id)) return column
  return null
}

/**
 * Moves `id` to `column` at `index` in a local copy of the columns (the optimistic order shown while dragging).
 * Nothing is written to the document.
 */
export function moveInColumns(
  columns: Record<string, readonly string[]>,
  id: string,
  column: string,
  index: number,
): Record<string, string[]> {
  const next: Record<string, string[]> = {}
  for (const [c, ids] of Object.entries(columns)) next[c] = ids.filter((x) => x !== id)
  const target = next[column]
  if (!target) return next
  target.splice(Math.max(0, Math.min(index, target.length)), 0, id)
  return next
}

/**
 * The drop target that reproduces the optimistic placement of `id` in `columns`: after its predecessor, before
 * its successor, or the column itself when it is alone. Feed this to `resolveDrop` with the REAL columns.
 */
export function dropTargetFor(
  columns: Record<string, readonly string[]>,
  id: string,
): { over: { type: 'card' | 'column'; id: string }; placement: 'before' | 'after' } | null {
  const column = columnOf(columns, id)
  if (column === null) return null
  const ids = columns[column] ?? []
  const index = ids.indexOf(id)
  const prev = ids[index - 1]
  if (prev !== undefined) return { over: { type: 'card', id: prev }, placement: 'after' }
  const next = ids[index + 1]
  if (next !== undefined) return { over: { type: 'card', id: next }, placement: 'before' }
  return { over: { type: 'column', id: column }, placement: 'before' }
}

/** Applies a position to a local board copy (keyboard mode), keeping the (key, id) order. */
export function applyPosition(layout: BoardLayout, id: string, position: Position): BoardLayout {
  const keys = { ...layout.keys, [id]: position.key }
  const columns: Record<string, string[]> = {}
  for (const [c, ids] of Object.entries(layout.columns)) columns[c] = ids.filter((x) => x !== id)
  const target = columns[position.column]
  if (target) {
    target.push(id)
    target.sort((a, b) => {
      const ka = keys[a] ?? ''
      const kb = keys[b] ?? ''
      return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0
    })
  }
  return { columns, keys }
}

/**
 * `next` with every column whose ids did not change replaced by the previous array, so a change in one column
 * leaves the others (their SortableContext and virtualizer) untouched.
 */
export function shareUnchangedColumns(
  prev: Record<string, string[]> | null,
  next: Record<string, string[]>,
): Record<string, string[]> {
  if (!prev) return next
  const out: Record<string, string[]> = {}
  for (const [column, ids] of Object.entries(next)) {
    const old = prev[column]
    out[column] = old && old.length === ids.length && old.every((id, i) => id === ids[i]) ? old : ids
  }
  return out
}
