import { type Activity, compareActivities, TIMELINE } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { z } from 'zod'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useRefreshSignal } from '../../ui/useRefreshSignal.ts'
import { type AccountDealRef, activityApi } from '../activity/activityApi.ts'
import type { ContactOption } from '../activity/LogActivityForm.tsx'
import { kindLabel, TimelineEntry } from '../activity/TimelineEntry.tsx'
import { TimelineHeader } from '../activity/TimelineHeader.tsx'
import { timelineContext } from '../activity/timelineContext.ts'
import '../activity/activity.css'
import { authApi } from '../auth/authApi.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'
import { isAbout } from './isAbout.ts'

const LIMIT = 100
const ContactName = z.object({ id: z.string(), firstName: z.string(), lastName: z.string() })

/** The account's contacts and deals (names for the sentences and the log form), from the REST index; again on `refresh`. */
function useAccountRefs(accountId: string | null, refresh: number) {
  const [refs, setRefs] = useState<{
    accountId: string
    contacts: ContactOption[]
    deals: AccountDealRef[]
  }>()
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new signal asks the server again
  useEffect(() => {
    if (!accountId) return
    let current = true
    const contacts = authApi
      .list(`/api/contacts?accountId=${encodeURIComponent(accountId)}&limit=200`, ContactName)
      .then((page) =>
        page.items.map((c) => ({
          id: c.id,
          name: `${c.firstName} ${c.lastName}`.trim() || 'Unnamed contact',
        })),
      )
    Promise.all([contacts, activityApi.deals(accountId)]).then(
      ([c, d]) => {
        if (current) setRefs({ accountId, contacts: c, deals: d })
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [accountId, refresh])
  return refs?.accountId === accountId ? refs : { contacts: [], deals: [] }
}

/**
 * The entries of an account room's timeline about one deal or contact, newest first, live, as plain-words sentences;
 * members who may write the room log a call, email or meeting about it from here (the server writes the entry).
 * Without an account there is no room, so no entries.
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
  const [refsSignal, refetchRefs] = useRefreshSignal(0)
  const refs = useAccountRefs(accountId, refsSignal)
  const items = useMemo(
    () =>
      [...timeline.byId.values()]
        .filter((a) => !a.archived && isAbout(a, subject))
        .sort(compareActivities)
        .slice(0, LIMIT),
    [timeline, subject],
  )
  const ctx = useMemo(
    () => timelineContext({ memberOf, contacts: refs.contacts, deals: refs.deals }),
    [refs, memberOf],
  )
  const empty = !accountId
    ? 'Link an account to keep a timeline.'
    : room.noAccess
      ? 'You do not have access to this timeline.'
      : room.ready
        ? 'No activity yet.'
        : 'Loading activity…'
  return (
    <section className="panel" data-testid="timeline">
      <TimelineHeader
        title={title}
        accountId={accountId}
        canLog={!room.readOnly}
        contacts={refs.contacts}
        deals={refs.deals}
        defaultDealId={subject.kind === 'deal' ? subject.id : null}
        defaultContactIds={subject.kind === 'contact' ? [subject.id] : []}
        onOpen={refetchRefs}
      />
      <ol className="timeline">
        {items.map((a) => (
          <TimelineEntry key={a.id} activity={a} ctx={ctx} label={kindLabel(a)} />
        ))}
        {items.length === 0 && <li className="muted">{empty}</li>}
      </ol>
    </section>
  )
}
