import type { BoardLayout, Position } from '@rapport/model'

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
