import { z } from 'zod'
import { Deal } from '../records/deal.ts'
import { Pipeline } from '../records/workspaceSettings.ts'
import { totalsByCurrency } from './columns.ts'
import { layoutDeals } from './placement.ts'

/**
 * Cards per column a snapshot carries by default (a screen's worth, so the first paint stays cheap; the URL index.html
 * prefetches has no query), and at most.
 */
export const SNAPSHOT_CARDS_DEFAULT = 12
export const SNAPSHOT_CARDS_MAX = 100

/** `GET /api/pipelines/:pipelineId/board` query. */
export const BoardSnapshotQuery = z.object({
  perColumn: z.coerce.number().int().min(1).max(SNAPSHOT_CARDS_MAX).default(SNAPSHOT_CARDS_DEFAULT),
})

/** What a card shows of a deal: the snapshot carries only these fields. */
export const BoardCard = Deal.pick({
  id: true,
  title: true,
  accountId: true,
  amount: true,
  currency: true,
  ownerId: true,
  position: true,
  stageEnteredAt: true,
})
export type BoardCard = z.infer<typeof BoardCard>

export const BoardSnapshotColumn = z.object({
  stageId: z.string(),
  /** Every non-archived deal of the column, not only those in `deals`. */
  count: z.number().int().nonnegative(),
  totals: z.array(z.object({ currency: z.string(), total: z.number(), weighted: z.number() })),
  /** The first `perColumn` deals in board order, as cards. */
  deals: z.array(BoardCard),
})

/**
 * A read-only picture of a pipeline board, built by the server from its projection: what the browser paints while
 * the pipeline document (megabytes for thousands of deals) is still syncing. It is never edited; the live board
 * replaces it as soon as the document is there.
 */
export const BoardSnapshot = z.object({
  pipeline: Pipeline,
  columns: z.array(BoardSnapshotColumn),
  /** Names of the accounts of the deals in `columns`. */
  accountNames: z.record(z.string(), z.string()),
})
export type BoardSnapshot = z.infer<typeof BoardSnapshot>

/**
 * Lays out `deals` — the deals stored in the pipeline's document, in any order; a deal belongs to the pipeline of
 * its document, whatever its `pipelineId` says — like the live board (`layoutDeals`) and keeps the first cards.
 */
export function buildBoardSnapshot(
  pipeline: Pipeline,
  deals: Iterable<Deal>,
  accountName: (accountId: string) => string | undefined,
  perColumn: number,
): BoardSnapshot {
  const { records } = layoutDeals(deals, pipeline.stages)
  const accountNames: Record<string, string> = {}
  const columns = pipeline.stages.map((stage) => {
    const all = records[stage.id] ?? []
    const shown = all.slice(0, perColumn)
    for (const deal of shown) {
      const name = deal.accountId ? accountName(deal.accountId) : undefined
      if (deal.accountId && name !== undefined) accountNames[deal.accountId] = name
    }
    return {
      stageId: stage.id,
      count: all.length,
      totals: totalsByCurrency(all, stage.probability),
      deals: shown.map(cardOf),
    }
  })
  return { pipeline, columns, accountNames }
}

function cardOf(deal: Deal): BoardCard {
  const { id, title, accountId, amount, currency, ownerId, position, stageEnteredAt } = deal
  return { id, title, accountId, amount, currency, ownerId, position, stageEnteredAt }
}
