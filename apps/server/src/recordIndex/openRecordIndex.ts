import { join } from 'node:path'
import type { IndexThreadMode } from './BulkApplier.ts'
import type { RecordIndex } from './RecordIndex.ts'
import { openSqliteRecordIndex } from './sqliteRecordIndex.ts'

/** Which record index the server opens (`INDEX`). */
export const INDEX_KINDS = ['sqlite', 'postgres'] as const
export type IndexKind = (typeof INDEX_KINDS)[number]

/**
 * `sqlite`: `<dataDir>/index.sqlite`; `postgres`: the server at `url` (default `RAPPORT_PG_URL`, else the local
 * postgres://postgres@127.0.0.1:5432/test), tables in `schema` (created if missing).
 */
export type IndexConfig = ({ kind: 'sqlite' } | { kind: 'postgres'; url?: string; schema: string }) & {
  /**
   * Which applies run in a worker thread with its own connection (BulkApplier.ts; `INDEX_THREAD`): `bulk` an
   * import's, `all` every apply. Default `off` here (tests, tools); the server's config defaults to `all`.
   */
  thread?: IndexThreadMode
}

/** The index file of a data directory. */
export const SQLITE_INDEX_FILE = 'index.sqlite'

/** Opens the configured record index (throws a plain-words error when it cannot). */
export async function openRecordIndex(dataDir: string, config: IndexConfig): Promise<RecordIndex> {
  const thread = config.thread ?? 'off'
  if (config.kind === 'sqlite') return openSqliteRecordIndex(join(dataDir, SQLITE_INDEX_FILE), { thread })
  // Loaded only when asked for: the default start never touches the PostgreSQL driver.
  const { openPostgresRecordIndex } = await import('./postgresRecordIndex.ts')
  return openPostgresRecordIndex({ url: config.url, schema: config.schema, thread })
}
