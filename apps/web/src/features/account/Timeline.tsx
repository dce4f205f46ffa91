import { type Activity, compareActivities, type Pipeline, TIMELINE } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { type AccountDealRef, activityApi } from '../activity/activityApi.ts'
import { type ContactOption, LogActivityForm } from '../activity/LogActivityForm.tsx'
import { formatMoment, type SentenceContext, timelineParts } from '../activity/timelineSentence.ts'
import '../activity/activity.css'
import { useMemberLookup } from '../auth/SessionContext.tsx'

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
              <span className="timeline__type">{KIND_LABEL[a.type]}</span>
              <span className="timeline__text" data-testid="timeline-sentence">
                <strong>{actor}</strong> {predicate}
              </span>
              <time className="muted" dateTime={new Date(a.at).toISOString()}>
                {formatMoment(a.at, {})}
              </time>
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
