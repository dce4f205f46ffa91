import { useEffect, useRef, useState } from 'react'

/**
 * While `enabled` (a document is still syncing), the server's copy of what a page shows, fetched once per `key`: the
 * REST API answers from the projection in milliseconds where a big document takes seconds to sync. Null until it
 * arrives, when disabled, or on failure — it only speeds up the first paint; edits wait for the document.
 */
export function useServerCopy<T>(key: string | null, load: () => Promise<T>, enabled: boolean): T | null {
  const [copy, setCopy] = useState<{ key: string; value: T } | null>(null)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    if (!enabled || key === null) return
    let current = true
    loadRef.current().then(
      (value) => {
        if (current) setCopy({ key, value })
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [key, enabled])
  return enabled && copy !== null && copy.key === key ? copy.value : null
}
