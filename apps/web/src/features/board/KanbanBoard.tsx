import { DndContext, DragOverlay, PointerSensor, useSensor, useSensors } from '@dnd-kit/core'
import type { BoardLayout } from '@rapport/model'
import type { ReactNode } from 'react'
import { useScrollEdges } from '../../ui/useScrollEdges.ts'
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
        onDragStart={drag.onDragStart}
        onDragOver={drag.onDragOver}
        onDragEnd={drag.onDragEnd}
        onDragCancel={drag.onDragCancel}
      >
        <div
          className="board-frame"
          data-more-before={edges.more.before || undefined}
          data-more-after={edges.more.after || undefined}
        >
          <div className="board" data-testid={testId} ref={edges.ref} {...data}>
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
