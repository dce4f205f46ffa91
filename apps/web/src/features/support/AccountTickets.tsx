import { type Contact, compareByPosition, DEFAULT_SLA, type SlaPolicy, type Ticket } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { PanelHeader } from '../../ui/PanelHeader.tsx'
import { contactLabel } from './contactLabel.ts'
import { NewTicketForm } from './NewTicketForm.tsx'
import { slaState } from './sla.ts'
import './support.css'

const STATUS_ORDER: Record<string, number> = { new: 0, open: 1, waiting: 2, resolved: 3 }

/**
 * The tickets of an account (account room): subject, status, priority, SLA badge and contact, open first; each opens
 * in the support queue. With `newTicket` (members who may write tickets), "New ticket" creates one for this account.
 */
export function AccountTickets({
  tickets,
  contacts,
  policy,
  newTicket,
}: {
  tickets: readonly Ticket[]
  contacts: ReadonlyMap<string, Contact>
  policy: SlaPolicy | undefined
  newTicket?: { accountId: string; contacts: readonly Contact[] } | null
}) {
  const [creating, setCreating] = useState(false)
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(t)
  }, [])
  const sorted = useMemo(
    () =>
      [...tickets].sort(
        (a, b) =>
          (STATUS_ORDER[a.position.column] ?? 9) - (STATUS_ORDER[b.position.column] ?? 9) ||
          compareByPosition(a, b),
      ),
    [tickets],
  )
  return (
    <section className="panel" data-testid="account-tickets">
      <PanelHeader
        title={`Tickets (${tickets.length})`}
        action={
          newTicket && !creating
            ? { label: 'New ticket', testId: 'account-new-ticket', onClick: () => setCreating(true) }
            : null
        }
      />
      {newTicket && creating && (
        <NewTicketForm
          accountId={newTicket.accountId}
          contacts={newTicket.contacts}
          onCreated={() => setCreating(false)}
          onCancel={() => setCreating(false)}
        />
      )}
      <ul className="mini-list">
        {sorted.map((t) => {
          const sla = slaState(t, policy ?? DEFAULT_SLA, now)
          const contact = t.contactId ? contacts.get(t.contactId) : undefined
          return (
            <li key={t.id} className="mini-row" data-testid={`account-ticket-${t.id}`}>
              <a href={`#/support/${t.id}`} className="mini-row__title">
                {t.subject}
              </a>
              <span className="chip" data-testid="ticket-status">
                {t.position.column}
              </span>
              <span className={`chip priority-chip--${t.priority}`}>{t.priority}</span>
              <span className={`chip sla sla--${sla.level}`} data-testid="sla-badge" data-level={sla.level}>
                {sla.label}
              </span>
              {contact && <span className="muted">{contactLabel(contact)}</span>}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
