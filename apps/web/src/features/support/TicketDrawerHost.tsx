import { type Position, recordDocRef, type SlaPolicy, TICKETS } from '@rapport/model'
import type * as Y from 'yjs'
import { useCollab } from '../../collab/CollabContext.tsx'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useContactsById } from '../contact/contactQueries.ts'
import { slaState } from './sla.ts'
import { TicketDrawer } from './TicketDrawer.tsx'

/**
 * The drawer of ticket `ticketId`, on the ticket's own document `W/ticket/T` (issue #12). A data directory not split
 * yet keeps its tickets in `W/support`: when `W/ticket/T` has synced without the ticket, that document is opened
 * instead (a retired `W/support` is refused by the server and simply never holds it).
 */
export function TicketDrawerHost({
  ticketId,
  boardDoc,
  policy,
  now,
  onMove,
  onClose,
}: {
  ticketId: string
  /** The board's tickets (where "Move to" places the card: after its column's last). */
  boardDoc: Y.Doc
  policy: SlaPolicy
  now: number
  onMove: (ticketId: string, position: Position) => void
  onClose: () => void
}) {
  const { member } = useCollab()
  const own = useDoc(recordDocRef(member.workspaceId, 'ticket', ticketId))
  const ownTickets = useLiveRecords(own.doc, TICKETS)
  const inOwn = ownTickets.byId.has(ticketId)
  const support = useDoc(own.synced && !inOwn ? { workspaceId: member.workspaceId, kind: 'support' } : null)
  const supportTickets = useLiveRecords(support.doc, TICKETS)
  const home = inOwn ? own : support
  const ticket = (inOwn ? ownTickets : supportTickets).byId.get(ticketId)
  const contacts = useContactsById([ticket?.contactId])
  if (!ticket || !home.doc) return null
  return (
    <TicketDrawer
      doc={home.doc}
      columnsDoc={boardDoc}
      ticket={ticket}
      sla={slaState(ticket, policy, now)}
      readOnly={home.readOnly}
      contacts={contacts}
      onMove={onMove}
      onClose={onClose}
    />
  )
}
