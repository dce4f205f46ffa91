import { useEffect, useRef, useState } from 'react'
import { z } from 'zod'
import { useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'
import type { ListOption } from './listColumns.ts'

/** How many accounts the account choices of a list offer (the REST list's largest page). */
export const ACCOUNT_CHOICES = 200
const AccountName = z.object({ id: z.string(), name: z.string() }).loose()
const REFETCH_MS = 300

/**
 * The first accounts by name as select options (`GET /api/accounts?sort=name`), refetched shortly after an account
 * changes anywhere (change feed) — the account choices of the contacts list, without the accounts document.
 */
export function useAccountOptions(): ListOption[] {
  const [options, setOptions] = useState<ListOption[]>([])
  const [version, setVersion] = useState(0)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    void version
    let current = true
    authApi.list(`/api/accounts?sort=name&limit=${ACCOUNT_CHOICES}`, AccountName).then(
      (page) => {
        if (current) setOptions(page.items.map((a) => ({ value: a.id, label: a.name })))
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [version])
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    [],
  )
  useFeed((signal) => {
    if (signal.type === 'event' && signal.event.kind !== 'accounts') return
    if (signal.type === 'live' && signal.resumed) return
    timer.current ??= setTimeout(() => {
      timer.current = null
      setVersion((v) => v + 1)
    }, REFETCH_MS)
  })
  return options
}
