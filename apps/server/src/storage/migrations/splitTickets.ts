import { join } from 'node:path'
import { COLLECTION, docName, ID_PATTERN, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../../log/logger.ts'
import { exists } from '../durableFiles.ts'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '../sqliteStore.ts'
import type { Migration } from './Migration.ts'
import { recordDocWriter } from './recordDocWriter.ts'
import { MIGRATION_CLIENT_ID } from './splitDeals.ts'

/** A plain copy of a stored field value (record fields are JSON values; a nested Yjs type is copied as its JSON). */
const plain = (value: unknown): unknown =>
  value instanceof Y.AbstractType ? (value.toJSON() as unknown) : structuredClone(value)

const copyFields = (from: Y.Map<unknown>): Y.Map<unknown> => {
  const to = new Y.Map<unknown>()
  for (const key of [...from.keys()].sort()) to.set(key, plain(from.get(key)))
  return to
}

/**
 * The state of a ticket's own document `W/ticket/T`: `getMap('tickets')` with the one entry `T` (every field and
 * custom-field entry, when the ticket exists) and `getMap('ticketMessages')` with the ticket's messages (every field),
 * built in one transaction of a scratch replica under MIGRATION_CLIENT_ID, in id order: a rerun builds the same bytes.
 */
export function ticketDocState(
  id: string,
  ticket: Y.Map<unknown> | null,
  messages: ReadonlyArray<readonly [string, Y.Map<unknown>]>,
): Uint8Array {
  // A fixed guid: a random one costs a crypto call per document (the guid is not part of the state).
  const scratch = new Y.Doc({ guid: id })
  scratch.clientID = MIGRATION_CLIENT_ID
  scratch.transact(() => {
    if (ticket) scratch.getMap<unknown>(COLLECTION.tickets).set(id, copyFields(ticket))
    const map = scratch.getMap<unknown>(COLLECTION.ticketMessages)
    for (const [messageId, fields] of [...messages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      map.set(messageId, copyFields(fields))
  })
  const state = Y.encodeStateAsUpdate(scratch)
  scratch.destroy()
  return state
}

/**
 * Splits every support document `W/support` (its update log merged in) into one document per ticket, `W/ticket/T`
 * (the ticket's fields and custom-field entries, and every message whose `ticketId` is `T`), then deletes
 * `W/support`. Messages of a ticket no longer there (deleted for good) keep their own `W/ticket/T` (nothing is
 * lost; with no ticket entry it lists nowhere). Entries that are not a Y.Map or whose id is not a valid id are
 * skipped (they were never valid records), as is a message without a valid `ticketId`. Rerun-safe: ticket documents
 * are written first (merged into any stored by an interrupted run: identical content under MIGRATION_CLIENT_ID),
 * the support document is deleted last.
 */
export async function splitTicketsIn(
  file: string,
  logger: Logger,
): Promise<{ supports: number; tickets: number; messages: number }> {
  const store = sqliteStore({ file, fsync: true })
  let supports = 0
  let tickets = 0
  let messages = 0
  try {
    const storedNames = await store.list()
    const writer = recordDocWriter(store, new Set(storedNames))
    const names = storedNames.filter((name) => parseDocName(name)?.kind === 'support')
    for (const name of names) {
      const ref = parseDocName(name)
      if (ref?.kind !== 'support') continue
      const state = await store.load(name)
      if (state) {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, state)
        const ticketMap = doc.getMap<unknown>(COLLECTION.tickets)
        const byTicket = new Map<string, Array<readonly [string, Y.Map<unknown>]>>()
        const messageMap = doc.getMap<unknown>(COLLECTION.ticketMessages)
        for (const messageId of [...messageMap.keys()].sort()) {
          const fields = messageMap.get(messageId)
          const ticketId = fields instanceof Y.Map ? fields.get('ticketId') : undefined
          if (!(fields instanceof Y.Map) || !ID_PATTERN.test(messageId) || typeof ticketId !== 'string')
            continue
          if (!ID_PATTERN.test(ticketId)) continue
          const list = byTicket.get(ticketId) ?? []
          list.push([messageId, fields as Y.Map<unknown>])
          byTicket.set(ticketId, list)
        }
        const ids = new Set<string>(byTicket.keys())
        for (const id of ticketMap.keys())
          if (ID_PATTERN.test(id) && ticketMap.get(id) instanceof Y.Map) ids.add(id)
        for (const id of [...ids].sort()) {
          const fields = ticketMap.get(id)
          const ticket = fields instanceof Y.Map ? (fields as Y.Map<unknown>) : null
          const own = byTicket.get(id) ?? []
          if (!ticket) logger.warn('messages of a deleted ticket keep their own document', { name, id })
          const ticketDoc = docName({ workspaceId: ref.workspaceId, kind: 'ticket', ticketId: id })
          const fresh = ticketDocState(id, ticket, own)
          await writer.add(ticketDoc, fresh)
          if (ticket) tickets += 1
          messages += own.length
          if (tickets > 0 && tickets % 10_000 === 0) logger.info('splitting tickets', { tickets })
        }
        doc.destroy()
      }
      // Every record document is stored before its source is deleted (rerun-safe).
      await writer.flush()
      await store.delete(name)
      supports += 1
    }
  } finally {
    await store.close()
  }
  return { supports, tickets, messages }
}

/**
 * Format step (from `from` to `from + 1`): tickets and their messages out of `W/support` into `W/ticket/T` (issue
 * #12, "Records at real size"). The step is appended to MIGRATIONS when the tickets slice switches over; `from` is
 * the format it then upgrades.
 */
export const splitTicketsStep = (from: number): Migration => ({
  from,
  describe:
    'tickets and their messages from each support document W/support into one document per ticket, W/ticket/T',
  async run(dataDir: string, logger: Logger): Promise<void> {
    const file = join(dataDir, SQLITE_DOCUMENTS_FILE)
    if (!(await exists(file))) return
    const done = await splitTicketsIn(file, logger)
    logger.info('split the support documents into ticket documents', done)
  },
})
