import { type Activity, compareActivities, isLoggedActivity, type Pipeline, TIMELINE } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useRefreshSignal } from '../../ui/useRefreshSignal.ts'
import { type AccountDealRef, activityApi } from '../activity/activityApi.ts'
import type { ContactOption } from '../activity/LogActivityForm.tsx'
import { kindLabel, TimelineEntry } from '../activity/TimelineEntry.tsx'
import { TimelineHeader } from '../activity/TimelineHeader.tsx'
import { timelineContext } from '../activity/timelineContext.ts'
import '../activity/activity.css'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'

const PAGE = 100

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
  const [deals, setDeals] = useState<AccountDealRef[]>([])
  // The log form's deal options are asked for again when it opens.
  const [dealsSignal, refetchDeals] = useRefreshSignal(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new signal asks the server again
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
  }, [accountId, dealsSignal])
  const all = useMemo(
    () => [...timeline.byId.values()].filter((a) => !a.archived).sort(compareActivities),
    [timeline],
  )
  const ctx = useMemo(
    () => timelineContext({ memberOf, contacts, deals, pipelines }),
    [contacts, deals, pipelines, memberOf],
  )
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
      <TimelineHeader
        title="Timeline"
        accountId={accountId}
        canLog={!readOnly}
        contacts={contacts}
        deals={deals}
        onOpen={refetchDeals}
      />
      {removeError && (
        <p className="notice notice--error" role="alert">
          {removeError}
        </p>
      )}
      <ol className="timeline">
        {items.map((a) => (
          <TimelineEntry
            key={a.id}
            activity={a}
            ctx={ctx}
            label={kindLabel(a)}
            onRemove={mayRemove(a) ? () => remove(a) : undefined}
          />
        ))}
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
