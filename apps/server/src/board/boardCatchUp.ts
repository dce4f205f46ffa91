import { docName, type MirroredDeal } from '@rapport/model'
import { z } from 'zod'
import type { Logger } from '../log/logger.ts'
import type { Projection } from '../projection/Projection.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'
import type { BoardMirror } from './BoardMirror.ts'

/** What the mirror needs of an indexed deal row (anything else in the row is ignored; a bad row is skipped). */
const MirroredRow = z.object({
  id: z.string(),
  pipelineId: z.string(),
  position: z.object({ column: z.string(), key: z.string() }),
  status: z.enum(['open', 'won', 'lost']),
  stageEnteredAt: z.number(),
  archived: z.boolean().optional(),
})

/** Every non-archived deal of pipeline `pipelineId` as the index holds it, as the mirror reads a deal. */
export async function indexedBoardDeals(
  worker: Pick<IndexWorker, 'index' | 'flush'>,
  workspaceId: string,
  pipelineId: string,
): Promise<Map<string, MirroredDeal>> {
  await worker.flush()
  const deals = new Map<string, MirroredDeal>()
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await worker.index.list(workspaceId, 'deals', {
      filters: { pipelineId },
      offset,
      limit: MAX_PAGE,
      archived: 'false',
    })
    for (const row of page.items) {
      const parsed = MirroredRow.safeParse(row)
      if (!parsed.success) continue
      const { id, archived, ...rest } = parsed.data
      deals.set(id, { ...rest, archived: archived ?? false })
    }
    offset = page.nextOffset
  }
  return deals
}

/**
 * The boards' catch-up (issue #12): at start (and so after a crash) every board `W/board/P` of every pipeline of
 * every workspace is made equal to the mirror of its deals as the record index holds them (`BoardMirror.reconcile`;
 * a board that is current is not written). Deals loaded meanwhile are mirrored live. Returns boards and entries
 * changed, and the boards whose catch-up failed (logged; `createServer` then does not mark the boards current).
 */
export async function catchUpBoards(
  mirror: BoardMirror,
  worker: Pick<IndexWorker, 'index' | 'flush'>,
  projection: Projection,
  logger: Logger,
): Promise<{ boards: number; changed: number; failed: number }> {
  let boards = 0
  let changed = 0
  let failed = 0
  for (const workspaceId of projection.workspaceIds().sort()) {
    for (const pipelineId of [...projection.workspace(workspaceId).pipelines.keys()].sort()) {
      const board = docName({ workspaceId, kind: 'board', pipelineId })
      try {
        const written = await mirror.reconcile(
          board,
          await indexedBoardDeals(worker, workspaceId, pipelineId),
        )
        boards += 1
        changed += written
        if (written > 0) logger.info('board caught up from the index', { board, entries: written })
      } catch (error) {
        failed += 1
        logger.error('board catch-up failed', { board, error })
      }
    }
  }
  return { boards, changed, failed }
}
