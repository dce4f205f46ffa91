import { useEffect, useState } from 'react'
import { ApiError, authApi, type SearchItem } from '../auth/authApi.ts'

/** Wait this long after the last keystroke before asking the server. */
export const SEARCH_DEBOUNCE_MS = 150

export interface RecordSearch {
  hits: SearchItem[]
  loading: boolean
  error: string | null
}

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.kind === 'unauthorized') return 'Your session has expired. Sign in again to search.'
    if (error.kind === 'unreachable') return 'The server cannot be reached, so search is unavailable.'
    if (error.kind === 'forbidden') return 'You do not have access to search.'
    return error.message
  }
  return 'Search failed.'
}

/** Debounced `GET /api/search`; answers to superseded queries are ignored. */
export function useRecordSearch(query: string): RecordSearch {
  const [state, setState] = useState<RecordSearch>({ hits: [], loading: false, error: null })
  useEffect(() => {
    const q = query.trim()
    if (!q) {
      setState({ hits: [], loading: false, error: null })
      return
    }
    let cancelled = false
    setState((s) => ({ ...s, loading: true }))
    const timer = setTimeout(() => {
      authApi.search(q).then(
        (res) => {
          if (!cancelled) setState({ hits: res.items, loading: false, error: null })
        },
        (error: unknown) => {
          if (!cancelled) setState({ hits: [], loading: false, error: describe(error) })
        },
      )
    }, SEARCH_DEBOUNCE_MS)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [query])
  return state
}
