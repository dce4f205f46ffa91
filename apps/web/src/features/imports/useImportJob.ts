import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../auth/authApi.ts'
import { type ImportJob, importApi } from './importApi.ts'
import { isSettled } from './importWizard.ts'

/** How often a running job's counts are fetched again. */
const POLL_MS = 400

export const errorText = (error: unknown): string =>
  error instanceof ApiError || error instanceof Error ? error.message : String(error)

/** An import job from `GET /api/imports/:id`, fetched again while it runs. */
export function useImportJob(id: string | null): {
  job: ImportJob | null
  error: string | null
  refresh: () => void
} {
  const [job, setJob] = useState<ImportJob | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const refresh = useCallback(() => setTick((n) => n + 1), [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` asks for a fresh fetch
  useEffect(() => {
    if (id === null) return
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = () =>
      importApi.get(id).then(
        (next) => {
          if (cancelled) return
          setJob(next)
          setError(null)
          if (!isSettled(next)) timer = setTimeout(load, POLL_MS)
        },
        (e: unknown) => {
          if (cancelled) return
          setError(errorText(e))
          timer = setTimeout(load, POLL_MS * 5)
        },
      )
    void load()
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [id, tick])
  return { job, error, refresh }
}
