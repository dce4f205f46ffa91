import type { Hocuspocus } from '@hocuspocus/server'
import { accessTo, docName, idString } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import * as Y from 'yjs'
import { forbidden } from '../../errors.ts'
import type { AppEnv } from '../app.ts'
import type { RouteDoc } from '../openapi.ts'

/**
 * How long the room stays loaded after its state was read: the page that asked opens its socket to the same room
 * a few hundred milliseconds later, and finds the document loaded instead of loading it a second time.
 */
export const ROOM_STATE_HOLD_MS = 5_000

/** The response header naming the document whose state the body is. */
export const DOCUMENT_NAME_HEADER = 'x-document-name'

export const roomStateRouteDocs: Record<string, RouteDoc> = {
  'GET /api/accounts/{accountId}/room-state': {
    summary:
      "An account room's document state as one Yjs update (application/octet-stream), for a first visit's early start",
  },
}

/**
 * `GET /api/accounts/:accountId/room-state`: the live state of the room `W/account/A` as one Yjs update (v1), for any
 * member who may read the room (docs/schema.md). index.html asks for it on a first visit to a room, beside the app's
 * bundle; the client applies it to its `Y.Doc` before the socket's sync (DocRegistry), so the notes editor mounts on
 * the server's state without waiting for the socket. The room is read through a direct connection (every load hook —
 * migration, validation — has run on it, as for a socket's sync) that is held for `holdMs`.
 */
export function roomStateRoutes(deps: {
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
  holdMs?: number
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const holdMs = deps.holdMs ?? ROOM_STATE_HOLD_MS
  app.get('/accounts/:accountId/room-state', deps.session, async (c) => {
    const session = c.get('session')
    const accountId = idString.parse(c.req.param('accountId'))
    const ref = { workspaceId: session.workspaceId, kind: 'account', accountId } as const
    if (accessTo(session, ref) === 'none') throw forbidden()
    const connection = await deps.hocuspocus.openDirectConnection(docName(ref), { system: true })
    let update: Uint8Array
    try {
      update = connection.document
        ? Y.encodeStateAsUpdate(connection.document)
        : Y.encodeStateAsUpdate(new Y.Doc())
    } finally {
      const timer = setTimeout(() => void connection.disconnect().catch(() => {}), holdMs)
      timer.unref()
    }
    return c.body(update as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'cache-control': 'no-store',
      // Which document this is (the session's workspace): the client applies it to that document only.
      [DOCUMENT_NAME_HEADER]: docName(ref),
    })
  })
  return app
}
