import type { Contact, Ticket } from '@rapport/model'
import { useMemo } from 'react'
import { contactLabel } from './contactLabel.ts'

/**
 * The ticket's contact: a picker over the contacts of the ticket's account (all contacts when the ticket has no
 * account yet — picking one then links the ticket to that contact's account), and the contact's details.
 */
export function TicketContact({
  ticket,
  contacts,
  readOnly,
  onChange,
}: {
  ticket: Ticket
  contacts: ReadonlyMap<string, Contact>
  readOnly: boolean
  onChange: (contactId: string | null, accountId: string | null) => void
}) {
  const options = useMemo(
    () =>
      [...contacts.values()]
        .filter((c) => !c.archived && (ticket.accountId === null || c.accountId === ticket.accountId))
        .sort((a, b) => contactLabel(a).localeCompare(contactLabel(b))),
    [contacts, ticket.accountId],
  )
  const current = ticket.contactId ? contacts.get(ticket.contactId) : undefined
  return (
    <div className="ticket-contact" data-testid="ticket-contact" data-contact={ticket.contactId ?? ''}>
      <label className="field">
        <span>Contact</span>
        <select
          className="input"
          data-testid="ticket-contact-select"
          disabled={readOnly}
          value={ticket.contactId ?? ''}
          onChange={(e) => {
            const picked = e.target.value ? contacts.get(e.target.value) : undefined
            onChange(picked?.id ?? null, ticket.accountId ?? picked?.accountId ?? null)
          }}
        >
          <option value="">No contact</option>
          {current && !options.includes(current) && (
            <option value={current.id}>{contactLabel(current)}</option>
          )}
          {options.map((c) => (
            <option key={c.id} value={c.id}>
              {contactLabel(c)}
            </option>
          ))}
        </select>
      </label>
      {current ? (
        <div className="ticket-contact__card" data-testid="ticket-contact-card">
          <strong>{contactLabel(current)}</strong>
          {current.title && <span className="muted"> · {current.title}</span>}
          {current.email && (
            <div>
              <a href={`mailto:${current.email}`}>{current.email}</a>
            </div>
          )}
          {current.phone && <div className="muted">{current.phone}</div>}
        </div>
      ) : (
        ticket.contactId && <p className="muted">The linked contact is not available.</p>
      )}
    </div>
  )
}
