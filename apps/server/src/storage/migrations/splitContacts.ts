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
 * Splits every contacts document `W/contacts` (its update log merged in) into one document per contact,
 * `W/contact/C` (`getMap('contacts')` with the one entry `C`: every field and custom-field entry, as stored), then
 * deletes `W/contacts`. Rerun-safe: contact documents are written first (merged into any stored by an interrupted
 * run: identical content under MIGRATION_CLIENT_ID), the contacts document is deleted last. Entries that are not a
 * record map or whose id is not a valid id are skipped (they could not name a document; validation would have
 * removed them). Independent of the other steps: it reads only `W/contacts` and writes only `W/contact/C`.
 */
export async function splitContactsIn(
  file: string,
  logger: Logger,
): Promise<{ workspaces: number; contacts: number }> {
  const store = sqliteStore({ file, fsync: true })
  let workspaces = 0
  let contacts = 0
  try {
    const storedNames = await store.list()
    const writer = recordDocWriter(store, new Set(storedNames))
    const names = storedNames.filter((name) => parseDocName(name)?.kind === 'contacts')
    for (const name of names) {
      const ref = parseDocName(name)
      if (ref?.kind !== 'contacts') continue
      const state = await store.load(name)
      if (state) {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, state)
        const map = doc.getMap<unknown>(COLLECTION.contacts)
        for (const id of [...map.keys()].sort()) {
          const fields = map.get(id)
          if (!(fields instanceof Y.Map) || !ID_PATTERN.test(id)) {
            logger.warn('skipped a malformed contact entry', { name, id })
            continue
          }
          const contactDoc = docName({ workspaceId: ref.workspaceId, kind: 'contact', contactId: id })
          const fresh = recordDocState(COLLECTION.contacts, id, fields as Y.Map<unknown>)
          await writer.add(contactDoc, fresh)
          contacts += 1
          if (contacts % 10_000 === 0) logger.info('splitting contacts', { contacts })
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
  return { workspaces, contacts }
}

/**
 * Format step `from` → `from + 1`: contacts out of `W/contacts` into `W/contact/C` (issue #12, "Records at real
 * size"). Its number is its place in MIGRATIONS (it depends on no other step).
 */
export const splitContactsStep = (from: number): Migration => ({
  from,
  describe: 'contacts from each contacts document W/contacts into one document per contact, W/contact/C',
  async run(dataDir: string, logger: Logger): Promise<void> {
    const file = join(dataDir, SQLITE_DOCUMENTS_FILE)
    if (!(await exists(file))) return
    const done = await splitContactsIn(file, logger)
    logger.info('split the contacts documents into contact documents', done)
  },
})
