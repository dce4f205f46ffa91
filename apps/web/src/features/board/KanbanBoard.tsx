import {
  DndContext,
  DragOverlay,
  type DragStartEvent,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import type { BoardLayout } from '@rapport/model'
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react'
import { useScrollEdges } from '../../ui/useScrollEdges.ts'
import './board.css'
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
  /** The name of a column in the narrow-screen switcher (defaults to its id). */
  columnLabel?: (columnId: string) => string
  /** What the switcher picks, e.g. "Stage". */
  switcherLabel?: string
}

/** The drag surface of a live kanban: notices, the columns in one DndContext and the drag overlay. */
export function KanbanBoard<T, L extends BoardLayout>(props: KanbanBoardProps<T, L>) {
  const { kanban, testId, data, columnIds, renderColumn, overlayTitle } = props
  const { columnLabel = (id: string) => id, switcherLabel = 'Column' } = props
  const { drag, records } = kanban
  // Narrow screens show one column at a time (CSS); the switcher picks it and follows a card moved by keyboard.
  const [picked, setPicked] = useState<string | null>(null)
  const liftedIn =
    drag.mode === 'keyboard' && drag.activeId
      ? columnIds.find((id) => drag.columns[id]?.includes(drag.activeId as string))
      : undefined
  useEffect(() => {
    if (liftedIn) setPicked(liftedIn)
  }, [liftedIn])
  // The lifted card's column shows in the same render, so the card (re-mounted there) can keep the focus.
  const shown = liftedIn ?? (picked && columnIds.includes(picked) ? picked : columnIds[0])
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
        <label className="board-switcher">
          <span>{switcherLabel}</span>
          <select
            value={shown ?? ''}
            onChange={(e) => setPicked(e.target.value)}
            data-testid={`${testId}-switcher`}
          >
            {columnIds.map((id) => (
              <option key={id} value={id}>
                {columnLabel(id)} ({drag.columns[id]?.length ?? 0})
              </option>
            ))}
          </select>
        </label>
        <div
          className="board-frame"
          data-more-before={edges.more.before || undefined}
          data-more-after={edges.more.after || undefined}
        >
          <div className="board" data-testid={testId} ref={boardRef} {...data}>
            {columnIds.map((id) => (
              // `display: contents` on a wide screen: the lane only decides which column a narrow screen shows.
              <div key={id} className={`board__lane${id === shown ? ' is-shown' : ''}`}>
                {renderColumn(id, drag.columns[id] ?? [])}
              </div>
            ))}
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
