import type { Hocuspocus } from '@hocuspocus/server'
import {
  accessTo,
  addTicketMessage,
  collectionMap,
  type DocRef,
  docName,
  idString,
  isModelError,
  TICKETS,
  TicketMessageInput,
  ticketThread,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { AppError, forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import { readJsonBody } from '../http/routes/auth.ts'

const supportRef = (session: SessionInfo): DocRef => ({ workspaceId: session.workspaceId, kind: 'support' })

/**
 * `/api/tickets/:id/messages`: a ticket's conversation. Every member who may read the support queue reads it,
 * internal notes included (they are marked `kind: 'internal'`; they are never sent to the customer). Members who
 * may write the queue post replies and notes; the author and time are the caller and the server's clock.
 */
export function ticketThreadRoutes(deps: {
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/tickets/:id/messages', deps.session, async (c) => {
    const session = c.get('session')
    const ticketId = idString.parse(c.req.param('id'))
    if (accessTo(session, supportRef(session)) === 'none') throw forbidden('You may not read support tickets')
    const connection = await deps.hocuspocus.openDirectConnection(docName(supportRef(session)), {
      system: true,
    })
    try {
      const doc = connection.document
      if (!doc || !collectionMap(doc, TICKETS).has(ticketId)) throw notFound(`ticket ${ticketId} not found`)
      return c.json({ items: ticketThread(doc, ticketId) })
    } finally {
      await connection.disconnect()
    }
  })

  app.post('/tickets/:id/messages', deps.session, async (c) => {
    const session = c.get('session')
    const ticketId = idString.parse(c.req.param('id'))
    const input = await readJsonBody(c, TicketMessageInput)
    if (accessTo(session, supportRef(session)) !== 'write')
      throw forbidden(`Your role (${session.role}) may not answer tickets`)
    try {
      const message = await writeDocument(
        deps.hocuspocus,
        docName(supportRef(session)),
        'rest',
        { userId: session.userId, name: session.name },
        (doc, origin) => addTicketMessage(doc, ticketId, session.userId, input, origin),
      )
      return c.json(message, 201)
    } catch (error) {
      if (isModelError(error))
        throw new AppError(error.code === 'not_found' ? 404 : 400, error.code, error.message)
      throw error
    }
  })

  return app
}
