import { compareStrings, keyForIndex, type Position } from './position.ts'

/** What the pointer is over when a card is dropped. */
export type DropTarget = { type: 'card'; id: string } | { type: 'column'; id: string }

export interface DropInput {
  /** Column id → ordered card ids, as currently displayed (insertion order of the record = column order). */
  columns: Record<string, readonly string[]>
  /** Card id → its current fractional key. */
  keys: Record<string, string>
  activeId: string
  over: DropTarget | null
  /**
   * Where to put the card relative to `over`. For a card: default is the `arrayMove` behaviour (dragging
   * down within a column lands after the card, otherwise before it). For a column: default `'after'`
   * (the end of the column); `'before'` is the top.
   */
  placement?: 'before' | 'after'
}

function findColumn(columns: Record<string, readonly string[]>, id: string): string | null {
  for (const [column, ids] of Object.entries(columns)) if (ids.includes(id)) return column
  return null
}

/**
 * The position a card lands at when dropped on the item `target` at list index `index` (among the other
 * cards of `column`), or `null` when that is where it already is. Pure.
 */
export function positionAt(
  columns: Record<string, readonly string[]>,
  keys: Record<string, string>,
  activeId: string,
  column: string,
  index: number,
): Position | null {
  const source = findColumn(columns, activeId)
  const others = (columns[column] ?? []).filter((id) => id !== activeId)
  const at = Math.max(0, Math.min(index, others.length))
  if (source === column && (columns[column] ?? []).indexOf(activeId) === at) return null
  const key = keyForIndex(
    others.map((id) => keys[id] ?? ''),
    at,
  )
  return { column, key }
}

/**
 * Resolves a kanban drop to the card's new position, or `null` for a no-op (no target, dropped on
 * itself, unknown card or column, or the same place). Pure: the caller commits the result in one
 * transaction (e.g. `moveDeal`).
 */
export function resolveDrop(input: DropInput): Position | null {
  const { columns, keys, activeId, over, placement } = input
  if (over === null) return null
  const source = findColumn(columns, activeId)
  if (source === null) return null
  if (over.type === 'column') {
    const ids = columns[over.id]
    if (ids === undefined) return null
    const others = ids.filter((id) => id !== activeId)
    return positionAt(columns, keys, activeId, over.id, placement === 'before' ? 0 : others.length)
  }
  if (over.id === activeId) return null
  const column = findColumn(columns, over.id)
  if (column === null) return null
  const ids = columns[column] ?? []
  const others = ids.filter((id) => id !== activeId)
  const overIndex = others.indexOf(over.id)
  const draggingDown = column === source && ids.indexOf(activeId) < ids.indexOf(over.id)
  const after = placement === undefined ? draggingDown : placement === 'after'
  return positionAt(columns, keys, activeId, column, after ? overIndex + 1 : overIndex)
}

export type KeyboardDirection = 'up' | 'down' | 'left' | 'right'

function orderWith(
  ids: readonly string[],
  keys: Record<string, string>,
  activeId: string,
  key: string,
): string[] {
  const keyOf = (id: string): string => (id === activeId ? key : (keys[id] ?? ''))
  return [...ids].sort((a, b) => compareStrings(keyOf(a), keyOf(b)) || compareStrings(a, b))
}

/**
 * The position after a keyboard move, or `null` when the card cannot move that way. Up/down move one
 * place within the column (skipping past a run of equal keys if needed so the card really moves);
 * left/right move to the same index in the neighbouring column (column order = key order of `columns`).
 */
export function moveByKeyboard(
  columns: Record<string, readonly string[]>,
  keys: Record<string, string>,
  activeId: string,
  direction: KeyboardDirection,
): Position | null {
  const source = findColumn(columns, activeId)
  if (source === null) return null
  const ids = columns[source] ?? []
  const index = ids.indexOf(activeId)
  if (direction === 'left' || direction === 'right') {
    const order = Object.keys(columns)
    const target = order[order.indexOf(source) + (direction === 'left' ? -1 : 1)]
    if (target === undefined) return null
    return positionAt(columns, keys, activeId, target, index)
  }
  const step = direction === 'up' ? -1 : 1
  const others = ids.filter((id) => id !== activeId)
  for (let at = index + step; at >= 0 && at <= others.length; at += step) {
    const key = keyForIndex(
      others.map((id) => keys[id] ?? ''),
      at,
    )
    const newIndex = orderWith(ids, keys, activeId, key).indexOf(activeId)
    if (direction === 'up' ? newIndex < index : newIndex > index) return { column: source, key }
  }
  return null
}
