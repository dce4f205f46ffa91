import { type Position, recordDocRef, type SlaPolicy, TICKETS } from '@rapport/model'
import type * as Y from 'yjs'
import { useCollab } from '../../collab/CollabContext.tsx'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useContactsById } from '../contact/contactQueries.ts'
import { slaState } from './sla.ts'
import { TicketDrawer } from './TicketDrawer.tsx'

/** The drawer of ticket `ticketId`, on the ticket's own document `W/ticket/T` with its messages (issue #12). */
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
  const ticket = useLiveRecords(own.doc, TICKETS).byId.get(ticketId)
  const contacts = useContactsById([ticket?.contactId])
  if (!ticket || !own.doc) return null
  return (
    <TicketDrawer
      doc={own.doc}
      columnsDoc={boardDoc}
      ticket={ticket}
      sla={slaState(ticket, policy, now)}
      readOnly={own.readOnly}
      contacts={contacts}
      onMove={onMove}
      onClose={onClose}
    />
  )
}
