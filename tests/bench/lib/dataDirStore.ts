import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type DocumentStore, lowdbStore } from '@rapport/server'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '../../../apps/server/src/storage/sqliteStore.ts'

/** Which document store a data dir holds: SQLite (`documents.sqlite`, format 2 on) or lowdb (`docs/`, format 1). */
export type DataDirStoreKind = 'sqlite' | 'lowdb'

export function dataDirStoreKind(dataDir: string): DataDirStoreKind {
  return existsSync(join(dataDir, SQLITE_DOCUMENTS_FILE)) ? 'sqlite' : 'lowdb'
}

/**
 * The document store the server reads in `dataDir` (whichever layout the seed left there), so that the bench writes
 * its generated documents where the server will find them, without a migration in between.
 */
export function openDataDirDocs(dataDir: string): DocumentStore {
  return openStore(dataDirStoreKind(dataDir), dataDir)
}

/** A store of `kind` in `dir` (SQLite: `<dir>/documents.sqlite`; lowdb: `<dir>/docs/`), no fsync. */
export function openStore(kind: DataDirStoreKind, dir: string): DocumentStore {
  return kind === 'sqlite'
    ? sqliteStore({ file: join(dir, SQLITE_DOCUMENTS_FILE) })
    : lowdbStore({ dir: join(dir, 'docs') })
}
