import { useDroppable } from '@dnd-kit/core'
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable'
import type { Stage } from '@rapport/model'
import { useVirtualizer } from '@tanstack/react-virtual'
import { type ReactNode, useRef } from 'react'
import { type ColumnSummary, formatMoney } from './boardColumns.ts'
import { QuickAdd } from './QuickAdd.tsx'
import { COLUMN_DROP_PREFIX } from './useBoardDrag.ts'

const CARD_HEIGHT = 118

export interface BoardColumnProps {
  stage: Stage
  ids: string[]
  summary: ColumnSummary | undefined
  readOnly: boolean
  renderCard: (id: string) => ReactNode
  onQuickAdd: (stageId: string, title: string) => void
}

/** One stage: header with count, total and weighted value, then a virtualized list of cards. */
export function BoardColumn({ stage, ids, summary, readOnly, renderCard, onQuickAdd }: BoardColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id: `${COLUMN_DROP_PREFIX}${stage.id}` })
  const scrollRef = useRef<HTMLDivElement | null>(null)
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_HEIGHT,
    overscan: 8,
    getItemKey: (index) => ids[index] ?? index,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]
  const last = items[items.length - 1]
  const padTop = first ? first.start : 0
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0

  return (
    <section
      className={`column column--${stage.outcome}${isOver ? ' is-over' : ''}`}
      data-testid={`column-${stage.id}`}
      aria-label={stage.name}
    >
      <header className="column__header">
        <div className="column__title">
          <span>{stage.name}</span>
          <span className="column__count" data-testid={`count-${stage.id}`}>
            {summary?.count ?? ids.length}
          </span>
        </div>
        <div className="column__figures">
          <span data-testid={`total-${stage.id}`}>
            {formatMoney(summary?.total ?? 0, summary?.currency ?? null)}
          </span>
          <span className="column__weighted" title={`Weighted at ${Math.round(stage.probability * 100)}%`}>
            ≈ {formatMoney(summary?.weighted ?? 0, summary?.currency ?? null)}
          </span>
        </div>
      </header>
      <div className="column__body" ref={scrollRef}>
        <div
          ref={setNodeRef}
          className="column__list"
          style={{ paddingTop: padTop, paddingBottom: padBottom }}
        >
          <SortableContext id={stage.id} items={ids} strategy={verticalListSortingStrategy}>
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
          {ids.length === 0 && <div className="column__empty">Drop deals here</div>}
        </div>
      </div>
      {!readOnly && stage.outcome === 'open' && (
        <QuickAdd stageId={stage.id} onAdd={(title) => onQuickAdd(stage.id, title)} />
      )}
    </section>
  )
}
