import type {
  beforeHandleMessagePayload,
  Connection,
  Extension,
  onStatelessPayload,
} from '@hocuspocus/server'
import { parseDocName, parseFeedResume } from '@rapport/model'
import * as decoding from 'lib0/decoding'
import { isCollabContext } from '../auth/collabContext.ts'
import type { Logger } from '../log/logger.ts'
import type { FeedHub } from './FeedHub.ts'

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
 * The change feed over `W/feed` (docs/schema.md "Change feed"). The document holds no content and every connection
 * is read-only (policy), so Hocuspocus drops client updates. A client's stateless `{"type":"resume","since"?}`
 * subscribes that connection to the workspace's `FeedHub`: missed events (or `reset`), `live`, then each new event
 * the member may read, as stateless messages. Anything else a client sends stateless is ignored (logged at debug);
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
      const unsubscribe = hub.subscribe(member, resume.since, ({ payload: message }) => {
        // A connection closed meanwhile is dropped by the hub (its close callback may never come).
        if (!connection.document.hasConnection(connection)) throw new Error('feed connection closed')
        connection.sendStateless(message)
      })
      subscriptions.set(connection, unsubscribe)
      connection.onClose(() => {
        unsubscribe()
        subscriptions.delete(connection)
      })
    },
  }
}
