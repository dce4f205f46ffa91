import {
  accessTo,
  BOARD_FACE_FIELDS,
  type BoardFaceRow,
  type BoardFaces,
  boardEntryOf,
  boardFaceRow,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import type { Projection } from '../projection/Projection.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'

/** What a face needs of an indexed deal row (a row without it is skipped, like the board mirror skips it). */
const FaceSource = z.object({
  id: z.string(),
  title: z.string(),
  amount: z.number(),
  currency: z.string(),
  accountId: z.string().nullable(),
  ownerId: z.string().nullable(),
  pipelineId: z.string(),
  position: z.object({ column: z.string(), key: z.string() }),
  status: z.enum(['open', 'won', 'lost']),
  stageEnteredAt: z.number(),
  archived: z.boolean().optional(),
})

const PipelineParam = z.string().min(1).max(64)

export const boardFacesRouteDocs: Record<string, RouteDoc> = {
  'GET /api/pipelines/{pipelineId}/board/faces': {
    summary:
      'Every card of a pipeline board with its face and place, from the record index, in one compact response ' +
      '(`cards`: arrays in the order of `fields`)',
  },
}

export interface BoardFacesRouteOptions {
  projection: Projection
  index: Pick<IndexWorker, 'index' | 'flush'>
  session: MiddlewareHandler<AppEnv>
  now?: () => number
}

/**
 * The faces of every card of board `pipelineId` (issue #12): the non-archived deals of the pipeline that have an
 * entry on `W/board/P` (open, or closed for less than the workspace's `closedDays`), read from the record index in
 * pages of MAX_PAGE rows and answered as one JSON body, with the names of their accounts.
 */
export async function boardFaces(
  options: Pick<BoardFacesRouteOptions, 'projection' | 'index' | 'now'>,
  session: SessionInfo,
  pipelineId: string,
): Promise<BoardFaces> {
  const ws = options.projection.workspace(session.workspaceId)
  if (!ws.pipelines.has(pipelineId)) throw notFound(`pipeline ${pipelineId} not found`)
  const { index } = options.index
  await options.index.flush()
  const now = (options.now ?? Date.now)()
  const cards: BoardFaceRow[] = []
  const accountIds = new Set<string>()
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await index.list(session.workspaceId, 'deals', {
      filters: { pipelineId },
      offset,
      limit: MAX_PAGE,
      archived: 'false',
    })
    for (const row of page.items) {
      const parsed = FaceSource.safeParse(row)
      if (!parsed.success) continue
      const deal = parsed.data
      const mirrored = { ...deal, archived: deal.archived ?? false }
      if (boardEntryOf(mirrored, pipelineId, now, ws.closedDays) === null) continue
      cards.push(boardFaceRow(deal))
      if (deal.accountId) accountIds.add(deal.accountId)
    }
    offset = page.nextOffset
  }
  const accounts: Record<string, string> = {}
  const readsAccounts =
    accessTo(session, { workspaceId: session.workspaceId, kind: 'account', accountId: 'any' }) !== 'none'
  if (readsAccounts) {
    const ids = [...accountIds]
    for (let i = 0; i < ids.length; i += MAX_PAGE)
      for (const { id, record } of await index.getMany(
        session.workspaceId,
        'accounts',
        ids.slice(i, i + MAX_PAGE),
      ))
        if (typeof record.name === 'string') accounts[id] = record.name
  }
  return { pipelineId, fields: [...BOARD_FACE_FIELDS], cards, accounts }
}

/** `GET /api/pipelines/:pipelineId/board/faces` (docs/schema.md §5). */
export function boardFacesRoutes(options: BoardFacesRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/pipelines/:pipelineId/board/faces', options.session, async (c) => {
    const session = c.get('session')
    const pipelineId = PipelineParam.parse(c.req.param('pipelineId'))
    if (accessTo(session, { workspaceId: session.workspaceId, kind: 'board', pipelineId }) === 'none')
      throw forbidden(`role ${session.role} may not read board`)
    return c.json(await boardFaces(options, session, pipelineId))
  })
  return app
}
