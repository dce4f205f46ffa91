import type { Hocuspocus } from '@hocuspocus/server'
import {
  accessTo,
  addTicketMessage,
  collectionMap,
  type DocRef,
  docName,
  idString,
  isModelError,
  keyForIndex,
  TICKETS,
  TicketMessageInput,
  ticketThread,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { openLiveDirectConnection, writeDocument } from '../collab/directWrites.ts'
import { AppError, forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { locateTicketRecord, ticketColumnKeys } from './ticketDocs.ts'

/** Access to a ticket's conversation is access to the ticket's document (the same for every ticket). */
const ticketRef = (session: SessionInfo, ticketId: string): DocRef => ({
  workspaceId: session.workspaceId,
  kind: 'ticket',
  ticketId,
})

/**
 * `/api/tickets/:id/messages`: a ticket's conversation, in the ticket's document (`W/ticket/T`, or `W/support`
 * before the data directory is split; the record index says which). Every member who may read the support queue
 * reads it, internal notes included (they are marked `kind: 'internal'`; they are never sent to the customer).
 * Members who may write the queue post replies and notes; the author and time are the caller and the server's clock.
 */
export function ticketThreadRoutes(deps: {
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
  /** The record index: where a ticket lives, and the `open` column's last key for a first reply. */
  index: Pick<IndexWorker, 'index' | 'flush'>
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const located = async (session: SessionInfo, ticketId: string) => {
    const found = await locateTicketRecord(deps.index, session.workspaceId, ticketId)
    if (!found) throw notFound(`ticket ${ticketId} not found`)
    return found
  }

  app.get('/tickets/:id/messages', deps.session, async (c) => {
    const session = c.get('session')
    const ticketId = idString.parse(c.req.param('id'))
    if (accessTo(session, ticketRef(session, ticketId)) === 'none')
      throw forbidden('You may not read support tickets')
    const { ref } = await located(session, ticketId)
    const connection = await openLiveDirectConnection(deps.hocuspocus, docName(ref), { system: true })
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
    if (accessTo(session, ticketRef(session, ticketId)) !== 'write')
      throw forbidden(`Your role (${session.role}) may not answer tickets`)
    const { ref, record } = await located(session, ticketId)
    // A first reply moves a `new` ticket to the end of `open`: the key after that column's last, from the index (the
    // document re-checks the column; a ticket moved out of `new` meanwhile is not moved).
    const column = (record.position as { column?: unknown } | undefined)?.column
    const keys =
      input.kind === 'reply' && column === 'new'
        ? await ticketColumnKeys(deps.index, session.workspaceId, 'open', ticketId)
        : []
    const openKey = keyForIndex(keys, keys.length)
    try {
      const message = await writeDocument(
        deps.hocuspocus,
        docName(ref),
        'rest',
        { userId: session.userId, name: session.name },
        (doc, origin) => addTicketMessage(doc, ticketId, session.userId, input, origin, { openKey }),
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
