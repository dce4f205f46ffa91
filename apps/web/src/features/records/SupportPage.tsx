import { compareByPosition, TICKET_STATUSES, TICKETS } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'

const PER_COLUMN = 100

/** The support queue by status (read view; the ticket board is a later feature). */
export function SupportPage() {
  const { session } = useSession()
  const supportDoc = useDoc({ workspaceId: session.workspace.id, kind: 'support' })
  const tickets = useLiveRecords(supportDoc.doc, TICKETS)
  const columns = useMemo(() => {
    const all = [...tickets.byId.values()].filter((t) => !t.archived).sort(compareByPosition)
    return TICKET_STATUSES.map((status) => ({
      status,
      items: all.filter((t) => t.position.column === status),
    }))
  }, [tickets])

  if (supportDoc.noAccess)
    return <div className="notice notice--error">You do not have access to support.</div>
  return (
    <div className="board" data-testid="support-board">
      {columns.map(({ status, items }) => (
        <section key={status} className="column" data-testid={`ticket-column-${status}`}>
          <header className="column__header">
            <div className="column__title">
              <span className="capitalize">{status}</span>
              <span className="column__count">{items.length}</span>
            </div>
          </header>
          <div className="column__body">
            {items.slice(0, PER_COLUMN).map((t) => (
              <article key={t.id} className={`card priority--${t.priority}`} data-testid={`ticket-${t.id}`}>
                <span className="card__title">{t.subject}</span>
                <div className="card__meta">
                  <span className={`chip priority-chip--${t.priority}`}>{t.priority}</span>
                  {t.accountId && <a href={`#/accounts/${t.accountId}`}>Account</a>}
                </div>
              </article>
            ))}
          </div>
        </section>
      ))}
    </div>
  )
}
