import { type DocRef, parseDocName } from '@rapport/model'
import { AppError } from '../errors.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'

type Index = Pick<IndexWorker, 'index' | 'flush'>

/**
 * Whether `ref` is a document that holds accounts: the account's own room `W/account/A` (getMap('accounts'), the one
 * entry A — issue #12), or `W/accounts` until it is split.
 */
export const isAccountDocRef = (ref: DocRef | null | undefined): boolean =>
  ref?.kind === 'account' || ref?.kind === 'accounts'

/**
 * The document account `id` of `workspaceId` lives in, as the record index names it (`W/account/A`; `W/accounts` for
 * a data directory not split yet), or null when the index knows no such account (or the id is malformed). Reads what
 * the index holds after the writes made just before.
 */
export async function locateAccount(index: Index, workspaceId: string, id: string): Promise<DocRef | null> {
  await index.flush()
  let doc: string | undefined
  try {
    doc = (await index.index.get(workspaceId, 'accounts', id))?.doc
  } catch (error) {
    // An id the index refuses (malformed) is simply not found.
    if (error instanceof AppError && error.status === 400) return null
    throw error
  }
  const ref = doc ? parseDocName(doc) : null
  return ref && ref.workspaceId === workspaceId && isAccountDocRef(ref) ? ref : null
}
