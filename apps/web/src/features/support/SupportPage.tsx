import { DEFAULT_SLA, layoutBoard, TICKET_STATUSES, TICKETS, type Ticket } from '@rapport/model'
import { type ReactNode, useEffect, useState } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'
import { BoardColumn } from '../board/BoardColumn.tsx'
import { BoardToolbarActions } from '../board/BoardToolbarActions.tsx'
import { KanbanBoard } from '../board/KanbanBoard.tsx'
import { useKanban } from '../board/useKanban.ts'
import { useContactsById } from '../contact/contactQueries.ts'
import { ExportCsvLink, exportCsvHref, ImportLink } from '../imports/ExportCsvLink.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { contactLabel } from './contactLabel.ts'
import { slaState } from './sla.ts'
import { TicketCard } from './TicketCard.tsx'
import { TicketDrawerHost } from './TicketDrawerHost.tsx'
import { createTicketRest } from './ticketQueries.ts'
import { useTicketBoardDoc } from './useTicketBoardDoc.ts'
import './support.css'

const CARD_HEIGHT = 92
const layoutTickets = (tickets: ReadonlyMap<string, Ticket>) => layoutBoard(tickets.values(), TICKET_STATUSES)

/**
 * The live support queue: New, Open, Waiting, Resolved, with SLA badges and a ticket drawer. The cards come from
 * `GET /api/tickets` kept live by the change feed (never a collection document, issue #12); a drop is
 * `POST /api/tickets/:id/move`, which writes the ticket's own document; the drawer opens the ticket's document.
 */
export function SupportPage({ ticketId = null }: { ticketId?: string | null } = {}) {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const workspaceId = session.workspace.id
  const board = useTicketBoardDoc()
  const settings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const policy = settings?.sla ?? DEFAULT_SLA
  const readOnly = board.readOnly
  const kanban = useKanban({
    doc: board.doc,
    provider: null,
    readOnly,
    collection: TICKETS,
    layoutOf: layoutTickets,
    move: board.move,
    noun: 'ticket',
  })
  const { records: tickets, layout, drag, draggedBy, arrived } = kanban
  const [openId, setOpenId] = useState<string | null>(ticketId)
  // `#/support/<ticketId>` (a link, the command palette) opens that ticket's drawer.
  useEffect(() => setOpenId(ticketId), [ticketId])
  const [subject, setSubject] = useState('')
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(t)
  }, [])

  const [problem, setProblem] = useState<string | null>(null)

  if (board.noAccess) return <div className="notice notice--error">You do not have access to support.</div>
  if (!board.ready)
    return (
      <div className="empty">
        {board.error ? `Could not load tickets — ${board.error}` : 'Loading tickets…'}
      </div>
    )

  const renderCard = (id: string) => {
    const ticket = tickets.byId.get(id)
    if (!ticket) return null
    return (
      <WithContactName contactId={ticket.contactId}>
        {(contactName) => (
          <TicketCard
            ticket={ticket}
            sla={slaState(ticket, policy, now)}
            assigneeName={ticket.assigneeId ? (memberOf(ticket.assigneeId)?.name ?? 'someone') : null}
            contactName={contactName}
            draggedBy={draggedBy.get(id) ?? null}
            keyboardLifted={drag.mode === 'keyboard' && drag.activeId === id}
            arrived={arrived.has(id)}
            readOnly={readOnly}
            onKey={drag.onCardKey}
            onOpen={setOpenId}
          />
        )}
      </WithContactName>
    )
  }

  return (
    <div className="support board-page">
      <div className="toolbar">
        <h1 className="page__title">Support</h1>
        <ExportCsvLink kind="tickets" href={exportCsvHref('tickets')} />
        {!readOnly && <ImportLink kind="tickets" />}
        {!readOnly && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault()
              const text = subject.trim()
              if (text === '') return
              setSubject('')
              setProblem(null)
              createTicketRest({ subject: text }).catch((error: unknown) => {
                setSubject(text)
                setProblem(`Not saved — ${error instanceof Error ? error.message : String(error)}`)
              })
            }}
          >
            <input
              className="input"
              placeholder="New ticket subject"
              value={subject}
              maxLength={300}
              data-testid="ticket-quick-add"
              onChange={(e) => setSubject(e.target.value)}
            />
            <button type="submit" className="btn" data-testid="ticket-quick-add-submit">
              Add ticket
            </button>
          </form>
        )}
        <BoardToolbarActions kanban={kanban} />
      </div>
      {(problem ?? board.error) && (
        <p className="notice notice--error" role="alert" data-testid="support-error">
          {problem ?? board.error}
        </p>
      )}
      <KanbanBoard
        kanban={kanban}
        testId="support-board"
        columnIds={TICKET_STATUSES}
        renderColumn={(status, ids) => (
          <BoardColumn
            key={status}
            columnId={status}
            label={status}
            testId={`ticket-column-${status}`}
            className={`column--${status}`}
            ids={ids}
            header={
              <div className="column__title">
                <span className="capitalize">{status}</span>
                <span className="column__count" data-testid={`ticket-count-${status}`}>
                  {layout.columns[status]?.length ?? 0}
                </span>
              </div>
            }
            emptyLabel="Drop tickets here"
            estimateSize={CARD_HEIGHT}
            renderCard={renderCard}
          />
        )}
        overlayTitle={(ticket) => ticket.subject}
        columnLabel={(status) => status.charAt(0).toUpperCase() + status.slice(1)}
        switcherLabel="Status"
      />
      {openId && (
        <TicketDrawerHost
          key={openId}
          ticketId={openId}
          boardDoc={board.doc}
          policy={policy}
          now={now}
          onMove={drag.commitMove}
          onClose={() => {
            setOpenId(null)
            if (ticketId) navigate('#/support')
          }}
        />
      )}
    </div>
  )
}

/** A card's contact name, fetched by id when the card is shown (contacts live in their own documents). */
function WithContactName({
  contactId,
  children,
}: {
  contactId: string | null
  children: (name: string | null) => ReactNode
}) {
  const contact = useContactsById([contactId]).get(contactId ?? '')
  return children(contact ? contactLabel(contact) : null)
}
