import type { AutoScrollOptions } from '@dnd-kit/core'

/** How close to the board's left or right edge (px) a dragged card must be to scroll the board sideways. */
export const EDGE_SCROLL_BAND = 48

/** dnd-kit's default share of a scroll container, on each side, that scrolls it during a drag. */
const DEFAULT_THRESHOLD = 0.2

/**
 * Auto-scroll of a kanban `boardWidth` px wide. dnd-kit scrolls a container while the pointer is within a share
 * of its size from an edge — 20% by default, i.e. the right 280 px of a 1,400 px board: exactly where the
 * half-visible column sits. Hovering that column to drop on it scrolled the board under the still pointer
 * until the next column was under it, and the card landed there. Sideways, only a narrow band along each edge
 * scrolls; up and down inside a column keeps dnd-kit's default.
 */
export function boardAutoScroll(boardWidth: number): AutoScrollOptions {
  const x = boardWidth > 0 ? Math.min(DEFAULT_THRESHOLD, EDGE_SCROLL_BAND / boardWidth) : DEFAULT_THRESHOLD
  return { threshold: { x, y: DEFAULT_THRESHOLD } }
}
