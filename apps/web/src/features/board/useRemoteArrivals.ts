import { useCallback, useEffect, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { isLocalOrigin } from '../../collab/localOrigin.ts'

const HIGHLIGHT_MS = 900

/** Ids of records changed by someone else in the last moment, so their cards can animate into place. */
export function useRemoteArrivals(): {
  arrived: ReadonlySet<string>
  noteChange: (ids: string[], tr: Y.Transaction) => void
} {
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set())
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>())
  useEffect(() => {
    const pending = timers.current
    return () => {
      for (const t of pending) clearTimeout(t)
    }
  }, [])
  const noteChange = useCallback((ids: string[], tr: Y.Transaction) => {
    // Skip our own edits and bulk loads (initial sync, IndexedDB).
    if (isLocalOrigin(tr.origin) || tr.local || ids.length > 50) return
    setArrived((prev) => new Set([...prev, ...ids]))
    const t = setTimeout(() => {
      timers.current.delete(t)
      setArrived((prev) => {
        const next = new Set(prev)
        for (const id of ids) next.delete(id)
        return next
      })
    }, HIGHLIGHT_MS)
    timers.current.add(t)
  }, [])
  return { arrived, noteChange }
}
