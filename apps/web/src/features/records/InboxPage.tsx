import { markAllNotificationsRead, markNotificationRead, NOTIFICATIONS } from '@rapport/model'
import { useMemo } from 'react'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'

/** The current user's notifications, newest first. */
export function InboxPage() {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const inbox = useDoc({ workspaceId: session.workspace.id, kind: 'inbox', userId: session.user.id })
  const notes = useLiveRecords(inbox.doc, NOTIFICATIONS)
  const items = useMemo(
    () =>
      [...notes.byId.values()]
        .filter((n) => !n.archived)
        .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1)),
    [notes],
  )
  const unread = items.filter((n) => !n.read).length
  return (
    <div className="list-page" data-testid="inbox">
      <div className="toolbar">
        <h1 className="page__title">Inbox</h1>
        <span className="muted">{unread} unread</span>
        <span className="toolbar__spacer" />
        <button
          type="button"
          className="btn btn--ghost"
          disabled={unread === 0 || inbox.readOnly || !inbox.doc}
          onClick={() => inbox.doc && markAllNotificationsRead(inbox.doc, LOCAL_ORIGIN)}
        >
          Mark all read
        </button>
      </div>
      {items.length === 0 && <div className="empty">{inbox.ready ? 'Nothing new.' : 'Loading…'}</div>}
      <ul className="inbox">
        {items.map((n) => {
          const actor = memberOf(n.actorId)
          return (
            <li key={n.id} className={`inbox__item${n.read ? '' : ' is-unread'}`}>
              <span className="chip">{n.type}</span>
              <span className="inbox__text">
                {actor ? <strong>{actor.name}: </strong> : null}
                {n.link.accountId ? <a href={`#/accounts/${n.link.accountId}`}>{n.text}</a> : n.text}
              </span>
              <time className="muted">{new Date(n.at).toLocaleString()}</time>
              {!n.read && inbox.doc && (
                <button
                  type="button"
                  className="btn btn--ghost"
                  onClick={() => inbox.doc && markNotificationRead(inbox.doc, n.id, true, LOCAL_ORIGIN)}
                >
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
