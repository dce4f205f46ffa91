import type { ClientRect, CollisionDetection, DroppableContainer } from '@dnd-kit/core'
import { closestCorners } from '@dnd-kit/core'
import { describe, expect, it } from 'vitest'
import { boardCollision, COLUMN_DROP_PREFIX } from './boardCollision.ts'
import { moveInColumns } from './boardLayout.ts'
import { dragOverTarget } from './dragOverTarget.ts'

/*
 * Regression for React error #185 on the 5,000-deal board: a tall card dragged from the top of Lead towards
 * the top of Qualified. The pointer stops; dnd-kit re-runs collision detection after every re-layout, and a
 * card that just moved to another column is not measured yet (its droppable is new), so closestCorners
 * answered "Qualified" and "Lead" in turn and the card bounced between the columns without end.
 */
const COLUMN_WIDTH = 272
const COLUMN_GAP = 12
const LIST_TOP = 190
const GAP = 8
const HEIGHTS: Record<string, number> = { tall: 120, a1: 90, a2: 90, b1: 90, b2: 90 }
const START: Record<string, string[]> = { lead: ['tall', 'a1', 'a2'], qualified: ['b1', 'b2'] }

const rect = (left: number, top: number, width: number, height: number): ClientRect => ({
  left,
  top,
  width,
  height,
  right: left + width,
  bottom: top + height,
})

function container(id: string, columnId: string | null): DroppableContainer {
  const data = columnId === null ? {} : { sortable: { containerId: columnId, index: 0, items: [] } }
  return {
    id,
    key: id,
    data: { current: data },
    disabled: false,
    node: { current: null },
    rect: { current: null },
  }
}

/** The rects dnd-kit would hold for `columns`; the dragged card's new droppable is not measured yet. */
function measure(columns: Record<string, string[]>, activeId: string) {
  const rects = new Map<string, ClientRect>()
  const containers: DroppableContainer[] = []
  Object.entries(columns).forEach(([columnId, ids], c) => {
    const left = c * (COLUMN_WIDTH + COLUMN_GAP)
    rects.set(`${COLUMN_DROP_PREFIX}${columnId}`, rect(left, LIST_TOP, COLUMN_WIDTH, 100_000))
    containers.push(container(`${COLUMN_DROP_PREFIX}${columnId}`, null))
    let top = LIST_TOP
    for (const id of ids) {
      const height = HEIGHTS[id] ?? 90
      containers.push(container(id, columnId))
      if (id !== activeId || columnId === 'lead')
        rects.set(id, rect(left + 8, top, COLUMN_WIDTH - 16, height))
      top += height + GAP
    }
  })
  return { rects, containers }
}

/** Re-runs collision detection and the drag-over decision until nothing changes; returns the column changes. */
function settle(detect: CollisionDetection, delta: { x: number; y: number }, guard: boolean): number {
  const activeId = 'tall'
  const grab = { x: 8 + 100, y: LIST_TOP + 15 }
  const dragged = rect(8 + delta.x, LIST_TOP + delta.y, COLUMN_WIDTH - 16, HEIGHTS.tall ?? 0)
  let columns = START
  let crossedAt: { x: number; y: number } | null = null
  let crossings = 0
  for (let i = 0; i < 60; i++) {
    const { rects, containers } = measure(columns, activeId)
    const [over] = detect({
      active: { id: activeId, data: { current: {} }, rect: { current: { initial: null, translated: null } } },
      collisionRect: dragged,
      droppableRects: rects,
      droppableContainers: containers,
      pointerCoordinates: { x: grab.x + delta.x, y: grab.y + delta.y },
    })
    if (!over) break
    const target = dragOverTarget({
      columns,
      activeId,
      overId: String(over.id),
      delta,
      lastCrossing: guard ? crossedAt : null,
    })
    if (!target) break
    columns = moveInColumns(START, activeId, target.column, target.index)
    crossedAt = delta
    crossings++
  }
  return crossings
}

describe('dragging a card between columns settles', () => {
  const between = { x: 150, y: 4 }
  const intoQualified = { x: 240, y: 4 }

  it('reproduces the bounce with closestCorners and no guard (the scenario is real)', () => {
    expect(settle(closestCorners, between, false)).toBe(60)
  })

  it('the pointer delta guard stops the bounce after one column change', () => {
    expect(settle(closestCorners, between, true)).toBe(1)
  })

  it('boardCollision picks the column under the pointer, so re-layout never changes it', () => {
    expect(settle(boardCollision, between, false)).toBe(0)
    expect(settle(boardCollision, intoQualified, false)).toBe(1)
  })
})

describe('boardCollision', () => {
  it('answers the closest card of the pointer column, or the column when it has no card', () => {
    const { rects, containers } = measure({ lead: ['a1', 'a2'], qualified: [] }, 'none')
    const args = {
      active: { id: 'x', data: { current: {} }, rect: { current: { initial: null, translated: null } } },
      droppableRects: rects,
      droppableContainers: containers,
    }
    const inLead = boardCollision({
      ...args,
      collisionRect: rect(8, LIST_TOP + 90, 256, 90),
      pointerCoordinates: { x: 100, y: LIST_TOP + 120 },
    })
    expect(inLead[0]?.id).toBe('a2')
    const inEmpty = boardCollision({
      ...args,
      collisionRect: rect(300, LIST_TOP, 256, 90),
      pointerCoordinates: { x: COLUMN_WIDTH + COLUMN_GAP + 50, y: 40 },
    })
    expect(inEmpty[0]?.id).toBe(`${COLUMN_DROP_PREFIX}qualified`)
  })
})

describe('dragOverTarget', () => {
  const columns = { lead: ['a', 'b'], won: ['c'] }
  const delta = { x: 10, y: 0 }
  it('moves before the hovered card, or to the end of a hovered column; ignores its own column', () => {
    expect(dragOverTarget({ columns, activeId: 'a', overId: 'c', delta, lastCrossing: null })).toEqual({
      column: 'won',
      index: 0,
    })
    expect(
      dragOverTarget({ columns, activeId: 'a', overId: 'column:won', delta, lastCrossing: null }),
    ).toEqual({ column: 'won', index: 1 })
    expect(dragOverTarget({ columns, activeId: 'a', overId: 'b', delta, lastCrossing: null })).toBeNull()
    expect(
      dragOverTarget({ columns, activeId: 'a', overId: 'column:gone', delta, lastCrossing: null }),
    ).toBeNull()
  })
  it('needs the pointer to move between two column changes', () => {
    expect(
      dragOverTarget({ columns, activeId: 'a', overId: 'c', delta, lastCrossing: { x: 10, y: 0 } }),
    ).toBeNull()
    expect(
      dragOverTarget({ columns, activeId: 'a', overId: 'c', delta, lastCrossing: { x: 9, y: 0 } }),
    ).not.toBeNull()
  })
})
