import { type Activity, compareActivities, isLoggedActivity, type Pipeline, TIMELINE } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { type AccountDealRef, activityApi } from '../activity/activityApi.ts'
import { type ContactOption, LogActivityForm } from '../activity/LogActivityForm.tsx'
import { formatMoment, type SentenceContext, timelineParts } from '../activity/timelineSentence.ts'
import '../activity/activity.css'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'

const PAGE = 100
const KIND_LABEL: Record<Activity['type'], string> = {
  call: 'Call',
  email: 'Email',
  meeting: 'Meeting',
  note: 'Notes',
  stage_change: 'Stage',
  field_change: 'Change',
  handoff: 'Handoff',
}

/** The kind shown beside an entry: a record created or deleted says so rather than "Change". */
export function kindLabel(activity: Activity): string {
  if (activity.type === 'field_change' && activity.changes.length === 0)
    return activity.text.startsWith('deleted') ? 'Deleted' : 'Created'
  return KIND_LABEL[activity.type]
}

/**
 * The account's activity timeline, newest first, each entry a sentence in plain words; 100 at a time ("Show older").
 * Members who may write the room log calls, emails and meetings here (the server writes the entry).
 */
export function Timeline({
  doc,
  accountId,
  contacts = [],
  pipelines = [],
  readOnly = true,
}: {
  doc: Y.Doc
  accountId?: string
  contacts?: readonly ContactOption[]
  pipelines?: readonly Pipeline[]
  readOnly?: boolean
}) {
  const memberOf = useMemberLookup()
  const { session } = useSession()
  const [removeError, setRemoveError] = useState<string | null>(null)
  const timeline = useLiveRecords(doc, TIMELINE)
  const [shown, setShown] = useState(PAGE)
  const [logging, setLogging] = useState(false)
  const [deals, setDeals] = useState<AccountDealRef[]>([])
  useEffect(() => {
    if (!accountId) return
    let live = true
    activityApi
      .deals(accountId)
      .then((items) => live && setDeals(items))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [accountId])
  const all = useMemo(
    () => [...timeline.byId.values()].filter((a) => !a.archived).sort(compareActivities),
    [timeline],
  )
  const ctx = useMemo<SentenceContext>(() => {
    const contactNames = new Map(contacts.map((c) => [c.id, c.name]))
    const dealsById = new Map(deals.map((d) => [d.id, d]))
    const stages = new Map(pipelines.flatMap((p) => p.stages.map((s) => [s.id, s.name] as const)))
    return {
      memberName: (id) => memberOf(id)?.name ?? null,
      contactName: (id) => contactNames.get(id) ?? null,
      dealTitle: (id) => dealsById.get(id)?.title ?? null,
      stageName: (id) => stages.get(id) ?? null,
      currencyOf: (subject) =>
        subject.kind === 'deal' ? (dealsById.get(subject.id)?.currency ?? null) : null,
    }
  }, [contacts, deals, pipelines, memberOf])
  const items = all.slice(0, shown)
  // The member who logged a call, email or meeting (or an admin) may take it off the timeline; the server checks too.
  const mayRemove = (a: Activity) =>
    !readOnly && isLoggedActivity(a) && (a.actorId === session.user.id || session.role === 'admin')
  const remove = (a: Activity) => {
    if (!accountId) return
    setRemoveError(null)
    activityApi
      .remove(accountId, a.id)
      .catch((error: unknown) =>
        setRemoveError(error instanceof Error ? error.message : 'The entry could not be removed. Try again.'),
      )
  }

  return (
    <section className="panel" data-testid="timeline">
      <div className="panel__header">
        <h2 className="panel__title">Timeline</h2>
        {!readOnly && accountId && !logging && (
          <button
            type="button"
            className="btn btn--ghost"
            data-testid="log-activity-open"
            onClick={() => setLogging(true)}
          >
            Log activity
          </button>
        )}
      </div>
      {logging && accountId && (
        <LogActivityForm
          accountId={accountId}
          contacts={contacts}
          deals={deals}
          onLogged={() => setLogging(false)}
          onCancel={() => setLogging(false)}
        />
      )}
      {removeError && (
        <p className="notice notice--error" role="alert">
          {removeError}
        </p>
      )}
      <ol className="timeline">
        {items.map((a) => {
          const { actor, predicate } = timelineParts(a, ctx)
          return (
            <li
              key={a.id}
              className={`timeline__item timeline__item--${a.type}`}
              data-testid="timeline-entry"
              data-type={a.type}
            >
              <span className="timeline__type">{kindLabel(a)}</span>
              <span className="timeline__text" data-testid="timeline-sentence">
                <strong>{actor}</strong> {predicate}
              </span>
              <time className="muted" dateTime={new Date(a.at).toISOString()}>
                {formatMoment(a.at, {})}
              </time>
              {mayRemove(a) && (
                <button
                  type="button"
                  className="link-button timeline__remove"
                  data-testid="timeline-remove"
                  aria-label={`Remove this ${a.type} from the timeline`}
                  onClick={() => remove(a)}
                >
                  Remove
                </button>
              )}
            </li>
          )
        })}
        {items.length === 0 && <li className="muted">No activity yet.</li>}
      </ol>
      {all.length > items.length && (
        <button
          type="button"
          className="btn btn--ghost timeline__more"
          data-testid="timeline-show-older"
          onClick={() => setShown((n) => n + PAGE)}
        >
          Show older ({all.length - items.length} more)
        </button>
      )}
    </section>
  )
}
