import type { Extension } from '@hocuspocus/server'
import { parseDocName } from '@rapport/model'
import type { Automation } from '../automation/Automation.ts'
import { watchMentions, watchPipeline, watchTickets } from '../automation/watchers.ts'

/**
 * Runs the workflow automation on the server: watches deal documents `W/deal/D` (won deal → handoff draft), the
 * ticket documents `W/ticket/T` (ticket assignments) and account rooms (@mentions) while Hocuspocus has them loaded.
 */
export function automationExtension(automationOf: () => Automation | null): Extension {
  const watching = new Map<string, () => void>()
  return {
    extensionName: 'rapport-automation',
    async afterLoadDocument({ documentName, document }) {
      const ref = parseDocName(documentName)
      const automation = automationOf()
      if (!ref || !automation) return
      watching.get(documentName)?.()
      if (ref.kind === 'deal') {
        watching.set(documentName, watchPipeline(automation, ref.workspaceId, document))
        // A won deal whose trigger was lost (crash between the move and the draft) gets its draft now.
        automation.background(`reconcile:${documentName}`, 'won deal reconcile', () =>
          automation.wonDeals.reconcileDocument(ref.workspaceId, document),
        )
      }
      if (ref.kind === 'ticket' || ref.kind === 'support')
        watching.set(documentName, watchTickets(automation, ref.workspaceId, document, documentName))
      if (ref.kind === 'account') {
        watching.set(documentName, watchMentions(automation, ref.workspaceId, ref.accountId, document))
      }
    },
    async afterUnloadDocument({ documentName }) {
      watching.get(documentName)?.()
      watching.delete(documentName)
    },
  }
}
