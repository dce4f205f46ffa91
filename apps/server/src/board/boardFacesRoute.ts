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
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'
import { type BoardRowsSource, boardDealRows } from './boardDealRows.ts'

/** What a face needs of an indexed deal row (a row without it is skipped, like the board mirror skips it). */
export const FaceSource = z.object({
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
export type FaceSource = z.infer<typeof FaceSource>

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isNullableText = (v: unknown): boolean => v === null || typeof v === 'string'

/**
 * `FaceSource.safeParse(row)` by hand: whether the row has what a face needs (property test against the schema in
 * boardFacesRoute.test.ts). zod's object parse of each of 20,000 rows cost ~90 ms of the route.
 */
export function isFaceSource(row: Record<string, unknown>): boolean {
  const position = row.position
  if (typeof position !== 'object' || position === null || Array.isArray(position)) return false
  const { column, key } = position as Record<string, unknown>
  const { status, archived } = row
  return (
    typeof row.id === 'string' &&
    typeof row.title === 'string' &&
    isNumber(row.amount) &&
    typeof row.currency === 'string' &&
    isNullableText(row.accountId) &&
    isNullableText(row.ownerId) &&
    typeof row.pipelineId === 'string' &&
    typeof column === 'string' &&
    typeof key === 'string' &&
    (status === 'open' || status === 'won' || status === 'lost') &&
    isNumber(row.stageEnteredAt) &&
    (archived === undefined || typeof archived === 'boolean')
  )
}

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
  index: BoardRowsSource
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
  const now = (options.now ?? Date.now)()
  const cards: BoardFaceRow[] = []
  const accountIds = new Set<string>()
  for (const row of await boardDealRows(options.index, session.workspaceId, pipelineId)) {
    if (!isFaceSource(row)) continue
    const deal = row as unknown as FaceSource
    const { position, status, stageEnteredAt } = deal
    const mirrored = {
      pipelineId: deal.pipelineId,
      position,
      status,
      stageEnteredAt,
      archived: deal.archived ?? false,
    }
    if (boardEntryOf(mirrored, pipelineId, now, ws.closedDays) === null) continue
    cards.push(boardFaceRow(deal))
    if (deal.accountId) accountIds.add(deal.accountId)
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
