import { useSortable } from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import type { Deal, Stage } from '@rapport/model'
import { memo, useCallback, useEffect, useRef } from 'react'
import { Avatar } from '../../ui/Avatar.tsx'
import { daysInStage, formatMoney, isStale } from './boardColumns.ts'

export interface DealCardProps {
  deal: Deal
  stage: Stage | undefined
  accountName: string | null
  owner: { name: string; color: string } | null
  now: number
  /** Someone else is dragging this card. */
  draggedBy: { name: string; color: string } | null
  keyboardLifted: boolean
  arrived: boolean
  readOnly: boolean
  onKey: (dealId: string, key: string) => boolean
  onOutcome: (dealId: string, outcome: 'won' | 'lost') => void
}

/** A deal on the board: sortable with the pointer, or with Space + arrows when focused. */
export const DealCard = memo(function DealCard(props: DealCardProps) {
  const {
    deal,
    stage,
    accountName,
    owner,
    now,
    draggedBy,
    keyboardLifted,
    arrived,
    readOnly,
    onKey,
    onOutcome,
  } = props
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: deal.id,
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
  const stale = isStale(deal, stage, now)
  const days = daysInStage(deal, now)
  const classes = ['card']
  if (isDragging) classes.push('card--dragging')
  if (keyboardLifted) classes.push('card--lifted')
  if (draggedBy) classes.push('card--remote-drag')
  if (arrived) classes.push('card--arrived')
  if (stale) classes.push('card--stale')
  return (
    <article
      ref={ref}
      className={classes.join(' ')}
      style={{
        transform: CSS.Translate.toString(transform),
        transition,
        ...(draggedBy ? { outlineColor: draggedBy.color } : {}),
      }}
      data-testid={`card-${deal.id}`}
      data-column={deal.position.column}
      data-lifted={keyboardLifted || undefined}
      {...attributes}
      {...listeners}
      aria-roledescription="deal card"
      aria-label={`${deal.title}${accountName ? `, ${accountName}` : ''}`}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return
        if (onKey(deal.id, e.key)) {
          e.preventDefault()
          e.stopPropagation()
        }
      }}
    >
      <div className="card__top">
        <span className="card__title">{deal.title}</span>
        {owner && <Avatar name={owner.name} color={owner.color} size="sm" />}
      </div>
      {accountName && deal.accountId && (
        <a
          className="card__account"
          href={`#/accounts/${deal.accountId}`}
          onPointerDown={(e) => e.stopPropagation()}
          onKeyDown={(e) => e.stopPropagation()}
        >
          {accountName}
        </a>
      )}
      <div className="card__meta">
        <span className="card__amount">{formatMoney(deal.amount, deal.currency)}</span>
        <span
          className={`card__days${stale ? ' is-stale' : ''}`}
          title="Days in stage"
          data-testid="days-in-stage"
        >
          {days}d{stale ? ' · stale' : ''}
        </span>
      </div>
      {draggedBy && (
        <div className="card__dragged-by" data-testid="dragged-by" style={{ color: draggedBy.color }}>
          {draggedBy.name} is moving this
        </div>
      )}
      {!readOnly && stage?.outcome === 'open' && (
        <div className="card__actions">
          <button
            type="button"
            className="chip chip--won"
            onPointerDown={(e) => e.stopPropagation()}
            onClick={() => onOutcome(deal.id, 'won')}
            data-testid={`won-${deal.id}`}
          >
            Won
          </button>
          <button
            type="button"
            className="chip chip--lost"
            onPointerDown={(e) => e.stopPropagation()}
            onClick={() => onOutcome(deal.id, 'lost')}
            data-testid={`lost-${deal.id}`}
          >
            Lost
          </button>
        </div>
      )}
    </article>
  )
})
