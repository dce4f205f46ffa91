import type {
  beforeHandleMessagePayload,
  Connection,
  Extension,
  onStatelessPayload,
} from '@hocuspocus/server'
import { FEED_BATCH_MAX_CHARS, FEED_BATCH_MAX_EVENTS, parseDocName, parseFeedResume } from '@rapport/model'
import * as decoding from 'lib0/decoding'
import { isCollabContext } from '../auth/collabContext.ts'
import type { Logger } from '../log/logger.ts'
import type { FeedDelivery, FeedHub } from './FeedHub.ts'

/** Hocuspocus message type of a client's "relay this to every connection of the document" (`BroadcastStateless`). */
const BROADCAST_STATELESS = 6

/** Close sent to a connection that tries to relay messages to the other members on `W/feed`. */
export const FeedReadOnly = { code: 4403, reason: 'feed-read-only' } as const

const messageType = (frame: Uint8Array): number | null => {
  try {
    const decoder = decoding.createDecoder(frame)
    decoding.readVarString(decoder)
    return decoding.readVarUint(decoder)
  } catch {
    return null
  }
}

/** Runs for every message of every document: the cheap suffix test first. */
const isFeedDoc = (name: string): boolean => name.endsWith('/feed') && parseDocName(name)?.kind === 'feed'

/**
 * Record events as `batch` messages (docs/schema.md "Change feed"): in order, at most FEED_BATCH_MAX_EVENTS and about
 * FEED_BATCH_MAX_CHARS each (an event longer than that alone goes in a batch of its own). The events' JSON is the
 * hub's, joined, not parsed again.
 */
function sendBatches(deliveries: readonly FeedDelivery[], send: (message: string) => void): void {
  let parts: string[] = []
  let chars = 0
  const flush = () => {
    if (parts.length === 0) return
    send(`{"type":"batch","events":[${parts.join(',')}]}`)
    parts = []
    chars = 0
  }
  for (const { payload } of deliveries) {
    if (
      parts.length >= FEED_BATCH_MAX_EVENTS ||
      (parts.length > 0 && chars + payload.length > FEED_BATCH_MAX_CHARS)
    )
      flush()
    parts.push(payload)
    chars += payload.length + 1
  }
  flush()
}

/**
 * The change feed over `W/feed` (docs/schema.md "Change feed"). The document holds no content and every connection
 * is read-only (policy), so Hocuspocus drops client updates. A client's stateless
 * `{"type":"resume","since"?,"batch"?}` subscribes that connection to the workspace's `FeedHub`: missed events (or
 * `reset`), `live`, then each new event the member may read, as stateless messages (with `batch`, the events published
 * together as `batch` messages). Anything else a client sends stateless is ignored (logged at debug);
 * a client trying to relay a message to the other connections (`BroadcastStateless`) is closed — only the server
 * speaks on the feed.
 */
export function feedExtension(hub: FeedHub, logger: Logger): Extension {
  const log = logger.child('feed')
  const subscriptions = new WeakMap<Connection, () => void>()

  return {
    extensionName: 'rapport-feed',

    async beforeHandleMessage({ documentName, update }: beforeHandleMessagePayload) {
      if (!isFeedDoc(documentName)) return
      if (messageType(update) === BROADCAST_STATELESS) {
        log.debug('refused a relayed message on the feed', { documentName })
        throw FeedReadOnly
      }
    },

    async onStateless({ connection, documentName, payload }: onStatelessPayload) {
      if (!isFeedDoc(documentName)) return
      const context = connection.context
      const resume = parseFeedResume(payload)
      if (!resume || !isCollabContext(context)) {
        log.debug('ignored a stateless message on the feed', { documentName, length: payload.length })
        return
      }
      subscriptions.get(connection)?.()
      const member = { userId: context.userId, workspaceId: context.workspaceId, role: context.role }
      const send = (message: string) => {
        // A connection closed meanwhile is dropped by the hub (its close callback may never come).
        if (!connection.document.hasConnection(connection)) throw new Error('feed connection closed')
        connection.sendStateless(message)
      }
      const unsubscribe = hub.subscribe(
        member,
        resume.since,
        ({ payload: message }) => send(message),
        // Asked for batches: events committed together go as `batch` messages, one socket frame for many.
        resume.batch === true ? (deliveries) => sendBatches(deliveries, send) : undefined,
      )
      subscriptions.set(connection, unsubscribe)
      connection.onClose(() => {
        unsubscribe()
        subscriptions.delete(connection)
      })
    },
  }
}
