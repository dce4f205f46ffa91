import type { Extension } from '@hocuspocus/server'
import { COLLECTION, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import { isCollabContext } from '../auth/collabContext.ts'
import { serverOrigin } from '../collab/directWrites.ts'
import { applyReverts, collectReverts, type Reverts } from '../collab/historyGuardExtension.ts'
import type { Logger } from '../log/logger.ts'

/** What the inbox's owner may write to a notification, with the type each must have: its read/unread state. */
export const INBOX_CLIENT_FIELDS: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ['read', (value: unknown) => typeof value === 'boolean'],
  ['updatedAt', (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0],
])

/** Drops from `reverts` the owner's allowed edits: `read` and `updatedAt` of an existing notification, well typed. */
export function allowReadState(reverts: Reverts, notifications: Y.Map<unknown>): Reverts {
  for (const [id, fields] of reverts.fields) {
    const record = notifications.get(id)
    if (!(record instanceof Y.Map)) continue
    for (const field of [...fields.keys()]) {
      const valid = INBOX_CLIENT_FIELDS.get(field)
      if (valid && record.has(field) && valid(record.get(field))) fields.delete(field)
    }
    if (fields.size === 0) reverts.fields.delete(id)
  }
  return reverts
}

/**
 * Notifications are written by the server only (§7 of docs/schema.md); their owner marks them read or unread. In
 * `W/inbox/U`, a client connection's transaction that creates, deletes or replaces a notification, or changes any
 * field but `read` (a boolean) and `updatedAt` (ms), is undone by the next transaction (a server `repair` write,
 * broadcast and stored), as the account room's history is (`collab/historyGuardExtension.ts`).
 */
export function inboxGuard(logger: Logger): Extension {
  const log = logger.child('inbox-guard')
  return {
    extensionName: 'rapport-inbox-guard',
    async afterLoadDocument({ documentName, document }) {
      if (parseDocName(documentName)?.kind !== 'inbox') return
      const map = document.getMap<unknown>(COLLECTION.notifications)
      map.observeDeep((events, transaction) => {
        const context = (transaction.origin as { context?: unknown } | null)?.context
        if (!isCollabContext(context)) return
        try {
          // "timeline" = no client-writable fields; the read state is then let through.
          const reverts = allowReadState(collectReverts(COLLECTION.timeline, events, transaction), map)
          if (reverts.records.size === 0 && reverts.fields.size === 0 && reverts.nested.length === 0) return
          document.transact(() => applyReverts(map, reverts), serverOrigin('repair'))
          log.warn('reverted a client write to an inbox', {
            docName: documentName,
            userId: context.userId,
            records: [...reverts.records.keys()],
            fields: [...reverts.fields].flatMap(([id, f]) => [...f.keys()].map((k) => `${id}.${k}`)),
          })
        } catch (error) {
          log.error('could not revert a client write to an inbox', {
            docName: documentName,
            userId: context.userId,
            error,
          })
        }
      })
    },
  }
}
