import type { Ticket } from '@rapport/model'
import { memo } from 'react'
import { type CardDragState, SortableCard, stopDrag } from '../board/SortableCard.tsx'
import type { SlaState } from './sla.ts'

export interface TicketCardProps extends CardDragState {
  ticket: Ticket
  sla: SlaState
  assigneeName: string | null
  contactName: string | null
  onOpen: (ticketId: string) => void
}

/** A ticket on the support board: subject (opens the drawer), priority, SLA badge, assignee, contact, CSAT. */
export const TicketCard = memo(function TicketCard(props: TicketCardProps) {
  const { ticket, sla, assigneeName, contactName, onOpen, ...dragState } = props
  return (
    <SortableCard
      {...dragState}
      id={ticket.id}
      testId={`ticket-${ticket.id}`}
      column={ticket.position.column}
      className={`priority--${ticket.priority}`}
      roleDescription="ticket card"
      label={ticket.subject}
    >
      <button
        type="button"
        className="card__title link-button"
        onClick={() => onOpen(ticket.id)}
        data-testid="ticket-open"
        {...stopDrag}
      >
        {ticket.subject}
      </button>
      <div className="card__meta">
        <span className={`chip priority-chip--${ticket.priority}`}>{ticket.priority}</span>
        <span className={`chip sla sla--${sla.level}`} data-testid="sla-badge" data-level={sla.level}>
          {sla.label}
        </span>
        {assigneeName && <span className="muted">{assigneeName}</span>}
        {contactName && (
          <span className="muted" data-testid="ticket-contact-name">
            {contactName}
          </span>
        )}
        {ticket.csat !== null && <span className="chip">CSAT {ticket.csat}</span>}
      </div>
    </SortableCard>
  )
})
