import { Contact } from '@rapport/model'
import { useEffect, useMemo } from 'react'
import { RecordsById, useRecordsById } from '../lists/recordsById.ts'
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

const contactCache = new RecordsById('contacts', Contact)

/**
 * The contacts `ids` name, each from `GET /api/contacts/{id}` once per tab, kept current by the change feed (an
 * event's row replaces the copy). Missing ids are absent from the map until their answer.
 */
export function useContactsById(ids: readonly (string | null | undefined)[]): ReadonlyMap<string, Contact> {
  return useRecordsById(contactCache, ids)
}
