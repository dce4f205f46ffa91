import type { BoardSnapshot } from '@rapport/model'
import { useEffect, useState } from 'react'
import { authApi } from '../auth/authApi.ts'

/** How long a fetched snapshot is reused (the pipelines page and the board both show it while the document syncs). */
const REUSE_MS = 5_000
const pending = new Map<string, Promise<BoardSnapshot | null>>()

/** One request per pipeline at a time; a failure yields null (the snapshot only speeds up the first paint). */
function fetchSnapshot(pipelineId: string): Promise<BoardSnapshot | null> {
  let request = pending.get(pipelineId)
  if (!request) {
    request = authApi.boardSnapshot(pipelineId).catch(() => null)
    pending.set(pipelineId, request)
    void request.finally(() => setTimeout(() => pending.delete(pipelineId), REUSE_MS))
  }
  return request
}

/**
 * The server's read-only snapshot of a pipeline board (`GET /api/pipelines/:id/board`) while `enabled`: what the
 * board paints before its pipeline document has synced. Null until it arrives, when disabled, or on failure.
 */
export function useBoardSnapshot(pipelineId: string | null, enabled: boolean): BoardSnapshot | null {
  const [snapshot, setSnapshot] = useState<BoardSnapshot | null>(null)
  useEffect(() => {
    if (!pipelineId || !enabled) return
    let current = true
    void fetchSnapshot(pipelineId).then((s) => {
      if (current) setSnapshot(s)
    })
    return () => {
      current = false
    }
  }, [pipelineId, enabled])
  return enabled && snapshot?.pipeline.id === pipelineId ? snapshot : null
}
