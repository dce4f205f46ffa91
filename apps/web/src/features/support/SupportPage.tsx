import {
  closestCorners,
  DndContext,
  type DragEndEvent,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import {
  compareByPosition,
  createTicket,
  DEFAULT_SLA,
  TICKET_STATUSES,
  TICKETS,
  type Ticket,
  type TicketStatus,
} from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { type SlaState, slaState } from './sla.ts'
import { moveTicketTo, TicketDrawer } from './TicketDrawer.tsx'
import './support.css'

const PER_COLUMN = 200
const COLUMN_PREFIX = 'ticket-column:'

/** The live support queue: New, Open, Waiting, Resolved, with SLA badges and a ticket drawer. */
export function SupportPage() {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const supportDoc = useDoc({ workspaceId, kind: 'support' })
  const settings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const policy = settings?.sla ?? DEFAULT_SLA
  const tickets = useLiveRecords(supportDoc.doc, TICKETS)
  const [openId, setOpenId] = useState<string | null>(null)
  const [subject, setSubject] = useState('')
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(t)
  }, [])
  const columns = useMemo(() => {
    const all = [...tickets.byId.values()].filter((t) => !t.archived).sort(compareByPosition)
    return TICKET_STATUSES.map((status) => ({
      status,
      items: all.filter((t) => t.position.column === status),
    }))
  }, [tickets])
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }))
  const readOnly = supportDoc.readOnly || !supportDoc.doc

  if (supportDoc.noAccess)
    return <div className="notice notice--error">You do not have access to support.</div>

  // Nothing is written while dragging: one moveTicket transaction on drop.
  const onDragEnd = (e: DragEndEvent) => {
    const over = e.over?.id
    if (!supportDoc.doc || readOnly || typeof over !== 'string' || !over.startsWith(COLUMN_PREFIX)) return
    const status = over.slice(COLUMN_PREFIX.length) as TicketStatus
    const ticket = tickets.byId.get(String(e.active.id))
    if (ticket && ticket.position.column !== status) moveTicketTo(supportDoc.doc, ticket.id, status)
  }
  const open = openId ? tickets.byId.get(openId) : undefined

  return (
    <div className="support">
      <div className="toolbar">
        <h1 className="page__title">Support</h1>
        {!readOnly && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault()
              if (!supportDoc.doc || subject.trim() === '') return
              createTicket(supportDoc.doc, { subject }, LOCAL_ORIGIN, { sla: policy })
              setSubject('')
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
      </div>
      <DndContext sensors={sensors} collisionDetection={closestCorners} onDragEnd={onDragEnd}>
        <div className="board" data-testid="support-board">
          {columns.map(({ status, items }) => (
            <TicketColumn key={status} status={status} count={items.length}>
              {items.slice(0, PER_COLUMN).map((t) => (
                <TicketCard
                  key={t.id}
                  ticket={t}
                  sla={slaState(t, policy, now)}
                  readOnly={readOnly}
                  onOpen={() => setOpenId(t.id)}
                />
              ))}
            </TicketColumn>
          ))}
        </div>
      </DndContext>
      {open && supportDoc.doc && (
        <TicketDrawer
          doc={supportDoc.doc}
          ticket={open}
          sla={slaState(open, policy, now)}
          readOnly={readOnly}
          onClose={() => setOpenId(null)}
        />
      )}
    </div>
  )
}

function TicketColumn({
  status,
  count,
  children,
}: {
  status: TicketStatus
  count: number
  children: React.ReactNode
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `${COLUMN_PREFIX}${status}` })
  return (
    <section
      ref={setNodeRef}
      className={`column${isOver ? ' is-over' : ''}`}
      data-testid={`ticket-column-${status}`}
    >
      <header className="column__header">
        <div className="column__title">
          <span className="capitalize">{status}</span>
          <span className="column__count" data-testid={`ticket-count-${status}`}>
            {count}
          </span>
        </div>
      </header>
      <div className="column__body">{children}</div>
    </section>
  )
}

function TicketCard({
  ticket,
  sla,
  readOnly,
  onOpen,
}: {
  ticket: Ticket
  sla: SlaState
  readOnly: boolean
  onOpen: () => void
}) {
  const memberOf = useMemberLookup()
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: ticket.id,
    disabled: readOnly,
  })
  const style = transform ? { transform: `translate(${transform.x}px, ${transform.y}px)` } : undefined
  return (
    <article
      ref={setNodeRef}
      style={style}
      className={`card priority--${ticket.priority}${isDragging ? ' is-dragging' : ''}`}
      data-testid={`ticket-${ticket.id}`}
      data-status={ticket.position.column}
      {...attributes}
      {...listeners}
    >
      <button type="button" className="card__title link-button" onClick={onOpen} data-testid="ticket-open">
        {ticket.subject}
      </button>
      <div className="card__meta">
        <span className={`chip priority-chip--${ticket.priority}`}>{ticket.priority}</span>
        <span className={`chip sla sla--${sla.level}`} data-testid="sla-badge" data-level={sla.level}>
          {sla.label}
        </span>
        {ticket.assigneeId && <span className="muted">{memberOf(ticket.assigneeId)?.name ?? 'someone'}</span>}
        {ticket.csat !== null && <span className="chip">CSAT {ticket.csat}</span>}
      </div>
    </article>
  )
}
