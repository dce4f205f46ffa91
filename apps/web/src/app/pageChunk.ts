import { useEffect, useState } from 'react'

/** A page module in a chunk of its own: imported once, and readable synchronously once it has loaded. */
export interface PageChunk<M> {
  /** Imports the chunk (once; again after a failed attempt). */
  load(): Promise<M>
  /** The module, when the chunk has loaded. */
  loaded(): M | null
}

export function pageChunk<M>(importer: () => Promise<M>): PageChunk<M> {
  let pending: Promise<M> | null = null
  let module: M | null = null
  return {
    load() {
      pending ??= importer().then(
        (m) => {
          module = m
          return m
        },
        (error: unknown) => {
          pending = null // the next visit tries again
          throw error
        },
      )
      return pending
    },
    loaded: () => module,
  }
}

/**
 * The chunk's module, or null while it loads. Without Suspense: React holds a revealed Suspense boundary back for up
 * to 300 ms, which was most of an account room's first visit. A failed load is thrown to the error boundary.
 */
export function usePageChunk<M>(chunk: PageChunk<M>): M | null {
  const [loaded, setLoaded] = useState<{ module: M } | null>(() => {
    const module = chunk.loaded()
    return module ? { module } : null
  })
  const [failed, setFailed] = useState<{ error: unknown } | null>(null)
  useEffect(() => {
    if (loaded) return
    let cancelled = false
    chunk.load().then(
      (module) => {
        if (!cancelled) setLoaded({ module })
      },
      (error: unknown) => {
        if (!cancelled) setFailed({ error: error ?? new Error('This page could not be loaded.') })
      },
    )
    return () => {
      cancelled = true
    }
  }, [chunk, loaded])
  if (failed) throw failed.error
  return loaded?.module ?? null
}
