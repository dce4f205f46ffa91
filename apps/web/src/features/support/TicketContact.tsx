import { ACCOUNTS, type Contact, type Ticket } from '@rapport/model'
import { useId, useMemo, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { contactLabel } from './contactLabel.ts'

const SHOWN = 50

/**
 * The ticket's contact: a searchable picker over the contacts of the ticket's account (all contacts when the ticket
 * has no account yet — picking one then links the ticket to that contact's account). Every option names the
 * contact's account and e-mail; below, the chosen contact's details.
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
  const id = useId()
  const { session } = useSession()
  const accounts = useLiveRecords(
    useDoc({ workspaceId: session.workspace.id, kind: 'accounts' }).doc,
    ACCOUNTS,
  )
  const [query, setQuery] = useState('')
  const [open, setOpen] = useState(false)
  const accountName = (accountId: string | null) =>
    accountId ? (accounts.byId.get(accountId)?.name ?? null) : null
  const options = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean)
    return [...contacts.values()]
      .filter((c) => !c.archived && (ticket.accountId === null || c.accountId === ticket.accountId))
      .filter((c) => {
        if (words.length === 0) return true
        const text =
          `${contactLabel(c)} ${c.email} ${c.accountId ? (accounts.byId.get(c.accountId)?.name ?? '') : ''}`.toLowerCase()
        return words.every((w) => text.includes(w))
      })
      .sort((a, b) => contactLabel(a).localeCompare(contactLabel(b)))
  }, [contacts, accounts, ticket.accountId, query])
  const current = ticket.contactId ? contacts.get(ticket.contactId) : undefined
  const pick = (picked: Contact | null) => {
    onChange(picked?.id ?? null, ticket.accountId ?? picked?.accountId ?? null)
    setQuery('')
    setOpen(false)
  }

  return (
    <div className="ticket-contact" data-testid="ticket-contact" data-contact={ticket.contactId ?? ''}>
      {!readOnly && (
        <div className="field ticket-contact__search">
          <label htmlFor={`${id}-search`}>Contact</label>
          <input
            id={`${id}-search`}
            className="input"
            type="search"
            aria-controls={`${id}-options`}
            placeholder={
              current
                ? `Change contact (${contactLabel(current)})`
                : 'Search contacts by name, e-mail or account'
            }
            value={query}
            data-testid="ticket-contact-search"
            onFocus={() => setOpen(true)}
            onChange={(e) => {
              setQuery(e.target.value)
              setOpen(true)
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setOpen(false)
              if (e.key === 'Enter' && options[0]) {
                e.preventDefault()
                pick(options[0])
              }
            }}
          />
          {open && (
            <ul className="ticket-contact__options" id={`${id}-options`} aria-label="Contacts">
              {current && (
                <li>
                  <button
                    type="button"
                    className="ticket-contact__option"
                    data-testid="ticket-contact-none"
                    onClick={() => pick(null)}
                  >
                    No contact
                  </button>
                </li>
              )}
              {options.slice(0, SHOWN).map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="ticket-contact__option"
                    data-testid={`ticket-contact-option-${c.id}`}
                    aria-pressed={c.id === ticket.contactId}
                    onClick={() => pick(c)}
                  >
                    <strong>{contactLabel(c)}</strong>
                    <span className="muted"> · {accountName(c.accountId) ?? 'No account'}</span>
                    {c.email && <span className="muted"> · {c.email}</span>}
                  </button>
                </li>
              ))}
              {options.length === 0 && <li className="muted ticket-contact__option">No contact matches.</li>}
              {options.length > SHOWN && (
                <li className="muted ticket-contact__option">
                  {options.length - SHOWN} more — type to narrow the list.
                </li>
              )}
            </ul>
          )}
        </div>
      )}
      {current ? (
        <div className="ticket-contact__card" data-testid="ticket-contact-card">
          {readOnly && <span className="muted">Contact: </span>}
          <a href={`#/contacts/${current.id}`} data-testid="ticket-contact-link">
            <strong>{contactLabel(current)}</strong>
          </a>
          {current.title && <span className="muted"> · {current.title}</span>}
          {accountName(current.accountId) && (
            <span className="muted" data-testid="ticket-contact-account">
              {' '}
              · {accountName(current.accountId)}
            </span>
          )}
          {current.email && (
            <div>
              <a href={`mailto:${current.email}`}>{current.email}</a>
            </div>
          )}
          {current.phone && <div className="muted">{current.phone}</div>}
        </div>
      ) : ticket.contactId ? (
        <p className="muted">The linked contact is not available.</p>
      ) : (
        readOnly && <p className="muted">No contact.</p>
      )}
    </div>
  )
}
