import { type Activity, compareActivities, TIMELINE } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { changeSummary } from '../account/changeSummary.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'

const LIMIT = 100

/** `field_change` → "Field change" (sentence case, like the rest of the app). */
const typeLabel = (type: string) => {
  const words = type.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * The entries of an account room's timeline about one record (`subject { kind, id }`), newest first, live. The
 * timeline is written by the server (docs/schema.md §7); without an account there is no room, so no entries.
 */
export function RecordTimeline({
  accountId,
  subject,
  title = 'Timeline',
}: {
  accountId: string | null
  subject: Activity['subject']
  title?: string
}) {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const room = useDoc(accountId ? { workspaceId: session.workspace.id, kind: 'account', accountId } : null)
  const timeline = useLiveRecords(room.doc, TIMELINE)
  const items = useMemo(
    () =>
      [...timeline.byId.values()]
        .filter((a) => !a.archived && a.subject.kind === subject.kind && a.subject.id === subject.id)
        .sort(compareActivities)
        .slice(0, LIMIT),
    [timeline, subject.kind, subject.id],
  )
  const empty = !accountId
    ? 'Link an account to keep a timeline.'
    : room.noAccess
      ? 'You do not have access to this timeline.'
      : room.ready
        ? 'No activity yet.'
        : 'Loading activity…'
  return (
    <section className="panel" data-testid="record-timeline">
      <h2 className="panel__title">{title}</h2>
      <ol className="timeline">
        {items.map((a) => (
          <li
            key={a.id}
            className={`timeline__item timeline__item--${a.type}`}
            data-testid="record-timeline-item"
          >
            <span className="timeline__type timeline__type--sentence">{typeLabel(a.type)}</span>
            <span className="timeline__text">
              <strong>{memberOf(a.actorId)?.name ?? 'System'}</strong> {a.text}
              {a.type === 'field_change' && a.changes.length > 0 && (
                <span className="muted"> ({a.changes.map(changeSummary).join('; ')})</span>
              )}
            </span>
            <time className="muted">{new Date(a.at).toLocaleString()}</time>
          </li>
        ))}
        {items.length === 0 && <li className="muted">{empty}</li>}
      </ol>
    </section>
  )
}
