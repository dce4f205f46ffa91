import type { FeedEvent } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import type { z } from 'zod'
import { useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'

/**
 * Records read by id on pages that show a few records of another kind (a ticket's contact, a contact's account): never
 * from a collection document (issue #12), each from `GET /api/<kind>/{id}` once per tab, kept current by the change
 * feed (an event's row replaces the copy, so a rename shows at once; a removal or a row that does not parse asks
 * again). One `RecordsById` cache per kind, shared by the tab (a module-level instance); `useRecordsById(cache, ids)` reads it.
 */
export class RecordsById<T extends { id: string }> {
  /** id → the record, or null when it is missing or not readable. */
  private readonly known = new Map<string, T | null>()
  private readonly asked = new Set<string>()
  private readonly listeners = new Set<() => void>()
  /** Ids asked again in this task (every mounted hook hears the same feed signal: one request per id). */
  private readonly refetching = new Set<string>()
  /** Seq of the last feed event applied (every mounted hook hears each event in turn; it is applied once). */
  private lastSeq = -1

  constructor(
    private readonly kind: FeedEvent['kind'],
    private readonly schema: z.ZodType<T>,
  ) {}

  get(id: string): T | null | undefined {
    return this.known.get(id)
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private notify(): void {
    for (const listener of this.listeners) listener()
  }

  fetch(id: string): void {
    if (this.asked.has(id)) return
    this.asked.add(id)
    authApi.get(`/api/${this.kind}/${encodeURIComponent(id)}`, this.schema).then(
      (record) => {
        this.known.set(id, record)
        this.notify()
      },
      () => {
        this.known.set(id, null)
        this.notify()
      },
    )
  }

  refetch(id: string): void {
    if (this.refetching.has(id)) return
    if (this.refetching.size === 0) queueMicrotask(() => this.refetching.clear())
    this.refetching.add(id)
    this.asked.delete(id)
    this.fetch(id)
  }

  onEvent(event: FeedEvent): void {
    if (event.seq === this.lastSeq) return
    this.lastSeq = event.seq
    if (event.kind !== this.kind || !this.known.has(event.id)) return
    const parsed = event.op === 'upsert' && event.row ? this.schema.safeParse(event.row) : null
    if (parsed?.success) {
      this.known.set(event.id, parsed.data)
      this.notify()
    } else this.refetch(event.id)
  }
}

/** The records `ids` name, from `cache`. Missing ids are absent from the map until their answer. */
export function useRecordsById<T extends { id: string }>(
  cache: RecordsById<T>,
  ids: readonly (string | null | undefined)[],
): ReadonlyMap<string, T> {
  const [version, setVersion] = useState(0)
  const key = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))]
    .sort()
    .join('\n')
  useEffect(() => {
    const stop = cache.listen(() => setVersion((n) => n + 1))
    for (const id of key === '' ? [] : key.split('\n')) cache.fetch(id)
    return stop
  }, [cache, key])
  useFeed((signal) => {
    if (signal.type === 'event') cache.onEvent(signal.event)
    else if (signal.type === 'reset' || !signal.resumed)
      // Missed events: ask again for what is shown.
      for (const id of key === '' ? [] : key.split('\n')) cache.refetch(id)
  })
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts answers and feed changes
  return useMemo(() => {
    const out = new Map<string, T>()
    for (const id of key === '' ? [] : key.split('\n')) {
      const record = cache.get(id)
      if (record) out.set(id, record)
    }
    return out
  }, [cache, key, version])
}
