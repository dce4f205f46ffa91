import { useEffect, useState } from 'react'
import { z } from 'zod'
import { authApi } from '../auth/authApi.ts'
import { type AnyRecord, type DuplicateKind, duplicatesApi } from './duplicatesApi.ts'

export interface MoveCounts {
  contacts: number | null
  deals: number
  tickets: number
  tasks: number
}

const DealContacts = z.object({ id: z.string(), contactIds: z.array(z.string()).optional() }).loose()

/** What moves to the survivor with `merged`: its contacts (an account's), deals, tickets and tasks, from the index. */
async function moveCounts(kind: DuplicateKind, merged: AnyRecord): Promise<MoveCounts> {
  if (kind === 'accounts') {
    const [contacts, deals, tickets, tasks] = await Promise.all(
      (['contacts', 'deals', 'tickets', 'tasks'] as const).map((k) =>
        duplicatesApi.count(k, 'accountId', merged.id),
      ),
    )
    return { contacts: contacts ?? 0, deals: deals ?? 0, tickets: tickets ?? 0, tasks: tasks ?? 0 }
  }
  // A contact's deals are the deals of its account that list it.
  const accountId = typeof merged.accountId === 'string' ? merged.accountId : null
  const deals = accountId
    ? authApi
        .list(`/api/deals?accountId=${encodeURIComponent(accountId)}&limit=200`, DealContacts)
        .then((r) => r.items.filter((d) => d.contactIds?.includes(merged.id)).length)
    : Promise.resolve(0)
  const [dealCount, tickets, tasks] = await Promise.all([
    deals,
    duplicatesApi.count('tickets', 'contactId', merged.id),
    duplicatesApi.count('tasks', 'contactId', merged.id),
  ])
  return { contacts: null, deals: dealCount, tickets, tasks }
}

/** The move counts of `merged`, `null` while loading or when they could not be read. */
export function useMoveCounts(kind: DuplicateKind, merged: AnyRecord | null): MoveCounts | null {
  const [counts, setCounts] = useState<MoveCounts | null>(null)
  useEffect(() => {
    setCounts(null)
    if (!merged) return
    let cancelled = false
    moveCounts(kind, merged).then(
      (c) => !cancelled && setCounts(c),
      () => undefined,
    )
    return () => {
      cancelled = true
    }
  }, [kind, merged])
  return counts
}
