import { join } from 'node:path'
import { COLLECTION, docName, ID_PATTERN, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../../log/logger.ts'
import { exists } from '../durableFiles.ts'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '../sqliteStore.ts'
import type { Migration } from './Migration.ts'
import { recordDocWriter } from './recordDocWriter.ts'

/**
 * The Yjs clientID every per-record document written by a data-format migration is built under (ARCHITECTURE.md
 * "Migration"): a rerun builds byte-identical content under the same ids, so merging it into what an interrupted run
 * stored changes nothing.
 */
export const MIGRATION_CLIENT_ID = 1_919_252_337

/** A plain copy of a stored field value (record fields are JSON values; a nested Yjs type is copied as its JSON). */
const plain = (value: unknown): unknown =>
  value instanceof Y.AbstractType ? (value.toJSON() as unknown) : structuredClone(value)

/**
 * The state of a per-record document holding `fields` (every entry, custom-field entries included) as the one
 * entry `id` of map `collection`, built from a scratch replica under MIGRATION_CLIENT_ID; `override` replaces fields.
 */
export function recordDocState(
  collection: string,
  id: string,
  fields: Y.Map<unknown>,
  override: Record<string, unknown> = {},
): Uint8Array {
  // A fixed guid: a random one costs a crypto call per document (the guid is not part of the state).
  const scratch = new Y.Doc({ guid: id })
  scratch.clientID = MIGRATION_CLIENT_ID
  scratch.transact(() => {
    const record = new Y.Map<unknown>()
    scratch.getMap<unknown>(collection).set(id, record)
    for (const key of [...fields.keys()].sort())
      record.set(key, key in override ? override[key] : plain(fields.get(key)))
    for (const [key, value] of Object.entries(override)) if (!fields.has(key)) record.set(key, value)
  })
  const state = Y.encodeStateAsUpdate(scratch)
  scratch.destroy()
  return state
}

/**
 * Splits every pipeline document `W/pipeline/P` (its update log merged in) into one document per deal, `W/deal/D`
 * (`getMap('deals')` with the one entry `D`: every field and custom-field entry, `pipelineId` = `P` — until now a
 * deal belonged to the pipeline of its document), then deletes `W/pipeline/P`. A deal found in two pipeline documents
 * is kept from the first by name. Rerun-safe: deal documents are written first (merged into any stored by an
 * interrupted run: identical content under MIGRATION_CLIENT_ID), the pipeline document is deleted last. The boards
 * `W/board/P` are built at the next start from the record index (the server's board catch-up), which indexes every
 * new deal document first (it has no indexed state yet).
 */
export async function splitDealsIn(
  file: string,
  logger: Logger,
): Promise<{ pipelines: number; deals: number }> {
  const store = sqliteStore({ file, fsync: true })
  let pipelines = 0
  let deals = 0
  try {
    const storedNames = await store.list()
    const writer = recordDocWriter(store, new Set(storedNames))
    const names = storedNames.filter((name) => parseDocName(name)?.kind === 'pipeline')
    const seen = new Set<string>()
    for (const name of names) {
      const ref = parseDocName(name)
      if (ref?.kind !== 'pipeline') continue
      const state = await store.load(name)
      if (state) {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, state)
        const map = doc.getMap<unknown>(COLLECTION.deals)
        for (const id of [...map.keys()].sort()) {
          const fields = map.get(id)
          const key = `${ref.workspaceId}/${id}`
          if (!(fields instanceof Y.Map) || !ID_PATTERN.test(id) || seen.has(key)) {
            if (seen.has(key))
              logger.warn('a deal found in two pipeline documents kept its first', { name, id })
            continue
          }
          seen.add(key)
          const dealDoc = docName({ workspaceId: ref.workspaceId, kind: 'deal', dealId: id })
          const fresh = recordDocState(COLLECTION.deals, id, fields as Y.Map<unknown>, {
            pipelineId: ref.pipelineId,
          })
          await writer.add(dealDoc, fresh)
          deals += 1
          if (deals % 10_000 === 0) logger.info('splitting deals', { deals })
        }
        doc.destroy()
      }
      // Every record document is stored before its source is deleted (rerun-safe).
      await writer.flush()
      await store.delete(name)
      pipelines += 1
    }
  } finally {
    await store.close()
  }
  return { pipelines, deals }
}

/** Format step: deals out of `W/pipeline/P` into `W/deal/D` (issue #12, "Records at real size"). */
export const splitDeals: Migration = {
  from: 2,
  describe: 'deals from each pipeline document W/pipeline/P into one document per deal, W/deal/D',
  async run(dataDir: string, logger: Logger): Promise<void> {
    const file = join(dataDir, SQLITE_DOCUMENTS_FILE)
    if (!(await exists(file))) return
    const done = await splitDealsIn(file, logger)
    logger.info('split the pipeline documents into deal documents', done)
  },
}
