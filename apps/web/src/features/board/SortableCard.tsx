import { useSortable } from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import { type ReactNode, useCallback, useEffect, useRef } from 'react'

export interface CardDragState {
  /** Someone else is dragging this card. */
  draggedBy: { name: string; color: string } | null
  keyboardLifted: boolean
  arrived: boolean
  readOnly: boolean
  onKey: (id: string, key: string) => boolean
}

export interface SortableCardProps extends CardDragState {
  id: string
  testId: string
  column: string
  /** Extra classes (`card` and the drag state classes are always set). */
  className?: string
  roleDescription: string
  label: string
  children: ReactNode
}

/** The draggable shell of a kanban card: sortable with the pointer, or with Space + arrows when focused. */
export function SortableCard(props: SortableCardProps) {
  const { id, testId, column, className, roleDescription, label, children } = props
  const { draggedBy, keyboardLifted, arrived, readOnly, onKey } = props
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id,
    disabled: readOnly,
  })
  const elementRef = useRef<HTMLElement | null>(null)
  const ref = useCallback(
    (el: HTMLElement | null) => {
      elementRef.current = el
      setNodeRef(el)
    },
    [setNodeRef],
  )
  // A keyboard move to another column remounts the card there: keep the focus on it.
  useEffect(() => {
    if (keyboardLifted && elementRef.current && document.activeElement !== elementRef.current) {
      elementRef.current.focus({ preventScroll: false })
    }
  })
  const classes = ['card']
  if (className) classes.push(className)
  if (isDragging) classes.push('card--dragging')
  if (keyboardLifted) classes.push('card--lifted')
  if (draggedBy) classes.push('card--remote-drag')
  if (arrived) classes.push('card--arrived')
  return (
    <article
      ref={ref}
      className={classes.join(' ')}
      style={{
        transform: CSS.Translate.toString(transform),
        transition,
        ...(draggedBy ? { outlineColor: draggedBy.color } : {}),
      }}
      data-testid={testId}
      data-column={column}
      data-lifted={keyboardLifted || undefined}
      {...attributes}
      {...listeners}
      aria-roledescription={roleDescription}
      aria-label={label}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return
        if (onKey(id, e.key)) {
          e.preventDefault()
          e.stopPropagation()
        }
      }}
    >
      {children}
      {draggedBy && (
        <div className="card__dragged-by" data-testid="dragged-by" style={{ color: draggedBy.color }}>
          {draggedBy.name} is moving this
        </div>
      )}
    </article>
  )
}

/** Stops a pointer/key event on a control inside a card from starting a drag. */
export const stopDrag = {
  onPointerDown: (e: { stopPropagation: () => void }) => e.stopPropagation(),
  onKeyDown: (e: { stopPropagation: () => void }) => e.stopPropagation(),
}
