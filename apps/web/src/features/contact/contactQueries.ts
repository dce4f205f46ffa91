import { Contact, type FeedEvent } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'
import { PAGE_SIZE } from '../lists/ServerListStore.ts'
import { useServerList } from '../lists/useServerList.ts'

/** Contacts never come from a collection document (issue #12): lists from REST + the feed, one record by its id. */

/** At most this many contacts of one account are shown (pages of `GET /api/contacts?accountId=`). */
const ACCOUNT_CONTACTS_MAX = 5 * PAGE_SIZE

/**
 * The unarchived contacts of `accountId` (none without an account: the request names no account that can exist), by
 * last name, from `GET /api/contacts?accountId=` kept live by the change feed; `loading` until the first answer.
 */
export function useAccountContacts(accountId: string | null): { contacts: Contact[]; loading: boolean } {
  const store = useServerList(
    { kind: 'contacts', sort: 'lastName', q: '', filters: { accountId: accountId ?? '-' } },
    Contact,
  )
  const total = store.total
  useEffect(() => {
    if (total !== null) store.showRange(0, Math.min(total, ACCOUNT_CONTACTS_MAX))
  }, [store, total])
  const version = store.version
  // biome-ignore lint/correctness/useExhaustiveDependencies: the store changes in place; `version` counts changes
  const contacts = useMemo(() => {
    const rows: Contact[] = []
    for (let i = 0; i < Math.min(total ?? 0, ACCOUNT_CONTACTS_MAX); i++) {
      const row = store.rowAt(i)
      if (row && !row.archived) rows.push(row)
    }
    return rows
  }, [store, total, version])
  if (accountId === null) return { contacts: [], loading: false }
  return { contacts, loading: total === null && store.error === null }
}

/** Contacts fetched by id, shared by the tab: id → the contact, or null when it is missing or not readable. */
const known = new Map<string, Contact | null>()
const asked = new Set<string>()
const listeners = new Set<() => void>()
const notify = (): void => {
  for (const listener of listeners) listener()
}

const fetchContact = (id: string): void => {
  if (asked.has(id)) return
  asked.add(id)
  authApi.get(`/api/contacts/${encodeURIComponent(id)}`, Contact).then(
    (contact) => {
      known.set(id, contact)
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
  fetchContact(id)
}

/** Seq of the last feed event applied (every mounted hook hears each event in turn; it is applied once). */
let lastSeq = -1
const onContactEvent = (event: FeedEvent): void => {
  if (event.seq === lastSeq) return
  lastSeq = event.seq
  if (event.kind !== 'contacts' || !known.has(event.id)) return
  const parsed = event.op === 'upsert' && event.row ? Contact.safeParse(event.row) : null
  if (parsed?.success) {
    known.set(event.id, parsed.data)
    notify()
  } else refetch(event.id)
}

/**
 * The contacts `ids` name, each from `GET /api/contacts/{id}` once per tab, kept current by the change feed (an
 * event's row replaces the copy; a removal forgets it). Missing ids are absent from the map until their answer.
 */
export function useContactsById(ids: readonly (string | null | undefined)[]): ReadonlyMap<string, Contact> {
  const [version, setVersion] = useState(0)
  const key = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))]
    .sort()
    .join('\n')
  useEffect(() => {
    const listener = () => setVersion((n) => n + 1)
    listeners.add(listener)
    for (const id of key === '' ? [] : key.split('\n')) fetchContact(id)
    return () => {
      listeners.delete(listener)
    }
  }, [key])
  useFeed((signal) => {
    if (signal.type === 'event') onContactEvent(signal.event)
    else if (signal.type === 'reset' || !signal.resumed)
      // Missed events: ask again for what is shown.
      for (const id of key === '' ? [] : key.split('\n')) refetch(id)
  })
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts answers and feed changes
  return useMemo(() => {
    const out = new Map<string, Contact>()
    for (const id of key === '' ? [] : key.split('\n')) {
      const contact = known.get(id)
      if (contact) out.set(id, contact)
    }
    return out
  }, [key, version])
}
