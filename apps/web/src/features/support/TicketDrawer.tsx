import {
  type Contact,
  collectionMap,
  endOfColumn,
  type Position,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKETS,
  type Ticket,
  updateTicket,
} from '@rapport/model'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { CustomFieldsSection } from '../customFields/CustomFieldsSection.tsx'
import { useLiveSettings } from '../customFields/useCustomFieldDefs.ts'
import { TaskList } from '../tasks/TaskList.tsx'
import { ArchiveButton } from '../trash/ArchiveButton.tsx'
import type { SlaState } from './sla.ts'
import { TicketContact } from './TicketContact.tsx'
import { TicketDescription } from './TicketDescription.tsx'
import { TicketThread } from './TicketThread.tsx'

const fmt = (at: number | null) => (at === null ? '—' : new Date(at).toLocaleString())
const LABEL: Record<string, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
  new: 'New',
  open: 'Open',
  waiting: 'Waiting',
  resolved: 'Resolved',
}

/**
 * Ticket details: description, priority, assignee, contact, status moves, SLA times, CSAT once resolved, and the
 * conversation (replies and internal notes).
 */
export function TicketDrawer({
  doc,
  columnsDoc = doc,
  ticket,
  sla,
  readOnly,
  contacts,
  onMove,
  onClose,
}: {
  /** The document the ticket lives in (`W/ticket/T`). */
  doc: Y.Doc
  /** Where the other tickets are ("Move to" goes after the column's last card): the board's tickets. */
  columnsDoc?: Y.Doc
  ticket: Ticket
  sla: SlaState
  readOnly: boolean
  contacts: ReadonlyMap<string, Contact>
  /** The board's move path (one `moveTicket` transaction, undoable). */
  onMove: (ticketId: string, position: Position) => void
  onClose: () => void
}) {
  const { session } = useSession()
  const settings = useLiveSettings()
  const status = ticket.position.column
  // With the workspace's SLA policy, a priority change recomputes the due time.
  const patch = (p: Parameters<typeof updateTicket>[2]) =>
    updateTicket(doc, ticket.id, p, LOCAL_ORIGIN, settings ? { sla: settings.sla } : undefined)
  return (
    <aside className="drawer" data-testid="ticket-drawer" data-ticket={ticket.id} aria-label="Ticket details">
      <header className="drawer__header">
        <h2 className="panel__title">{ticket.subject}</h2>
        <ArchiveButton kind="tickets" id={ticket.id} readOnly={readOnly} onArchived={onClose} />
        <button type="button" className="btn btn--ghost" onClick={onClose} data-testid="ticket-drawer-close">
          Close
        </button>
      </header>
      <p className={`sla sla--${sla.level}`} data-testid="ticket-sla">
        {sla.label}
      </p>
      <TicketDescription
        value={ticket.description}
        readOnly={readOnly}
        onCommit={(description) => patch({ description })}
      />
      {ticket.accountId && <a href={`#/accounts/${ticket.accountId}`}>Open the account</a>}
      <div className="fields">
        <label className="field">
          <span>Priority</span>
          <select
            className="input"
            data-testid="ticket-priority"
            disabled={readOnly}
            value={ticket.priority}
            onChange={(e) => patch({ priority: e.target.value as Ticket['priority'] })}
          >
            {TICKET_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {LABEL[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Assignee</span>
          <select
            className="input"
            data-testid="ticket-assignee"
            disabled={readOnly}
            value={ticket.assigneeId ?? ''}
            onChange={(e) => patch({ assigneeId: e.target.value || null })}
          >
            <option value="">Unassigned</option>
            {session.members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <TicketContact
        ticket={ticket}
        contacts={contacts}
        readOnly={readOnly}
        onChange={(contactId, accountId) => patch({ contactId, accountId })}
      />
      <div className="drawer__moves">
        {TICKET_STATUSES.filter((s) => s !== status).map((s) => (
          <button
            key={s}
            type="button"
            className="btn btn--ghost"
            disabled={readOnly}
            data-testid={`ticket-move-${s}`}
            onClick={() => onMove(ticket.id, endOfColumn(collectionMap(columnsDoc, TICKETS), s))}
          >
            Move to {LABEL[s]}
          </button>
        ))}
      </div>
      <dl className="drawer__times">
        <dt>Created</dt>
        <dd>{fmt(ticket.createdAt)}</dd>
        <dt>First response</dt>
        <dd data-testid="ticket-first-response">{fmt(ticket.firstResponseAt)}</dd>
        <dt>Resolved</dt>
        <dd data-testid="ticket-resolved-at">{fmt(ticket.resolvedAt)}</dd>
      </dl>
      {status === 'resolved' && (
        <div className="csat" data-testid="ticket-csat" data-csat={ticket.csat ?? ''}>
          <span>Customer satisfaction</span>
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              className={`btn btn--ghost${ticket.csat === n ? ' is-active' : ''}`}
              aria-pressed={ticket.csat === n}
              disabled={readOnly}
              data-testid={`csat-${n}`}
              onClick={() => patch({ csat: n })}
            >
              {n}
            </button>
          ))}
        </div>
      )}
      <CustomFieldsSection
        kind="ticket"
        values={ticket.customFields}
        readOnly={readOnly}
        onChange={(fieldId, value) => patch({ customFields: { [fieldId]: value } })}
      />
      <TicketThread doc={doc} ticketId={ticket.id} readOnly={readOnly} />
      <TaskList scope={{ accountId: ticket.accountId, ticketId: ticket.id }} title="Tasks for this ticket" />
    </aside>
  )
}
