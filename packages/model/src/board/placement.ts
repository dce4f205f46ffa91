import type { Stage } from '../records/workspaceSettings.ts'
import { type BoardLayout, type BoardRecord, layoutBoard } from './columns.ts'
import type { Position } from './position.ts'

type Outcome = Stage['outcome']

/** What placement needs of a deal (structurally a subset of `Deal`). */
export interface PlaceableDeal {
  position: Position
  status: Outcome
}

/** What placement needs of a stage. */
export type PlacementStage = Pick<Stage, 'id' | 'outcome'>

/**
 * THE column a deal is shown in, for every reader (live board, the server's board snapshot, the repair):
 * its `position.column` when that is a stage of the pipeline; otherwise the first stage whose outcome is the
 * deal's `status` (a won deal whose stage was removed stays among the won); otherwise the first open stage;
 * otherwise the first stage. `null` only for a pipeline without stages.
 */
export function placeDeal(deal: PlaceableDeal, stages: readonly PlacementStage[]): string | null {
  if (stages.some((s) => s.id === deal.position.column)) return deal.position.column
  const stage =
    stages.find((s) => s.outcome === deal.status) ?? stages.find((s) => s.outcome === 'open') ?? stages[0]
  return stage?.id ?? null
}

/**
 * Lays out the deals of ONE pipeline's document like `layoutBoard`, each deal in the column `placeDeal` gives it.
 * The browser's live board and the server's board snapshot both use this.
 */
export function layoutDeals<T extends BoardRecord & PlaceableDeal>(
  deals: Iterable<T>,
  stages: readonly PlacementStage[],
  include: (deal: T) => boolean = () => true,
): BoardLayout & { records: Record<string, T[]> } {
  return layoutBoard(
    deals,
    stages.map((s) => s.id),
    include,
    (deal) => placeDeal(deal, stages) ?? undefined,
  )
}

/** The fields the server rewrites to make a deal consistent with the pipeline of its document. */
export interface DealRepair {
  pipelineId?: string
  position?: Position
  status?: Outcome
}

/**
 * What makes `deal` (a schema-valid deal stored in `W/pipeline/<pipelineId>`) consistent, or `null` if it already
 * is: `pipelineId` = the document's pipeline; when the pipeline's `stages` are known, `position.column` = the stage
 * `placeDeal` gives (the key is kept) and `status` = that stage's outcome. Position and status are returned together
 * whenever either is wrong, so the repair writes them as one group, like `moveDeal`. `lostReason` and
 * `stageEnteredAt` are never changed.
 */
export function dealRepair(
  deal: PlaceableDeal & { pipelineId: string },
  pipelineId: string,
  stages: readonly PlacementStage[] | null,
): DealRepair | null {
  const repair: DealRepair = {}
  if (deal.pipelineId !== pipelineId) repair.pipelineId = pipelineId
  const column = stages ? placeDeal(deal, stages) : null
  const stage = column === null ? undefined : stages?.find((s) => s.id === column)
  if (stage && (stage.id !== deal.position.column || stage.outcome !== deal.status)) {
    repair.position = { column: stage.id, key: deal.position.key }
    repair.status = stage.outcome
  }
  return Object.keys(repair).length > 0 ? repair : null
}
