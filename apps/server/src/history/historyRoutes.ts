import { accessTo, type DocRef, idString } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RoomHistory } from './RoomHistory.ts'

const VersionId = z.string().regex(/^ver_[A-Za-z0-9_-]{1,40}$/, 'invalid version id')

/**
 * `/api/accounts/:accountId/history[...]`: the versions of an account room (notes + the account's fields).
 * Readers of the room (viewers included) list and read versions; restoring needs write access. Versions are looked
 * up in the caller's workspace only.
 */
export function historyRoutes(deps: {
  history: RoomHistory
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  const room = (
    c: {
      req: { param(name: string): string | undefined }
      get(key: 'session'): AppEnv['Variables']['session']
    },
    need: 'read' | 'write',
  ) => {
    const session = c.get('session')
    const accountId = idString.parse(c.req.param('accountId'))
    const ref: DocRef = { workspaceId: session.workspaceId, kind: 'account', accountId }
    const access = accessTo(session, ref)
    if (access === 'none') throw forbidden('You may not open this account room')
    if (need === 'write' && access !== 'write') throw forbidden('Your role may only read this account room')
    return { session, accountId }
  }

  app.get('/accounts/:accountId/history', deps.session, async (c) => {
    const { session, accountId } = room(c, 'read')
    return c.json({ items: await deps.history.list(session.workspaceId, accountId) })
  })

  app.get('/accounts/:accountId/history/:versionId', deps.session, async (c) => {
    const { session, accountId } = room(c, 'read')
    const versionId = VersionId.parse(c.req.param('versionId'))
    const detail = await deps.history.get(session.workspaceId, accountId, versionId)
    if (!detail) throw notFound('No such version of this account room')
    return c.json(detail)
  })

  app.post('/accounts/:accountId/history/:versionId/restore', deps.session, async (c) => {
    const { session, accountId } = room(c, 'write')
    const versionId = VersionId.parse(c.req.param('versionId'))
    const result = await deps.history.restore(session.workspaceId, accountId, versionId, {
      userId: session.userId,
      name: session.name,
    })
    if (!result) throw notFound('No such version of this account room')
    return c.json(result)
  })

  return app
}
