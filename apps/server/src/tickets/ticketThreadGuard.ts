import type { Extension } from '@hocuspocus/server'
import { COLLECTION, parseDocName } from '@rapport/model'
import { isCollabContext } from '../auth/collabContext.ts'
import { serverOrigin } from '../collab/directWrites.ts'
import { applyReverts, collectReverts } from '../collab/historyGuardExtension.ts'
import type { Logger } from '../log/logger.ts'
import { isTicketDocRef } from './ticketDocs.ts'

/**
 * A ticket's conversation is written by the server only (`POST /api/tickets/{id}/messages`), so every message's
 * author and time are the server's. In a ticket's document `W/ticket/T` (and `W/support` until it is split), a client
 * connection's transaction that adds, edits or deletes a
 * message in `ticketMessages` is undone by the next transaction (a server `repair` write, broadcast and stored),
 * the same way the account room's timeline is guarded (`collab/historyGuardExtension.ts`: every field reverted).
 */
export function ticketThreadGuard(logger: Logger): Extension {
  const log = logger.child('ticket-thread-guard')
  return {
    extensionName: 'rapport-ticket-thread-guard',
    async afterLoadDocument({ documentName, document }) {
      if (!isTicketDocRef(parseDocName(documentName))) return
      const map = document.getMap<unknown>(COLLECTION.ticketMessages)
      map.observeDeep((events, transaction) => {
        const context = (transaction.origin as { context?: unknown } | null)?.context
        if (!isCollabContext(context)) return
        try {
          // "timeline" = no client-writable fields: everything the client changed is put back.
          const reverts = collectReverts(COLLECTION.timeline, events, transaction)
          if (reverts.records.size === 0 && reverts.fields.size === 0 && reverts.nested.length === 0) return
          document.transact(() => applyReverts(map, reverts), serverOrigin('repair'))
          log.warn('reverted a client write to a ticket conversation', {
            docName: documentName,
            userId: context.userId,
            records: [...reverts.records.keys()],
          })
        } catch (error) {
          log.error('could not revert a client write to a ticket conversation', {
            docName: documentName,
            userId: context.userId,
            error,
          })
        }
      })
    },
  }
}
