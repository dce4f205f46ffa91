import { join } from 'node:path'
import { COLLECTION, docName, ID_PATTERN, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../../log/logger.ts'
import { exists } from '../durableFiles.ts'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '../sqliteStore.ts'
import type { Migration } from './Migration.ts'
import { recordDocWriter } from './recordDocWriter.ts'
import { recordDocState } from './splitDeals.ts'

/**
 * Moves every account of each accounts document `W/accounts` (its update log merged in) into the account's own room
 * `W/account/A` (`getMap('accounts')` with the one entry `A`: every field and custom-field entry, as stored), then
 * deletes `W/accounts`. The room keeps everything it held (notes, timeline, tasks, briefs, …): the account's entry is
 * merged into its stored state; a room that does not exist yet is created holding the account alone. Rerun-safe: the
 * entry is built under MIGRATION_CLIENT_ID (a rerun merges identical content, a no-op) and the accounts document is
 * deleted last. Entries that are not a record map or whose id is not a valid id are skipped (they could not name a
 * document; validation would have removed them). Independent of the other steps: it reads only `W/accounts` and
 * writes only the `accounts` map of `W/account/A`.
 */
export async function splitAccountsIn(
  file: string,
  logger: Logger,
): Promise<{ workspaces: number; accounts: number; roomsCreated: number }> {
  const store = sqliteStore({ file, fsync: true })
  let workspaces = 0
  let accounts = 0
  let roomsCreated = 0
  try {
    const storedNames = await store.list()
    const writer = recordDocWriter(store, new Set(storedNames))
    const names = storedNames.filter((name) => parseDocName(name)?.kind === 'accounts')
    for (const name of names) {
      const ref = parseDocName(name)
      if (ref?.kind !== 'accounts') continue
      const state = await store.load(name)
      if (state) {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, state)
        const map = doc.getMap<unknown>(COLLECTION.accounts)
        for (const id of [...map.keys()].sort()) {
          const fields = map.get(id)
          if (!(fields instanceof Y.Map) || !ID_PATTERN.test(id)) {
            logger.warn('skipped a malformed account entry', { name, id })
            continue
          }
          const room = docName({ workspaceId: ref.workspaceId, kind: 'account', accountId: id })
          const fresh = recordDocState(COLLECTION.accounts, id, fields as Y.Map<unknown>)
          const { existed } = await writer.add(room, fresh)
          if (!existed) roomsCreated += 1
          accounts += 1
          if (accounts % 10_000 === 0) logger.info('splitting accounts', { accounts })
        }
        doc.destroy()
      }
      // Every record document is stored before its source is deleted (rerun-safe).
      await writer.flush()
      await store.delete(name)
      workspaces += 1
    }
  } finally {
    await store.close()
  }
  return { workspaces, accounts, roomsCreated }
}

/**
 * Format step `from` → `from + 1`: accounts out of `W/accounts` into their rooms `W/account/A` (issue #12, "Records
 * at real size"). Its number is its place in MIGRATIONS (it depends on no other step); appended when the accounts
 * slice switches over.
 */
export const splitAccountsStep = (from: number): Migration => ({
  from,
  describe: 'accounts from each accounts document W/accounts into their account rooms W/account/A',
  async run(dataDir: string, logger: Logger): Promise<void> {
    const file = join(dataDir, SQLITE_DOCUMENTS_FILE)
    if (!(await exists(file))) return
    const done = await splitAccountsIn(file, logger)
    logger.info('split the accounts documents into the account rooms', done)
  },
})
