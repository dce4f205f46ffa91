import type { Extension } from '@hocuspocus/server'
import { COLLECTION, type HandoffStatus, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import { isCollabContext } from '../auth/collabContext.ts'
import type { Logger } from '../log/logger.ts'
import { serverOrigin } from './directWrites.ts'

/**
 * Handoff fields a client may write, and only while the handoff is a draft or returned (the UI's receiver and team
 * pickers). Everything else of a handoff — creating or deleting it, `status`, `sentAt`, `acceptedAt`,
 * `returnComment`, `fromUserId`, `accountId` — only the REST handoff actions and the won-deal automation write.
 */
export const HANDOFF_CLIENT_FIELDS: ReadonlySet<string> = new Set([
  'toUserId',
  'toTeam',
  'dealId',
  'archived',
  'updatedAt',
])
const EDITABLE_STATUSES: ReadonlySet<HandoffStatus> = new Set(['draft', 'returned'])

/** What one client transaction changed that it may not: each entry says how to put it back. */
export interface Reverts {
  /** Whole records to put back (`null`: the client created it, remove it). */
  records: Map<string, { value: unknown; map: boolean } | null>
  /** Fields of live records to put back (`absent`: the field did not exist before, delete it). */
  fields: Map<string, Map<string, Before>>
  /** Shared types inside a record field (the server never writes one): logged, cannot be put back. */
  nested: string[]
}

type Before = { value: unknown } | 'absent'
type Guarded = typeof COLLECTION.timeline | typeof COLLECTION.handoffs

/** True when `item` was in the document before `transaction` started. */
const existedBefore = (item: Y.Item, transaction: Y.Transaction): boolean =>
  item.id.clock < (transaction.beforeState.get(item.id.client) ?? 0)

/**
 * The value a map key had before `transaction`, read from the key's item chain (newest on the right): skip the items
 * the transaction added; the first older item is the value then, unless it had been deleted before the transaction.
 * Runs inside the transaction's observers, before garbage collection drops the content of deleted items.
 */
function valueBefore(item: Y.Item | null, transaction: Y.Transaction): Before {
  let current = item
  while (current !== null && !existedBefore(current, transaction)) current = current.left
  if (current === null) return 'absent'
  if (current.deleted && !Y.isDeleted(transaction.deleteSet, current.id)) return 'absent'
  const content = current.content.getContent()
  return content.length === 0 ? 'absent' : { value: plain(content[content.length - 1], transaction) }
}

/** A record map's fields as they were before `transaction` (also a map the transaction deleted). */
function recordBefore(map: Y.Map<unknown>, transaction: Y.Transaction): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (const [key, item] of map._map) {
    const before = valueBefore(item, transaction)
    if (before !== 'absent') record[key] = before.value
  }
  return record
}

/** Record fields are plain JSON; a shared type where one does not belong is kept as its JSON. */
function plain(value: unknown, transaction: Y.Transaction): unknown {
  if (value instanceof Y.Map) return recordBefore(value, transaction)
  if (value instanceof Y.AbstractType) return value.toJSON()
  return value
}

function statusBefore(record: Y.Map<unknown>, event: Y.YEvent<Y.AbstractType<unknown>>): unknown {
  const change = event.changes.keys.get('status')
  return change ? change.oldValue : record.get('status')
}

function addField(reverts: Reverts, id: string, field: string, before: Before): void {
  let fields = reverts.fields.get(id)
  if (!fields) {
    fields = new Map()
    reverts.fields.set(id, fields)
  }
  if (!fields.has(field)) fields.set(field, before)
}

/**
 * The reverts a client transaction needs on one guarded map (`timeline` or `handoffs`), from its deep events:
 * inserted records are removed, deleted or replaced records restored with their id and content, field edits of
 * timeline entries and of the server's handoff fields undone. Must run inside the transaction's observers.
 */
export function collectReverts(
  collection: Guarded,
  events: Y.YEvent<Y.AbstractType<unknown>>[],
  transaction: Y.Transaction,
): Reverts {
  const reverts: Reverts = { records: new Map(), fields: new Map(), nested: [] }
  for (const event of events) {
    const path = event.path
    if (path.length === 0) {
      for (const [id, change] of event.changes.keys) {
        if (change.action === 'add') reverts.records.set(id, null)
        else
          reverts.records.set(id, {
            value: plain(change.oldValue, transaction),
            map: change.oldValue instanceof Y.Map,
          })
      }
      continue
    }
    const id = String(path[0])
    if (path.length > 1 || !(event.target instanceof Y.Map)) {
      reverts.nested.push(path.join('.'))
      continue
    }
    const record = event.target as Y.Map<unknown>
    const editable =
      collection === COLLECTION.handoffs &&
      EDITABLE_STATUSES.has(statusBefore(record, event) as HandoffStatus)
    for (const [field, change] of event.changes.keys) {
      if (editable && HANDOFF_CLIENT_FIELDS.has(field)) continue
      addField(
        reverts,
        id,
        field,
        change.action === 'add' ? 'absent' : { value: plain(change.oldValue, transaction) },
      )
    }
  }
  return reverts
}

/** Applies `reverts` to `map` (call inside a server transaction). */
export function applyReverts(map: Y.Map<unknown>, reverts: Reverts): void {
  for (const [id, before] of reverts.records) {
    if (before === null) {
      map.delete(id)
      continue
    }
    if (!before.map || typeof before.value !== 'object' || before.value === null) {
      map.set(id, before.value)
      continue
    }
    const restored = new Y.Map<unknown>()
    for (const [key, value] of Object.entries(before.value)) restored.set(key, value)
    map.set(id, restored)
  }
  for (const [id, fields] of reverts.fields) {
    if (reverts.records.has(id)) continue
    const record = map.get(id)
    if (!(record instanceof Y.Map)) continue
    for (const [field, before] of fields) {
      if (before === 'absent') record.delete(field)
      else record.set(field, before.value)
    }
  }
}

const summary = (reverts: Reverts) => ({
  removed: [...reverts.records].filter(([, r]) => r === null).map(([id]) => id),
  restored: [...reverts.records].filter(([, r]) => r !== null).map(([id]) => id),
  fields: [...reverts.fields].flatMap(([id, fields]) => [...fields.keys()].map((f) => `${id}.${f}`)),
  notReverted: reverts.nested,
})

/**
 * History nobody can rewrite: in an account room (`W/account/A`) the timeline and the handoffs' server fields are
 * written by the server only. A client connection's transaction that changes them is undone by the next transaction
 * (a server `repair` write: broadcast to every client and stored like any update) and logged with the user's id.
 * Server writes (REST, automation, audit, seed) are never touched. Notes, tasks, briefs, checklists and the client
 * fields of a draft or returned handoff (`HANDOFF_CLIENT_FIELDS`) pass.
 */
export function historyGuardExtension(logger: Logger): Extension {
  const log = logger.child('history-guard')
  return {
    extensionName: 'rapport-history-guard',
    async afterLoadDocument({ documentName, document }) {
      if (parseDocName(documentName)?.kind !== 'account') return
      for (const collection of [COLLECTION.timeline, COLLECTION.handoffs] as const) {
        const map = document.getMap<unknown>(collection)
        map.observeDeep((events, transaction) => {
          const context = (transaction.origin as { context?: unknown } | null)?.context
          if (!isCollabContext(context)) return
          try {
            const reverts = collectReverts(collection, events, transaction)
            if (reverts.records.size === 0 && reverts.fields.size === 0 && reverts.nested.length === 0) return
            // Yjs runs it right after this transaction, as the document's next one (broadcast and stored).
            document.transact(() => applyReverts(map, reverts), serverOrigin('repair'))
            log.warn('reverted a client write to server-written history', {
              docName: documentName,
              collection,
              userId: context.userId,
              ...summary(reverts),
            })
          } catch (error) {
            log.error('could not revert a client write to server-written history', {
              docName: documentName,
              userId: context.userId,
              error,
            })
          }
        })
      }
    },
  }
}
