import type { Hocuspocus } from '@hocuspocus/server'
import {
  Activity,
  accessTo,
  collectionMap,
  type DocRef,
  docName,
  idString,
  isModelError,
  LogActivityInput,
  LogActivityPatch,
  logActivity,
  readRecord,
  readRecords,
  TIMELINE,
  timelinePage,
  updateLoggedActivity,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { AppError, forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import { readJsonBody } from '../http/routes/auth.ts'

export const TimelineQuery = z.object({
  /** `nextBefore` of the previous page (`<at>~<id>`); absent = the newest entries. */
  before: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
})

type Need = 'read' | 'write'

/**
 * `/api/accounts/:accountId/timeline` and `/activities[/:activityId]`: read an account room's timeline page by
 * page, and log, edit or remove calls, emails and meetings. Entries are written by the server: the actor is the
 * caller. Only the member who logged an entry, or an admin, changes or removes it.
 */
export function timelineRoutes(deps: {
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  const room = (session: SessionInfo, accountIdParam: string | undefined, need: Need) => {
    const accountId = idString.parse(accountIdParam)
    const ref: DocRef = { workspaceId: session.workspaceId, kind: 'account', accountId }
    const access = accessTo(session, ref)
    if (access === 'none') throw forbidden('You may not open this account')
    if (need === 'write' && access !== 'write')
      throw forbidden(`Your role (${session.role}) may only read this account`)
    return { accountId, name: docName(ref) }
  }

  const readRoom = async <T>(name: string, read: (doc: import('yjs').Doc) => T): Promise<T> => {
    const connection = await deps.hocuspocus.openDirectConnection(name, { system: true })
    try {
      if (!connection.document) throw notFound('This account room is not available')
      return read(connection.document)
    } finally {
      await connection.disconnect()
    }
  }

  const write = async <T>(
    session: SessionInfo,
    name: string,
    fn: (doc: import('yjs').Doc, origin: unknown) => T,
  ) => {
    try {
      return await writeDocument(
        deps.hocuspocus,
        name,
        'rest',
        { userId: session.userId, name: session.name },
        fn,
      )
    } catch (error) {
      if (isModelError(error)) {
        const status = error.code === 'invalid_input' ? 400 : error.code === 'not_found' ? 404 : 409
        throw new AppError(status, error.code, error.message)
      }
      throw error
    }
  }

  app.get('/accounts/:accountId/timeline', deps.session, async (c) => {
    const session = c.get('session')
    const { name } = room(session, c.req.param('accountId'), 'read')
    const query = TimelineQuery.parse(c.req.query())
    const page = await readRoom(name, (doc) => {
      try {
        return timelinePage(readRecords(collectionMap(doc, TIMELINE), Activity).records, query)
      } catch (error) {
        if (isModelError(error)) throw new AppError(400, 'invalid_input', error.message)
        throw error
      }
    })
    return c.json(page)
  })

  app.get('/accounts/:accountId/activities/:activityId', deps.session, async (c) => {
    const session = c.get('session')
    const { name } = room(session, c.req.param('accountId'), 'read')
    const activityId = idString.parse(c.req.param('activityId'))
    const activity = await readRoom(name, (doc) =>
      readRecord(collectionMap(doc, TIMELINE), activityId, Activity),
    )
    if (!activity) throw notFound(`activity ${activityId} not found`)
    return c.json(activity)
  })

  app.post('/accounts/:accountId/activities', deps.session, async (c) => {
    const session = c.get('session')
    const input = await readJsonBody(c, LogActivityInput)
    const { accountId, name } = room(session, c.req.param('accountId'), 'write')
    const created = await write(session, name, (doc, origin) =>
      logActivity(doc, accountId, session.userId, input, origin),
    )
    return c.json(created, 201)
  })

  const change = async (
    session: SessionInfo,
    accountIdParam: string | undefined,
    activityIdParam: string | undefined,
    patch: LogActivityPatch,
  ) => {
    const { name } = room(session, accountIdParam, 'write')
    const activityId = idString.parse(activityIdParam)
    return write(session, name, (doc, origin) => {
      const current = readRecord(collectionMap(doc, TIMELINE), activityId, Activity)
      if (!current) throw notFound(`activity ${activityId} not found`)
      if (current.actorId !== session.userId && session.role !== 'admin')
        throw forbidden('Only the member who logged it, or an admin, may change this entry')
      return updateLoggedActivity(doc, activityId, patch, origin)
    })
  }

  app.patch('/accounts/:accountId/activities/:activityId', deps.session, async (c) => {
    const patch = await readJsonBody(c, LogActivityPatch)
    return c.json(await change(c.get('session'), c.req.param('accountId'), c.req.param('activityId'), patch))
  })

  app.delete('/accounts/:accountId/activities/:activityId', deps.session, async (c) => {
    const session = c.get('session')
    await change(session, c.req.param('accountId'), c.req.param('activityId'), { archived: true })
    return c.body(null, 204)
  })

  return app
}
