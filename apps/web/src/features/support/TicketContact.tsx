import { Contact, type Ticket } from '@rapport/model'
import { useEffect, useId, useMemo, useState } from 'react'
import { useAccountsById } from '../account/accountQueries.ts'
import { useServerList } from '../lists/useServerList.ts'
import { contactLabel } from './contactLabel.ts'

const SHOWN = 50
/** The picker asks the server once per pause in typing. */
const SEARCH_PAUSE_MS = 150

/**
 * The ticket's contact: a searchable picker over the contacts of the ticket's account (all contacts when the ticket
 * has no account yet — picking one then links the ticket to that contact's account), searched by the server
 * (`GET /api/contacts?q=&accountId=`, live through the feed). Every option names the contact's account (from REST
 * and the feed, `useAccountsById`, never the accounts' documents) and e-mail; below, the chosen contact's details
 * (`contacts`: the contacts known by id, the ticket's own among them).
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
  const [query, setQuery] = useState('')
  const [asked, setAsked] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setAsked(query.trim()), SEARCH_PAUSE_MS)
    return () => clearTimeout(timer)
  }, [query])
  const [open, setOpen] = useState(false)
  const found = useServerList(
    {
      kind: 'contacts',
      sort: asked === '' ? 'lastName' : null,
      q: asked,
      filters: { accountId: ticket.accountId },
    },
    Contact,
  )
  const version = found.version
  // Options are shown once they answer what is typed (never an older search's).
  const settled = query.trim() === asked && found.total !== null
  // biome-ignore lint/correctness/useExhaustiveDependencies: the store changes in place; `version` counts changes
  const options = useMemo(() => {
    const rows: Contact[] = []
    if (!settled) return rows
    for (let i = 0; i < Math.min(found.total ?? 0, SHOWN); i++) {
      const row = found.rowAt(i)
      if (row && !row.archived) rows.push(row)
    }
    return rows
  }, [found, version, settled])
  const more = settled ? Math.max(0, (found.total ?? 0) - SHOWN) : 0
  const current = ticket.contactId ? contacts.get(ticket.contactId) : undefined
  // The accounts named on screen, from REST + the feed (never the accounts' documents).
  const accounts = useAccountsById([current?.accountId, ...options.map((c) => c.accountId)])
  const accountName = (accountId: string | null) =>
    accountId ? (accounts.get(accountId)?.name ?? null) : null
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
              current ? `Change contact (${contactLabel(current)})` : 'Search contacts by name or e-mail'
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
              {settled && found.total === 0 && (
                <li className="muted ticket-contact__option">No contact matches.</li>
              )}
              {!settled && <li className="muted ticket-contact__option">Searching contacts…</li>}
              {more > 0 && (
                <li className="muted ticket-contact__option">{more} more — type to narrow the list.</li>
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
