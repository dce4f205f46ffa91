import { useEffect, useMemo, useReducer, useState } from 'react'
import type { z } from 'zod'
import { useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'
import { type ListRequest, type RelatedKind, ServerListStore } from './ServerListStore.ts'

/**
 * A REST list (`GET /api/<kind>`) paged as the user scrolls and kept live by the workspace's change feed. The
 * request (search, sort, filters) is compared by value: a new object with the same content does not refetch.
 */
export function useServerList<T extends { id: string; archived?: boolean }>(
  request: ListRequest,
  schema: z.ZodType<T>,
  related?: readonly RelatedKind<T>[],
): ServerListStore<T> {
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const [store] = useState(
    () =>
      new ServerListStore<T>({
        schema,
        related,
        load: (path) => authApi.list(path, schema),
        onChange: rerender,
      }),
  )
  const key = JSON.stringify(request)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the request is compared by its JSON
  const stable = useMemo(() => request, [key])
  useEffect(() => store.setRequest(stable), [store, stable])
  useEffect(() => () => store.dispose(), [store])
  useFeed((signal) => {
    if (signal.type === 'event') store.onEvent(signal.event)
    else if (signal.type === 'reset' || !signal.resumed) store.onReset()
  })
  return store
}
