import { COLUMN_DROP_PREFIX } from './boardCollision.ts'
import { columnOf } from './boardLayout.ts'

export interface DragOverInput {
  /** The columns as displayed (with the optimistic placement of the dragged card). */
  columns: Record<string, readonly string[]>
  activeId: string
  /** The droppable under the dragged card: a card id or `column:<id>`. */
  overId: string
  /** The pointer's offset since the drag started (dnd-kit's `delta`, scroll included). */
  delta: { x: number; y: number }
  /** `delta` when the card last changed column in this drag, `null` before the first change. */
  lastCrossing: { x: number; y: number } | null
}

/**
 * Where a pointer drag puts the dragged card when it hovers `overId`: another column (before the hovered
 * card, or at the end of the column), or `null` when it stays where it is shown. Moving within a column is
 * left to the sortable strategy and resolved on drop.
 *
 * A column change needs the pointer to have moved since the previous one: dnd-kit re-runs collision detection
 * when the cards are laid out again, and the optimistic move itself changes the layout, so without this rule
 * one pointer position can bounce the card between two columns forever (React error #185).
 */
export function dragOverTarget(input: DragOverInput): { column: string; index: number } | null {
  const { columns, activeId, overId, delta, lastCrossing } = input
  if (lastCrossing && lastCrossing.x === delta.x && lastCrossing.y === delta.y) return null
  const isColumn = overId.startsWith(COLUMN_DROP_PREFIX)
  const overColumn = isColumn ? overId.slice(COLUMN_DROP_PREFIX.length) : columnOf(columns, overId)
  if (overColumn === null || !(overColumn in columns)) return null
  if (overColumn === columnOf(columns, activeId)) return null
  const overIds = columns[overColumn] ?? []
  return { column: overColumn, index: isColumn ? overIds.length : Math.max(0, overIds.indexOf(overId)) }
}
