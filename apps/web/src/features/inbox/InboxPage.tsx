import { markAllNotificationsRead, markNotificationRead, type Notification } from '@rapport/model'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useMemberLookup } from '../auth/SessionContext.tsx'
import { useInbox } from './useInbox.ts'

const linkOf = (n: Notification): string | null =>
  n.link.accountId ? `#/accounts/${n.link.accountId}` : n.link.ticketId ? '#/support' : null

/** The current user's live notifications (handoffs, assignments, @mentions), newest first. */
export function InboxPage() {
  const memberOf = useMemberLookup()
  const { inbox, items, unread } = useInbox()
  const canWrite = inbox.doc !== null && !inbox.readOnly
  const markRead = (n: Notification) => {
    if (inbox.doc && canWrite && !n.read) markNotificationRead(inbox.doc, n.id, true, LOCAL_ORIGIN)
  }
  return (
    <div className="list-page" data-testid="inbox">
      <div className="toolbar">
        <h1 className="page__title">Inbox</h1>
        <span className="muted" data-testid="inbox-count">
          {unread} unread
        </span>
        <span className="toolbar__spacer" />
        <button
          type="button"
          className="btn btn--ghost"
          data-testid="inbox-read-all"
          disabled={unread === 0 || !canWrite}
          onClick={() => inbox.doc && markAllNotificationsRead(inbox.doc, LOCAL_ORIGIN)}
        >
          Mark all read
        </button>
      </div>
      {items.length === 0 && <div className="empty">{inbox.ready ? 'Nothing new.' : 'Loading…'}</div>}
      <ul className="inbox">
        {items.map((n) => {
          const actor = memberOf(n.actorId)
          const href = linkOf(n)
          return (
            <li
              key={n.id}
              className={`inbox__item${n.read ? '' : ' is-unread'}`}
              data-testid={`notification-${n.id}`}
              data-type={n.type}
              data-unread={!n.read || undefined}
            >
              <span className="chip">{n.type}</span>
              <span className="inbox__text">
                {actor ? <strong>{actor.name}: </strong> : null}
                {href ? (
                  <a href={href} onClick={() => markRead(n)} data-testid="notification-link">
                    {n.text}
                  </a>
                ) : (
                  n.text
                )}
              </span>
              <time className="muted">{new Date(n.at).toLocaleString()}</time>
              {!n.read && canWrite && (
                <button type="button" className="btn btn--ghost" onClick={() => markRead(n)}>
                  Mark read
                </button>
              )}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
