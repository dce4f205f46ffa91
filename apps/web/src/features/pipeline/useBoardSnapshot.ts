import type { BoardSnapshot } from '@rapport/model'
import { useServerCopy } from '../../collab/useServerCopy.ts'
import { authApi } from '../auth/authApi.ts'

/** How long a fetched snapshot is reused (the pipelines page and the board both show it while the document syncs). */
const REUSE_MS = 5_000
const pending = new Map<string, Promise<BoardSnapshot>>()

/** One request per pipeline at a time, shared by the pages that paint it. */
function fetchSnapshot(pipelineId: string): Promise<BoardSnapshot> {
  let request = pending.get(pipelineId)
  if (!request) {
    request = authApi.boardSnapshot(pipelineId)
    pending.set(pipelineId, request)
    const forget = () => setTimeout(() => pending.delete(pipelineId), REUSE_MS)
    request.then(forget, forget)
  }
  return request
}

/**
 * The server's read-only snapshot of a pipeline board (`GET /api/pipelines/:id/board`) while `enabled`: what the
 * board paints before its pipeline document has synced. Null until it arrives, when disabled, or on failure.
 */
export function useBoardSnapshot(pipelineId: string | null, enabled: boolean): BoardSnapshot | null {
  return useServerCopy(pipelineId, () => fetchSnapshot(pipelineId ?? ''), enabled)
}
