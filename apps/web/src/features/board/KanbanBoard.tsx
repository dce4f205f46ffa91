import {
  DndContext,
  DragOverlay,
  type DragStartEvent,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import type { BoardLayout } from '@rapport/model'
import { type ReactNode, useCallback, useRef, useState } from 'react'
import { useScrollEdges } from '../../ui/useScrollEdges.ts'
import { boardAutoScroll } from './boardAutoScroll.ts'
import { boardCollision } from './boardCollision.ts'
import type { Kanban } from './useKanban.ts'

export interface KanbanBoardProps<T, L extends BoardLayout> {
  kanban: Kanban<T, L>
  testId: string
  /** Extra data attributes on the board element. */
  data?: Record<`data-${string}`, string>
  columnIds: readonly string[]
  /** Renders one column (a `BoardColumn`) with the ids as displayed (optimistic while dragging). */
  renderColumn: (columnId: string, ids: string[]) => ReactNode
  /** The title of the card shown under the pointer while dragging. */
  overlayTitle: (record: T) => string
}

/** The drag surface of a live kanban: notices, the columns in one DndContext and the drag overlay. */
export function KanbanBoard<T, L extends BoardLayout>(props: KanbanBoardProps<T, L>) {
  const { kanban, testId, data, columnIds, renderColumn, overlayTitle } = props
  const { drag, records } = kanban
  const edges = useScrollEdges()
  const boardEl = useRef<HTMLElement | null>(null)
  const boardRef = useCallback(
    (el: HTMLElement | null) => {
      boardEl.current = el
      edges.ref(el)
    },
    [edges.ref],
  )
  // Only a narrow band along the board's edges scrolls it, sized for the board's width when a drag starts.
  const [autoScroll, setAutoScroll] = useState(() => boardAutoScroll(0))
  const { onDragStart } = drag
  const startDrag = useCallback(
    (e: DragStartEvent) => {
      setAutoScroll(boardAutoScroll(boardEl.current?.clientWidth ?? 0))
      onDragStart(e)
    },
    [onDragStart],
  )
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }))
  const active = drag.mode === 'pointer' && drag.activeId ? records.byId.get(drag.activeId) : undefined
  return (
    <>
      {drag.notice && (
        <div className="notice notice--warn" role="status" data-testid="board-notice">
          {drag.notice}
          <button type="button" className="btn btn--ghost" onClick={drag.dismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      {drag.mode === 'keyboard' && (
        <p className="hint" role="status">
          Moving with the keyboard: arrows move the card, Space drops it, Escape cancels.
        </p>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={boardCollision}
        autoScroll={autoScroll}
        onDragStart={startDrag}
        onDragOver={drag.onDragOver}
        onDragEnd={drag.onDragEnd}
        onDragCancel={drag.onDragCancel}
      >
        <div
          className="board-frame"
          data-more-before={edges.more.before || undefined}
          data-more-after={edges.more.after || undefined}
        >
          <div className="board" data-testid={testId} ref={boardRef} {...data}>
            {columnIds.map((id) => renderColumn(id, drag.columns[id] ?? []))}
          </div>
        </div>
        <DragOverlay dropAnimation={null}>
          {active ? (
            <div className="card card--overlay">
              <span className="card__title">{overlayTitle(active)}</span>
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
    </>
  )
}
