import { useEffect, useState } from 'react'
import type { z } from 'zod'
import { authApi } from '../auth/authApi.ts'

/** The first page of a list from the server's projection (`GET /api/<kind>?…`). */
export interface ListPreview<T> {
  items: T[]
  total: number
}

/**
 * While `enabled`, the first page of a list from the REST API: what a list paints while its collection document (tens
 * of megabytes in a big workspace) syncs. Null until it arrives, when disabled, or on failure (it only speeds up the
 * first paint).
 */
export function useListPreview<T>(
  source: { path: string; schema: z.ZodType<T> },
  enabled: boolean,
): ListPreview<T> | null {
  const { path, schema } = source
  const [preview, setPreview] = useState<ListPreview<T> | null>(null)
  useEffect(() => {
    if (!enabled) return
    let current = true
    authApi.list(path, schema).then(
      (page) => {
        if (current) setPreview(page)
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [path, schema, enabled])
  return enabled ? preview : null
}
