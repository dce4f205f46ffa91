import { useDroppable } from '@dnd-kit/core'
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable'
import { useVirtualizer } from '@tanstack/react-virtual'
import { type ReactNode, useCallback, useRef } from 'react'
import { COLUMN_DROP_PREFIX } from './boardCollision.ts'

export interface BoardColumnProps {
  columnId: string
  label: string
  testId: string
  /** Extra classes for the section (`column` is always set). */
  className?: string
  ids: string[]
  /** Header content: title, count, figures. */
  header: ReactNode
  /** Below the list (quick add). */
  footer?: ReactNode
  emptyLabel: string
  /** Estimated card height before measuring. */
  estimateSize: number
  renderCard: (id: string) => ReactNode
}

/** One kanban column: a droppable, sortable, virtualized list of cards. */
export function BoardColumn(props: BoardColumnProps) {
  const { columnId, label, testId, className, ids, header, footer, emptyLabel, estimateSize, renderCard } =
    props
  const { setNodeRef, isOver } = useDroppable({ id: `${COLUMN_DROP_PREFIX}${columnId}` })
  const scrollRef = useRef<HTMLDivElement | null>(null)
  // Stable while the column's ids are: a new key function makes the virtualizer re-measure every item.
  const getItemKey = useCallback((index: number) => ids[index] ?? index, [ids])
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateSize,
    overscan: 8,
    getItemKey,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]
  const last = items[items.length - 1]
  const padTop = first ? first.start : 0
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0

  return (
    <section
      className={`column${className ? ` ${className}` : ''}${isOver ? ' is-over' : ''}`}
      data-testid={testId}
      aria-label={label}
    >
      <header className="column__header">{header}</header>
      <div className="column__body" ref={scrollRef}>
        <div
          ref={setNodeRef}
          className="column__list"
          style={{ paddingTop: padTop, paddingBottom: padBottom }}
        >
          <SortableContext id={columnId} items={ids} strategy={verticalListSortingStrategy}>
            {items.map((item) => {
              const id = ids[item.index]
              if (id === undefined) return null
              return (
                <div
                  key={id}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="column__slot"
                >
                  {renderCard(id)}
                </div>
              )
            })}
          </SortableContext>
          {ids.length === 0 && <div className="column__empty">{emptyLabel}</div>}
        </div>
      </div>
      {footer}
    </section>
  )
}
