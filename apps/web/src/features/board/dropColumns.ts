import { COLUMN_DROP_PREFIX } from './boardCollision.ts'
import { columnOf, moveInColumns } from './boardLayout.ts'

/**
 * The columns a pointer drop is resolved against: the columns as shown while dragging, with the dragged card put
 * where the drop happened — in the column under the pointer (`overId`, from `boardCollision`), before the hovered
 * card or at the end of the column.
 *
 * The columns as shown follow the LAST column change of the drag, and `dragOverTarget` refuses a change while
 * the pointer has not moved (its guard against re-layout loops); when the board scrolls under a still pointer
 * the shown column can lag behind the one under the pointer. The drop follows the pointer, never the lag.
 */
export function columnsAtDrop(
  columns: Record<string, readonly string[]>,
  activeId: string,
  overId: string,
): Record<string, readonly string[]> {
  const shown = columnOf(columns, activeId)
  if (shown === null || overId === activeId) return columns
  const isColumn = overId.startsWith(COLUMN_DROP_PREFIX)
  const over = isColumn ? overId.slice(COLUMN_DROP_PREFIX.length) : columnOf(columns, overId)
  if (over === null || !(over in columns)) return columns
  if (isColumn) return over === shown ? columns : moveInColumns(columns, activeId, over, Infinity)
  const ids = columns[over] ?? []
  return moveInColumns(columns, activeId, over, ids.indexOf(overId))
}
