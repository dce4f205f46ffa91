import type { BoardCard, Stage } from '@rapport/model'
import { memo } from 'react'
import { Avatar } from '../../ui/Avatar.tsx'
import { type CardDragState, SortableCard, stopDrag } from '../board/SortableCard.tsx'
import { daysInStage, formatMoney, isStale } from './boardColumns.ts'

/** What a card shows of a deal (the board snapshot's card; ids as plain strings). */
type CardDeal = Omit<BoardCard, 'id'> & { id: string }

/** Estimated height of a deal card before it is measured (virtualized columns). */
export const DEAL_CARD_HEIGHT = 118

export interface DealCardProps extends CardDragState {
  deal: CardDeal
  stage: Stage | undefined
  accountName: string | null
  owner: { name: string; color: string } | null
  now: number
  onOutcome: (dealId: string, outcome: 'won' | 'lost') => void
  /** The pipeline's stages, for the "Move to" menu a narrow screen shows (one column at a time). */
  stages?: readonly Stage[]
  onMoveTo?: (dealId: string, stageId: string) => void
}

/** A deal on the board: title, account, amount, days in stage, won/lost shortcuts. */
export const DealCard = memo(function DealCard(props: DealCardProps) {
  const { deal, stage, accountName, owner, now, readOnly, onOutcome, stages, onMoveTo, ...dragState } = props
  const stale = isStale(deal, stage, now)
  return (
    <SortableCard
      {...dragState}
      readOnly={readOnly}
      id={deal.id}
      testId={`card-${deal.id}`}
      column={deal.position.column}
      className={stale ? 'card--stale' : undefined}
      roleDescription="deal card"
      label={`${deal.title}${accountName ? `, ${accountName}` : ''}`}
    >
      <DealCardContent deal={deal} accountName={accountName} owner={owner} now={now} stale={stale} />
      {!readOnly && stages && onMoveTo && (
        <label className="card__move">
          <span>Move to</span>
          <select
            value={deal.position.column}
            onPointerDown={stopDrag.onPointerDown}
            onKeyDown={(e) => e.stopPropagation()}
            onChange={(e) => onMoveTo(deal.id, e.target.value)}
            data-testid={`move-${deal.id}`}
          >
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {!readOnly && stage?.outcome === 'open' && (
        <div className="card__actions">
          <button
            type="button"
            className="chip chip--won"
            onPointerDown={stopDrag.onPointerDown}
            onClick={() => onOutcome(deal.id, 'won')}
            data-testid={`won-${deal.id}`}
          >
            Won
          </button>
          <button
            type="button"
            className="chip chip--lost"
            onPointerDown={stopDrag.onPointerDown}
            onClick={() => onOutcome(deal.id, 'lost')}
            data-testid={`lost-${deal.id}`}
          >
            Lost
          </button>
        </div>
      )}
    </SortableCard>
  )
})

/** A deal card that cannot move (the board snapshot shown while the document syncs). */
export function StaticDealCard(
  props: Pick<DealCardProps, 'stage' | 'accountName' | 'owner' | 'now'> & { deal: CardDeal },
) {
  const { deal, stage, accountName, owner, now } = props
  const stale = isStale(deal, stage, now)
  return (
    <article
      className={`card${stale ? ' card--stale' : ''}`}
      data-testid={`card-${deal.id}`}
      data-column={deal.position.column}
      aria-label={`${deal.title}${accountName ? `, ${accountName}` : ''}`}
    >
      <DealCardContent deal={deal} accountName={accountName} owner={owner} now={now} stale={stale} />
    </article>
  )
}

/** What every deal card shows: title, owner, account link, amount and days in stage. */
function DealCardContent(props: {
  deal: CardDeal
  accountName: string | null
  owner: { name: string; color: string } | null
  now: number
  stale: boolean
}) {
  const { deal, accountName, owner, now, stale } = props
  const days = daysInStage(deal, now)
  return (
    <>
      <div className="card__top">
        {/* Opens the deal page; like the account link, press-and-move still drags the card. */}
        <a
          className="card__title"
          href={`#/deals/${deal.id}`}
          draggable={false}
          data-testid={`open-${deal.id}`}
        >
          {deal.title}
        </a>
        {owner && <Avatar name={owner.name} color={owner.color} size="sm" />}
      </div>
      {accountName && deal.accountId && (
        /* A click opens the account; press-and-move drags the card (the sensor needs 6 px): a drag may start
           anywhere on the card, also on the link. */
        <a className="card__account" href={`#/accounts/${deal.accountId}`} draggable={false}>
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
    </>
  )
}
