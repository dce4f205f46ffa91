import { join } from 'node:path'
import type { Logger } from '../log/logger.ts'
import type { DocumentStore } from './DocumentStore.ts'
import { CURRENT_FORMAT, LOWDB_FORMAT, migrateDataDir } from './format.ts'
import { lowdbStore } from './lowdbStore.ts'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from './sqliteStore.ts'

export const STORE_KINDS = ['sqlite', 'lowdb'] as const
export type StoreKind = (typeof STORE_KINDS)[number]

/** The data-format version a store kind reads: SQLite the current one, lowdb the format-1 layout. */
export const formatOf = (kind: StoreKind): number => (kind === 'lowdb' ? LOWDB_FORMAT : CURRENT_FORMAT)

/**
 * Migrates the data directory to the store's format (a no-op when it is there already; FormatError when it must
 * not be opened), then opens the store: `<dataDir>/documents.sqlite` or, with `lowdb`, `<dataDir>/docs/`.
 */
export const openDataDirStore = async (
  dataDir: string,
  kind: StoreKind,
  fsync: boolean,
  logger: Logger,
): Promise<DocumentStore> => {
  await migrateDataDir(dataDir, { logger: logger.child('format'), target: formatOf(kind) })
  return kind === 'lowdb'
    ? lowdbStore({ dir: join(dataDir, 'docs'), fsync })
    : sqliteStore({ file: join(dataDir, SQLITE_DOCUMENTS_FILE), fsync })
}
