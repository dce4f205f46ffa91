import type { beforeHandleMessagePayload, Extension } from '@hocuspocus/server'
import { type DocKind, parseDocName } from '@rapport/model'
import type { Logger } from '../log/logger.ts'

/**
 * Document kinds retired by issue #12 ("Records at real size"): their records moved into per-record documents, and
 * the data-format migration split every stored one. Each slice adds its kind here when it lands:
 * `pipeline` (`W/pipeline/P` → `W/deal/D`), `contacts` (`W/contacts` → `W/contact/C`), `support` (`W/support` →
 * `W/ticket/T`), `accounts` (`W/accounts` → `W/account/A`).
 */
export const RETIRED_KINDS: ReadonlySet<DocKind> = new Set<DocKind>([
  'pipeline',
  'contacts',
  'support',
  'accounts',
])

/** The `Close` a connection to a retired document gets (docs/schema.md §8): drop the offline copy, do not reopen. */
export const DocumentRetired = { code: 4410, reason: 'document-retired' } as const

/** Whether `name` is a document the server no longer serves. */
export const isRetiredDoc = (name: string): boolean => {
  const kind = parseDocName(name)?.kind
  return kind !== undefined && RETIRED_KINDS.has(kind)
}

/**
 * Refuses retired documents: the first message a connection sends on one (sync step 1, right after authentication)
 * closes that document's connection with `document-retired`; nothing of it is applied, stored or broadcast.
 */
export function retiredDocumentsExtension(logger: Logger): Extension {
  const log = logger.child('retired')
  return {
    extensionName: 'rapport-retired-documents',
    async beforeHandleMessage({ documentName }: beforeHandleMessagePayload) {
      if (!isRetiredDoc(documentName)) return
      log.debug('refused a retired document', { documentName })
      throw DocumentRetired
    },
  }
}
