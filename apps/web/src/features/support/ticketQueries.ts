import { Ticket, type TicketCreate } from '@rapport/model'
import { useEffect, useMemo } from 'react'
import { request } from '../auth/authApi.ts'
import { PAGE_SIZE } from '../lists/ServerListStore.ts'
import { useServerList } from '../lists/useServerList.ts'

/**
 * Tickets of one account or one contact never come from the support document (issue #12): a REST list
 * (`GET /api/tickets?accountId=` / `?contactId=`) kept live by the change feed; a new ticket is `POST /api/tickets`.
 */

/** At most this many tickets of one account or contact are shown. */
const RELATED_TICKETS_MAX = 5 * PAGE_SIZE

/** A filter naming no record that can exist: the list is empty (ids never contain `-` alone). */
const NONE = '-'

/**
 * The unarchived tickets of `accountId` or of `contactId` (none for null), newest first, from the REST list kept
 * live by the feed; `loading` until the first answer.
 */
export function useRelatedTickets(of: { accountId: string | null } | { contactId: string | null }): {
  tickets: Ticket[]
  loading: boolean
} {
  const [field, id] = 'accountId' in of ? ['accountId', of.accountId] : ['contactId', of.contactId]
  const store = useServerList(
    { kind: 'tickets', sort: '-createdAt', q: '', filters: { [field]: id ?? NONE } },
    Ticket,
  )
  const total = store.total
  useEffect(() => {
    if (total !== null) store.showRange(0, Math.min(total, RELATED_TICKETS_MAX))
  }, [store, total])
  const version = store.version
  // biome-ignore lint/correctness/useExhaustiveDependencies: the store changes in place; `version` counts changes
  const tickets = useMemo(() => {
    const rows: Ticket[] = []
    for (let i = 0; i < Math.min(total ?? 0, RELATED_TICKETS_MAX); i++) {
      const row = store.rowAt(i)
      if (row && !row.archived) rows.push(row)
    }
    return rows
  }, [store, total, version])
  if (id === null) return { tickets: [], loading: false }
  return { tickets, loading: total === null && store.error === null }
}

/** `POST /api/tickets`: the server places it at the end of its column and sets its due time from the policy. */
export const createTicketRest = (input: TicketCreate): Promise<Ticket> =>
  request('/api/tickets', Ticket, { method: 'POST', body: JSON.stringify(input) })
