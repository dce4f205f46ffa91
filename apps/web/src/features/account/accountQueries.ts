import { Account, type FeedEvent } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'

/**
 * Accounts read by other pages (a ticket's contact picker names each contact's account) never come from a collection
 * document (issue #12): each from `GET /api/accounts/{id}` once per tab, kept current by the change feed (an event's
 * row replaces the copy, so a rename shows at once; a removal asks again).
 */

/** Accounts fetched by id, shared by the tab: id → the account, or null when it is missing or not readable. */
const known = new Map<string, Account | null>()
const asked = new Set<string>()
const listeners = new Set<() => void>()
const notify = (): void => {
  for (const listener of listeners) listener()
}

const fetchAccount = (id: string): void => {
  if (asked.has(id)) return
  asked.add(id)
  authApi.get(`/api/accounts/${encodeURIComponent(id)}`, Account).then(
    (account) => {
      known.set(id, account)
      notify()
    },
    () => {
      known.set(id, null)
      notify()
    },
  )
}

/** Ids asked again in this task (every mounted hook hears the same feed signal: one request per id). */
const refetching = new Set<string>()
const refetch = (id: string): void => {
  if (refetching.has(id)) return
  if (refetching.size === 0) queueMicrotask(() => refetching.clear())
  refetching.add(id)
  asked.delete(id)
  fetchAccount(id)
}

/** Seq of the last feed event applied (every mounted hook hears each event in turn; it is applied once). */
let lastSeq = -1
const onAccountEvent = (event: FeedEvent): void => {
  if (event.seq === lastSeq) return
  lastSeq = event.seq
  if (event.kind !== 'accounts' || !known.has(event.id)) return
  const parsed = event.op === 'upsert' && event.row ? Account.safeParse(event.row) : null
  if (parsed?.success) {
    known.set(event.id, parsed.data)
    notify()
  } else refetch(event.id)
}

/** The accounts `ids` name (see above). Missing ids are absent from the map until their answer. */
export function useAccountsById(ids: readonly (string | null | undefined)[]): ReadonlyMap<string, Account> {
  const [version, setVersion] = useState(0)
  const key = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))]
    .sort()
    .join('\n')
  useEffect(() => {
    const listener = () => setVersion((n) => n + 1)
    listeners.add(listener)
    for (const id of key === '' ? [] : key.split('\n')) fetchAccount(id)
    return () => {
      listeners.delete(listener)
    }
  }, [key])
  useFeed((signal) => {
    if (signal.type === 'event') onAccountEvent(signal.event)
    else if (signal.type === 'reset' || !signal.resumed)
      // Missed events: ask again for what is shown.
      for (const id of key === '' ? [] : key.split('\n')) refetch(id)
  })
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts answers and feed changes
  return useMemo(() => {
    const out = new Map<string, Account>()
    for (const id of key === '' ? [] : key.split('\n')) {
      const account = known.get(id)
      if (account) out.set(id, account)
    }
    return out
  }, [key, version])
}
