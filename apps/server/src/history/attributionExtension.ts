import type { beforeHandleMessagePayload, Extension, onLoadDocumentPayload } from '@hocuspocus/server'
import {
  AUTHOR_RELAYS_MAX,
  type AuthorEntry,
  authorsMap,
  parseDocName,
  readAuthor,
  withAuthorMark,
  withAuthorRelay,
} from '@rapport/model'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { isCollabContext } from '../auth/collabContext.ts'
import { serverOrigin } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'

/** Close reason of a document connection whose update claimed another author's Yjs clientID. */
export const SpoofedAuthor = { code: 4403, reason: 'spoofed-author' } as const

const MESSAGE_SYNC = 0
const MESSAGE_SYNC_REPLY = 4
const SYNC_STEP_2 = 1
const SYNC_UPDATE = 2

/** clientID → [first clock, end clock) of the structs an update carries (Skip structs are gaps, not content). */
export function clientRanges(update: Uint8Array): Map<number, { from: number; to: number }> {
  const ranges = new Map<number, { from: number; to: number }>()
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct.constructor === Y.Skip) continue
    const { client, clock } = struct.id
    const range = ranges.get(client)
    const to = clock + struct.length
    if (!range) ranges.set(client, { from: clock, to })
    else {
      range.from = Math.min(range.from, clock)
      range.to = Math.max(range.to, to)
    }
  }
  return ranges
}

/**
 * The Yjs update inside a Hocuspocus sync message and whether it is live: `live` = a sync Update message (what a
 * client sends as its user edits), false = a sync step 2 (the difference a client sends after each (re)connect,
 * which also carries whatever it received from others and the server has not got).
 */
export function syncMessageOf(message: Uint8Array): { update: Uint8Array; live: boolean } | null {
  try {
    const decoder = decoding.createDecoder(message)
    decoding.readVarString(decoder)
    const type = decoding.readVarUint(decoder)
    if (type !== MESSAGE_SYNC && type !== MESSAGE_SYNC_REPLY) return null
    const syncType = decoding.readVarUint(decoder)
    if (syncType !== SYNC_STEP_2 && syncType !== SYNC_UPDATE) return null
    return { update: decoding.readVarUint8Array(decoder), live: syncType === SYNC_UPDATE }
  } catch {
    return null
  }
}

const isRoom = (name: string): boolean => parseDocName(name)?.kind === 'account'

/**
 * Who wrote what in account rooms, from what the server knows: the authenticated user of the connection that sent
 * an update, never anything the client wrote. For every Yjs clientID first seen in an update from a user's
 * connection the server records `clientID → { userId, at, marks }` in the room's `authors` map (plus a time mark
 * per minute of further writing); items of that clientID that arrive from ANOTHER user's connection are recorded
 * as a relayed range `[from, to, userId, at]` of the entry (`relays`).
 *
 * A clientID is LIVE for a user once that user's connection has sent new content under it in a sync Update message
 * (typing) since the room was loaded by this process. Before a client update is applied, NEW content (beyond the
 * server's state) under the server's own clientID, or under a clientID live for another user, is spoofing: the
 * update is refused (the document connection is closed with `spoofed-author`) and logged. New content under a
 * clientID that is not live is accepted and attributed to the sender: after a crash the server may have lost
 * updates it had already broadcast (the broadcast does not wait for the log append), and the first client to come
 * back re-sends them in its sync step 2 — often not their author. Refusing them closed that genuine client's room
 * for good (every reconnect re-sends them) and, when the author's first update was lost with its `authors` entry,
 * recorded the author's clientID for the relaying user and refused the author's own next edits. Content the server
 * already has is harmless and passes. Client writes to the `authors` map itself are reverted in the next
 * transaction.
 */
export function createAttributionExtension(deps: { logger: Logger; now?: () => number }): Extension {
  const log = deps.logger.child('attribution')
  const now = deps.now ?? Date.now
  const origin = serverOrigin('repair')
  /** Per loaded room: clientID → the user whose connection wrote live content under it since the room loaded. */
  const liveClients = new WeakMap<Y.Doc, Map<number, string>>()
  const liveOf = (doc: Y.Doc): Map<number, string> => {
    let live = liveClients.get(doc)
    if (!live) {
      live = new Map()
      liveClients.set(doc, live)
    }
    return live
  }

  const attribute = (doc: Y.Doc, update: Uint8Array, userId: string): void => {
    const map = authorsMap(doc)
    const changes: Array<[number, AuthorEntry]> = []
    const at = now()
    for (const [client, range] of clientRanges(update)) {
      const entry = readAuthor(map, client)
      if (!entry) changes.push([client, { userId, at, marks: [[range.from, at]] }])
      else if (entry.userId === userId) {
        const next = withAuthorMark(entry, range.from, at)
        if (next !== entry) changes.push([client, next])
      } else {
        // Checked before it was applied (beforeHandleMessage): not live for another user, room for one more range.
        const next = withAuthorRelay(entry, range.from, range.to, userId, at)
        if (next) changes.push([client, next])
      }
    }
    if (changes.length === 0) return
    doc.transact(() => {
      for (const [client, entry] of changes) map.set(String(client), entry)
    }, origin)
  }

  /** Puts back the server's value of every key a client transaction changed in the authors map. */
  const revert = (
    doc: Y.Doc,
    keys: Set<string | null>,
    truth: Map<string, unknown>,
    userId: string,
  ): void => {
    const map = authorsMap(doc)
    log.warn('reverted a client write to the authors map', {
      docName: (doc as { name?: string }).name,
      userId,
    })
    doc.transact(() => {
      for (const key of keys) {
        if (key === null) continue
        const value = truth.get(key)
        if (value === undefined) map.delete(key)
        else map.set(key, value)
      }
    }, origin)
  }

  return {
    extensionName: 'rapport-attribution',
    // Before persistence (1000), whose beforeHandleMessage applies a client's update to make it durable before
    // Hocuspocus acknowledges it: a spoofed update must be refused before anything applies it.
    priority: 1001,

    async afterLoadDocument({ documentName, document }: onLoadDocumentPayload) {
      if (!isRoom(documentName)) return
      const map = authorsMap(document)
      const key = map as unknown as Y.AbstractType<Y.YEvent<Y.Map<unknown>>>
      const truth = new Map<string, unknown>(map.entries())
      document.on('update', (update: Uint8Array, txOrigin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
        const context = (txOrigin as { context?: unknown } | null)?.context
        if (!isCollabContext(context)) {
          // The server's own writes (and loads) are the truth of the map.
          if (tr.changed.has(key)) {
            for (const entry of tr.changed.get(key) ?? []) {
              if (entry === null) continue
              const value = map.get(entry)
              if (value === undefined) truth.delete(entry)
              else truth.set(entry, value)
            }
          }
          return
        }
        const touched = tr.changed.get(key)
        if (touched && touched.size > 0) revert(document, touched, truth, context.userId)
        attribute(document, update, context.userId)
      })
    },

    async beforeHandleMessage({ documentName, document, connection, update }: beforeHandleMessagePayload) {
      if (!isRoom(documentName) || connection.readOnly || !isCollabContext(connection.context)) return
      const message = syncMessageOf(update)
      if (!message) return
      const userId = connection.context.userId
      const authors = authorsMap(document)
      const live = liveOf(document)
      const written: number[] = []
      for (const [client, range] of clientRanges(message.update)) {
        if (range.to <= Y.getState(document.store, client)) continue // nothing new under this clientID
        const server = client === document.clientID
        const liveFor = live.get(client)
        const owner = server || liveFor !== undefined ? null : readAuthor(authors, client)
        const full =
          owner !== null && owner.userId !== userId && (owner.relays?.length ?? 0) >= AUTHOR_RELAYS_MAX
        if (server || (liveFor !== undefined && liveFor !== userId) || full) {
          log.warn('refused an update that writes as another author', {
            docName: documentName,
            userId,
            clientId: client,
            ownerId: server ? 'server' : (liveFor ?? owner?.userId),
          })
          throw SpoofedAuthor
        }
        if (owner && owner.userId !== userId) {
          log.info(
            'accepted content under another author’s clientID that is not live here (re-sent after a restart?)',
            {
              docName: documentName,
              userId,
              clientId: client,
              ownerId: owner.userId,
              live: message.live,
            },
          )
        }
        written.push(client)
      }
      if (message.live) for (const client of written) live.set(client, userId)
    },
  }
}
