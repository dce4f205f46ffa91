import { compareActivities, TIMELINE } from '@rapport/model'
import { useMemo } from 'react'
import type * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useMemberLookup } from '../auth/SessionContext.tsx'
import { changeSummary } from './changeSummary.ts'

const LIMIT = 100

/** The account's activity timeline, newest first. */
export function Timeline({ doc }: { doc: Y.Doc }) {
  const memberOf = useMemberLookup()
  const timeline = useLiveRecords(doc, TIMELINE)
  const items = useMemo(
    () =>
      [...timeline.byId.values()]
        .filter((a) => !a.archived)
        .sort(compareActivities)
        .slice(0, LIMIT),
    [timeline],
  )
  return (
    <section className="panel" data-testid="timeline">
      <h2 className="panel__title">Timeline</h2>
      <ol className="timeline">
        {items.map((a) => (
          <li key={a.id} className={`timeline__item timeline__item--${a.type}`}>
            <span className="timeline__type">{a.type.replace('_', ' ')}</span>
            <span className="timeline__text">
              <strong>{memberOf(a.actorId)?.name ?? 'System'}</strong> {a.text}
              {a.changes.length > 0 && (
                <span className="muted">
                  {' '}
                  (
                  {a.type === 'field_change'
                    ? a.changes.map(changeSummary).join('; ')
                    : a.changes.map((c) => c.field).join(', ')}
                  )
                </span>
              )}
            </span>
            <time className="muted">{new Date(a.at).toLocaleString()}</time>
          </li>
        ))}
        {items.length === 0 && <li className="muted">No activity yet.</li>}
      </ol>
    </section>
  )
}
