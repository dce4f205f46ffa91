import { Hono, type MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { AccessChange } from '../auth/authServices.ts'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { badRequest } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import type { Logger } from '../log/logger.ts'
import type { FeedDelivery, FeedHub } from './FeedHub.ts'

/** Events queued for a slow reader before its stream is ended. */
const MAX_QUEUED = 10_000

const SEQ = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const FeedQuery = z.object({
  /** Send the kept events after this seq first (or `reset` when they are gone). Absent: from now. */
  since: SEQ.optional(),
})

export const feedRouteDocs: Record<string, RouteDoc> = {
  'GET /api/feed': {
    summary:
      'The change feed as Server-Sent Events (`text/event-stream`): events `change` (id = seq), `reset`, `live`; ' +
      '`Last-Event-ID` resumes like `since`; a comment every 25 s',
    query: FeedQuery,
  },
}

export interface FeedRoutesOptions {
  hub: FeedHub
  session: MiddlewareHandler<AppEnv>
  /** Calls back on role changes, removals and revoked sessions/tokens (the auth services' `onAccessChange`). */
  onAccessChange: (listener: (change: AccessChange) => void) => () => void
  logger: Logger
  /** Comment line interval keeping proxies from closing an idle stream (default 25 s). */
  heartbeatMs?: number
}

const affects = (session: SessionInfo, change: AccessChange): boolean =>
  change.type === 'member'
    ? change.userId === session.userId && change.workspaceId === session.workspaceId
    : change.type === 'workspace'
      ? change.workspaceId === session.workspaceId
      : change.sid === session.sid

/**
 * One delivery as Server-Sent Event text, as Hono's `writeSSE` writes it (`event`, `data`, `id`); the heartbeat
 * (seq -1) as a comment. The payload is one line of JSON (JSON.stringify writes no raw line break).
 */
function sseText(delivery: FeedDelivery): string {
  if (delivery.seq === -1) return ': heartbeat\n\n'
  return `event: ${delivery.name}\ndata: ${delivery.payload}\nid: ${delivery.seq}\n\n`
}

/**
 * `GET /api/feed?since=<seq>`: the workspace's change feed for outside clients, as Server-Sent Events. Same events,
 * order and access filter as `W/feed`. The stream ends when the caller's access changes (role change, removal,
 * logout, revoked token) — reconnecting re-checks it, like the socket.
 */
export function feedRoutes(options: FeedRoutesOptions): Hono<AppEnv> {
  const { hub } = options
  const heartbeatMs = options.heartbeatMs ?? 25_000
  const app = new Hono<AppEnv>()

  app.get('/feed', options.session, (c) => {
    const session = c.get('session')
    const query = FeedQuery.parse(c.req.query())
    const lastEventId = c.req.header('last-event-id')
    let since = query.since
    if (lastEventId !== undefined && lastEventId !== '') {
      const parsed = SEQ.safeParse(lastEventId)
      if (!parsed.success)
        throw badRequest('Last-Event-ID must be a feed seq (a whole number)', 'invalid_input')
      since = parsed.data
    }
    const member = { userId: session.userId, workspaceId: session.workspaceId, role: session.role }

    return streamSSE(c, async (stream) => {
      const queue: FeedDelivery[] = []
      let wake: (() => void) | null = null
      let done = false
      const stop = () => {
        done = true
        wake?.()
      }
      const unsubscribe = hub.subscribe(member, since, (delivery) => {
        if (done) throw new Error('feed stream closed')
        // A reader this far behind reconnects with Last-Event-ID (and gets the events, or `reset`).
        if (queue.length >= MAX_QUEUED) stop()
        queue.push(delivery)
        wake?.()
      })
      const stopWatching = options.onAccessChange((change) => {
        if (affects(session, change)) stop()
      })
      stream.onAbort(stop)
      const heartbeat = setInterval(() => {
        queue.push({ name: 'live', seq: -1, payload: '' })
        wake?.()
      }, heartbeatMs)
      try {
        while (!done) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve
            })
            wake = null
            continue
          }
          // Everything queued meanwhile (an import's events come hundreds at a time) in one write.
          await stream.write(queue.splice(0).map(sseText).join(''))
        }
      } catch (error) {
        options.logger.debug('feed stream ended', { error })
      } finally {
        clearInterval(heartbeat)
        unsubscribe()
        stopWatching()
      }
    })
  })

  return app
}
