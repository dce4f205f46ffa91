import { type ClientRect, type CollisionDetection, closestCenter, closestCorners } from '@dnd-kit/core'

/** The prefix of a column's droppable id (`column:<columnId>`); cards use their record id. */
export const COLUMN_DROP_PREFIX = 'column:'

/** Horizontal distance from `x` to a rect (0 inside it). */
function xDistance(x: number, rect: ClientRect): number {
  if (x < rect.left) return rect.left - x
  if (x > rect.right) return x - rect.right
  return 0
}

/**
 * Collision detection of a kanban. The column is the one under the pointer, by x only (columns never move
 * when cards are laid out again); the card is the closest card of THAT column. Comparing the dragged rect
 * against the cards of every column (`closestCorners`) lets the optimistic move itself change the answer:
 * moving the card to column B shifts the cards of A and B, the closest card is then in A, the card moves back,
 * and so on until React gives up ("maximum update depth exceeded").
 */
export const boardCollision: CollisionDetection = (args) => {
  const { pointerCoordinates, droppableContainers, droppableRects } = args
  if (!pointerCoordinates) return closestCorners(args)
  let column: (typeof droppableContainers)[number] | null = null
  let best = Number.POSITIVE_INFINITY
  for (const container of droppableContainers) {
    const id = String(container.id)
    if (!id.startsWith(COLUMN_DROP_PREFIX)) continue
    const rect = droppableRects.get(container.id)
    if (!rect) continue
    const distance = xDistance(pointerCoordinates.x, rect)
    if (distance < best) {
      best = distance
      column = container
    }
  }
  if (!column) return closestCorners(args)
  const columnId = String(column.id).slice(COLUMN_DROP_PREFIX.length)
  const cards = droppableContainers.filter(
    (c) =>
      (c.data.current as { sortable?: { containerId?: unknown } } | undefined)?.sortable?.containerId ===
      columnId,
  )
  const closest = cards.length > 0 ? closestCenter({ ...args, droppableContainers: cards }) : []
  return closest.length > 0 ? closest : [{ id: column.id, data: { droppableContainer: column, value: best } }]
}
