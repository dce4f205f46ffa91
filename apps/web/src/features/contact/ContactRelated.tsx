import { accessTo, type Contact, recordDocRef } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { z } from 'zod'
import { useCollab } from '../../collab/CollabContext.tsx'
import { PanelHeader } from '../../ui/PanelHeader.tsx'
import { authApi } from '../auth/authApi.ts'
import { formatMoney } from '../pipeline/boardColumns.ts'
import { NewTicketForm } from '../support/NewTicketForm.tsx'
import { useRelatedTickets } from '../support/ticketQueries.ts'
import { useAccountContacts } from './contactQueries.ts'

const DealRow = z.object({
  id: z.string(),
  title: z.string(),
  amount: z.number(),
  currency: z.string(),
  status: z.enum(['open', 'won', 'lost']),
  contactIds: z.array(z.string()),
})
type DealRow = z.infer<typeof DealRow>

/** The deals of `accountId` that list `contactId`, from `GET /api/deals?accountId=` (the server's index). */
function useContactDeals(accountId: string | null, contactId: string): DealRow[] | null {
  const [state, setState] = useState<{ key: string; rows: DealRow[] } | null>(null)
  const key = `${accountId}/${contactId}`
  useEffect(() => {
    if (!accountId) return
    let current = true
    authApi.list(`/api/deals?accountId=${encodeURIComponent(accountId)}&limit=200`, DealRow).then(
      (page) => {
        if (current) setState({ key, rows: page.items.filter((d) => d.contactIds.includes(contactId)) })
      },
      () => {
        if (current) setState({ key, rows: [] })
      },
    )
    return () => {
      current = false
    }
  }, [accountId, contactId, key])
  if (!accountId) return []
  return state?.key === key ? state.rows : null
}

/** The contact's deals (deals of its account that list it). */
export function ContactDeals({ accountId, contactId }: { accountId: string | null; contactId: string }) {
  const deals = useContactDeals(accountId, contactId)
  return (
    <section className="panel" data-testid="contact-deals">
      <h2 className="panel__title">Deals</h2>
      <ul className="mini-list">
        {deals?.map((d) => (
          <li key={d.id} className="mini-row" data-testid={`contact-deal-${d.id}`}>
            <a href={`#/deals/${d.id}`}>{d.title}</a>
            <span className={`chip chip--${d.status}`}>{d.status}</span>
            <span>{formatMoney(d.amount, d.currency)}</span>
          </li>
        ))}
        {deals === null && <li className="muted">Loading deals…</li>}
        {deals?.length === 0 && <li className="muted">No deal lists this contact yet.</li>}
      </ul>
    </section>
  )
}

/**
 * The tickets whose contact this is, from `GET /api/tickets?contactId=` kept live by the feed. A new ticket
 * (`POST /api/tickets`) may name the contact or another contact of its account (from `GET /api/contacts?accountId=`,
 * never a collection document).
 */
export function ContactTickets({ contact }: { contact: Contact }) {
  const { member } = useCollab()
  const access = accessTo(member, recordDocRef(member.workspaceId, 'ticket', 'any'))
  const contactId = contact.id
  const accountId = contact.accountId
  const { tickets: mine, loading } = useRelatedTickets({ contactId: access === 'none' ? null : contactId })
  const others = useAccountContacts(accountId).contacts
  const [creating, setCreating] = useState(false)
  const accountContacts = useMemo(
    () => [contact, ...others.filter((c) => c.id !== contact.id)],
    [contact, others],
  )
  return (
    <section className="panel" data-testid="contact-tickets">
      <PanelHeader
        title="Tickets"
        action={
          access === 'write' && !creating
            ? { label: 'New ticket', testId: 'contact-new-ticket', onClick: () => setCreating(true) }
            : null
        }
      />
      {creating && (
        <NewTicketForm
          accountId={accountId}
          contactId={contactId}
          contacts={accountContacts}
          onCreated={() => setCreating(false)}
          onCancel={() => setCreating(false)}
        />
      )}
      <ul className="mini-list">
        {mine.map((t) => (
          <li key={t.id} className="mini-row" data-testid={`contact-ticket-${t.id}`}>
            <a href={`#/support/${t.id}`}>{t.subject}</a>
            <span className="chip">{t.position.column}</span>
            <span className="muted">{t.priority}</span>
          </li>
        ))}
        {mine.length === 0 && (
          <li className="muted">
            {access === 'none'
              ? 'You do not have access to tickets.'
              : loading
                ? 'Loading tickets…'
                : 'No tickets from this contact.'}
          </li>
        )}
      </ul>
    </section>
  )
}
