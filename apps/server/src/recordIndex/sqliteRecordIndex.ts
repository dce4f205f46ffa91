import Database from 'better-sqlite3'
import { Kysely, type LogEvent, type RawBuilder, SqliteDialect, sql } from 'kysely'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { SearchKind } from '../projection/SearchIndex.ts'
import type { IndexThreadMode } from './BulkApplier.ts'
import { matchText } from './importKeys.ts'
import {
  type AnyDb,
  type AnyTrx,
  type IndexFlavor,
  KyselyRecordIndex,
  type SearchRow,
} from './kyselyRecordIndex.ts'
import type { CustomFieldCondition, IndexBatch, RecordIndex } from './RecordIndex.ts'
import { numberText, words } from './textKeys.ts'

/*
 * The record index in one SQLite file (better-sqlite3, WAL, synchronous=NORMAL). Search is FTS5 over words split in
 * JavaScript (textKeys.ts), with `search_key` mapping (workspace, kind, id) → the FTS rowid and holding what a hit
 * shows: replacing one record's text is a rowid delete + insert, not a scan of the FTS table.
 */

/** FTS5 sees the words already split: every character but spaces, punctuation and controls is part of a word. */
const TOKENIZE = `unicode61 remove_diacritics 0 categories 'L* N* M* S* Co Cf Cn Cs'`

const SEARCH_DDL = [
  `create virtual table search using fts5(title, fields, body, tokenize = "${TOKENIZE}", prefix = '2 3')`,
  `create table search_key (rowid integer primary key, workspace_id text not null, kind text not null,
     id text not null, title text not null, subtitle text not null, account_id text, updated_at integer not null,
     unique (workspace_id, kind, id))`,
]

/** `$."a"."b"`: field names are checked (indexInput.ts) to hold no quote. */
const MATCH_TEXT_FUNCTION = 'rapport_match_text'
const jsonPath = (path: readonly string[]): string => `$${path.map((p) => `."${p}"`).join('')}`

const sqliteFlavor: IndexFlavor = {
  name: 'sqlite',
  types: { json: 'text', jsonb: 'blob', blob: 'blob', number: 'integer', realNumber: 'real', key: 'text' },
  searchDdl: SEARCH_DDL,

  async putSearch(trx: AnyTrx, row: SearchRow) {
    await this.putSearchMany(trx, [row])
  },

  async putSearchMany(trx: AnyTrx, rows: readonly SearchRow[]) {
    // One row per (workspace, kind, id): the last wins.
    const unique = new Map<string, SearchRow>()
    for (const row of rows) unique.set(`${row.workspaceId}\u0000${row.entry.kind}\u0000${row.entry.id}`, row)
    const all = [...unique.values()]
    for (let i = 0; i < all.length; i += 200) {
      const chunk = all.slice(i, i + 200)
      const keys = await trx
        .insertInto('search_key')
        .values(
          chunk.map(({ workspaceId, entry, updatedAt }) => ({
            workspace_id: workspaceId,
            kind: entry.kind,
            id: entry.id,
            title: entry.title,
            subtitle: entry.subtitle,
            account_id: entry.accountId,
            updated_at: updatedAt,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'kind', 'id']).doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            subtitle: eb.ref('excluded.subtitle'),
            account_id: eb.ref('excluded.account_id'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returning(['rowid', 'workspace_id', 'kind', 'id'])
        .execute()
      const rowids = new Map(
        keys.map((k) => [`${k.workspace_id}\u0000${k.kind}\u0000${k.id}`, Number(k.rowid)]),
      )
      const ids = [...rowids.values()]
      // Replacing a record's words is a delete by rowid and an insert, never a scan of the FTS table.
      await sql`delete from search where rowid in (${sql.join(ids)})`.execute(trx)
      const values = chunk.map(({ workspaceId, entry }) => {
        const rowid = rowids.get(`${workspaceId}\u0000${entry.kind}\u0000${entry.id}`)
        return sql`(${rowid}, ${words(entry.title).join(' ')}, ${words(entry.fields).join(' ')}, ${words(entry.body).join(' ')})`
      })
      await sql`insert into search (rowid, title, fields, body) values ${sql.join(values)}`.execute(trx)
    }
  },

  async removeSearch(trx: AnyTrx, workspaceId: string, kind: SearchKind, id: string) {
    const key = await trx
      .deleteFrom('search_key')
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .returning('rowid')
      .executeTakeFirst()
    if (key) await sql`delete from search where rowid = ${key.rowid}`.execute(trx)
  },

  matches({ workspaceId, kinds, terms, prefix }) {
    const match = terms.map((t) => `"${t}"${prefix && t.length >= 2 ? '*' : ''}`).join(' AND ')
    const kindFilter = kinds ? sql` and k.kind in (${sql.join(kinds)})` : sql``
    return sql`select k.kind, k.id, bm25(search, 3.0, 1.5, 1.0) as rank, k.updated_at, k.title, k.subtitle,
      k.account_id from search join search_key k on k.rowid = search.rowid
      where search match ${match} and k.workspace_id = ${workspaceId}${kindFilter}`
  },

  jsonb(text: string) {
    return sql`jsonb(${text})`
  },

  jsonEquals(path, value) {
    const p = jsonPath(path)
    const type = sql`json_type(r.data, ${p})`
    if (value === null) return sql<boolean>`${type} = 'null'`
    if (typeof value === 'boolean') return sql<boolean>`${type} = ${value ? 'true' : 'false'}`
    if (typeof value === 'number')
      return sql<boolean>`(${type} in ('integer', 'real') and json_extract(r.data, ${p}) = ${value})`
    return sql<boolean>`(${type} = 'text' and json_extract(r.data, ${p}) = ${value})`
  },

  customField({ fieldId, text }: CustomFieldCondition) {
    const entries = sql`json_each(r.custom_fields) e`
    const empty = sql`(e.type = 'null' or (e.type = 'text' and e.atom = '') or (e.type = 'array' and json_array_length(e.value) = 0))`
    if (text === '')
      return sql<boolean>`not exists (select 1 from ${entries} where e.key = ${fieldId} and not ${empty})`
    const n = numberText(text)
    const numeric = n === null ? sql`0` : sql`(e.type in ('integer', 'real') and e.atom = ${n})`
    const bool = text === 'true' || text === 'false' ? sql`e.type = ${text}` : sql`0`
    return sql<boolean>`exists (select 1 from ${entries} where e.key = ${fieldId} and not ${empty} and (
      (e.type = 'text' and e.atom = ${text}) or ${numeric} or ${bool} or
      (e.type = 'array' and exists (select 1 from json_each(e.value) a where a.type = 'text' and a.atom = ${text}))))`
  },

  customSortSql(column, fieldId, type) {
    const at = `'$."${fieldId}"'`
    const types = type === 'number' ? `in ('integer', 'real')` : `= 'text'`
    return `(case when json_type(${column}, ${at}) ${types} then json_extract(${column}, ${at}) end)`
  },

  matchTextSql(column, field) {
    // `->` gives the value's JSON text (NULL when missing); the function is registered at open.
    return `${MATCH_TEXT_FUNCTION}(${column} -> '${jsonPath([field])}')`
  },

  customText(fieldId) {
    const p = jsonPath([fieldId])
    return sql`(case when json_type(r.custom_fields, ${p}) = 'text' then json_extract(r.custom_fields, ${p}) end)`
  },

  keyOrder(expression) {
    return expression
  },

  async dropAll(db: AnyDb) {
    // The FTS table first: dropping it drops its shadow tables.
    await sql`drop table if exists search`.execute(db)
    const tables = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name not like 'sqlite_%'`.execute(db)
    for (const { name } of tables.rows) await sql`drop table if exists ${sql.table(name)}`.execute(db)
  },

  parsedData() {
    return sql`r.data`
  },

  jsonField(field: string) {
    // `->` keeps each value's JSON (arrays stay arrays inside the row array).
    return sql`p.j -> ${sql.lit(`$.${field}`)}`
  },

  jsonPath(path: readonly string[]) {
    return sql`p.j -> ${sql.lit(`$.${path.join('.')}`)}`
  },

  jsonPathText(path: readonly string[]) {
    // `->` gives the value's JSON text.
    return sql`p.j -> ${sql.lit(`$.${path.join('.')}`)}`
  },

  textElements(column: RawBuilder<unknown>) {
    return sql`json_each(${column}) e`
  },

  textAsJson(column: string) {
    return sql`json(${sql.ref(`p.${column}`)})`
  },

  jsonRows(values: readonly RawBuilder<unknown>[]) {
    // All rows as one JSON text, parsed once.
    return sql`json_group_array(json_array(${sql.join(values)}))`
  },

  parseData(value: unknown): ProjectedRecord {
    return JSON.parse(String(value)) as ProjectedRecord
  },

  bytes(value: unknown): Uint8Array {
    return new Uint8Array(value as Buffer)
  },

  async tableExists(db: AnyDb, name: string) {
    const result =
      await sql`select 1 as x from sqlite_master where type = 'table' and name = ${name}`.execute(db)
    return result.rows.length > 0
  },

  async searchCount(db: AnyDb, workspaceId: string | undefined, kind?: SearchKind) {
    let query = db.selectFrom('search_key').select(sql<number>`count(*)`.as('n'))
    if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId)
    if (kind !== undefined) query = query.where('kind', '=', kind)
    return Number((await query.executeTakeFirst())?.n ?? 0)
  },
}

/**
 * `PRAGMA optimize` (SQLite ≥ 3.46; better-sqlite3 bundles 3.53) with every table checked (0x10000), ANALYZE of the
 * tables never analyzed or grown/shrunk ~25× since (0x2), under a temporary analysis limit (0x10: sampled, ~60 ms
 * on 100k rows instead of ~250 ms; a no-op in 0.1 ms when nothing changed). Without statistics SQLite guesses, and
 * guesses wrong: "contacts of one account, by name" walked the lastName index over the whole workspace (152 ms on
 * 20k contacts) instead of the accountId index (0.29 ms).
 */
const OPTIMIZE = 'pragma optimize = 0x10012'

/** Records written between two `PRAGMA optimize` runs (a catch-up rebuild writes many batches of these). */
export const OPTIMIZE_EVERY_ROWS = 5_000

/** The SQLite index: statistics refreshed at open and, off the write path, after every OPTIMIZE_EVERY_ROWS rows. */
class SqliteRecordIndex extends KyselyRecordIndex {
  private written = 0
  private optimizing: Promise<void> | null = null
  private shut = false

  /** Resolves when the statistics run started by the last large write (if any) has finished. */
  async settled(): Promise<void> {
    await this.optimizing
  }

  async optimize(): Promise<void> {
    // It may write (ANALYZE): under the write lock, never beside a bulk apply.
    await this.exclusive(() => sql.raw(OPTIMIZE).execute(this.db))
  }

  /** Off: the index of a bulk thread (BulkApplier.ts) leaves statistics to the main thread's index. */
  statistics = true

  protected override afterWrite(input: IndexBatch): void {
    if (!this.statistics) return
    this.written += (input.records?.length ?? 0) + (input.notes?.length ?? 0)
    if (this.written >= OPTIMIZE_EVERY_ROWS && !this.optimizing) {
      this.written = 0
      // After this write has answered: the next turn of the event loop, queued behind it on the connection.
      this.optimizing = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => (this.shut ? undefined : this.optimize()))
        .catch(() => {}) // statistics are a hint: a failed run (closing, busy) changes no answer
        .finally(() => {
          this.optimizing = null
        })
    }
  }

  override async close(): Promise<void> {
    this.shut = true
    await this.optimizing
    await super.close()
  }
}

/** Prepared statements kept per SQL text (least recently used dropped beyond this). */
export const STATEMENT_CACHE_SIZE = 500

/**
 * `database` whose `prepare` reuses the statement of an SQL text it prepared before. Kysely's SQLite driver prepares
 * every query anew; for the short queries of the index that is a good part of their cost (an import's profile:
 * ~35 % of the server's CPU in `prepare` + `executeQuery`). Safe here because a better-sqlite3 statement runs to
 * completion synchronously (`all`/`run`/`get`); the index never streams (`iterate`), which would hold a statement
 * busy while another query reused it.
 */
export function cachingStatements(
  database: Database.Database,
  max = STATEMENT_CACHE_SIZE,
): Database.Database {
  const cache = new Map<string, Database.Statement>()
  const prepare = (source: string): Database.Statement => {
    let statement = cache.get(source)
    if (statement) cache.delete(source)
    else {
      statement = database.prepare(source)
      if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    }
    cache.set(source, statement)
    return statement
  }
  return new Proxy(database, {
    get(target, property) {
      if (property === 'prepare') return prepare
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Opens (creating if needed) the index at `file` — the server uses `<dataDir>/index.sqlite`. */
export async function openSqliteRecordIndex(
  file: string,
  options: {
    onQuery?: (sql: string, parameters: readonly unknown[]) => void
    /** Refresh the planner's statistics at open and after many writes (default true; false in the bulk thread). */
    statistics?: boolean
    /**
     * Run `applyBulk` (`bulk`) or every apply (`all`) in a worker thread with its own connection to `file`
     * (BulkApplier.ts; default `off`).
     */
    thread?: IndexThreadMode
    /** An apply leaves the event loop between statements after this long without doing so (ms; default 0.3). */
    yieldAfterMs?: number
  } = {},
): Promise<RecordIndex> {
  let database: Database.Database
  try {
    database = new Database(file)
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL')
    database.pragma('busy_timeout = 5000')
    // The import's duplicate rule on a chosen field, computed by the same function as for the rows (importKeys.ts).
    database.function(MATCH_TEXT_FUNCTION, { deterministic: true }, (json: unknown) =>
      typeof json === 'string' ? matchText(JSON.parse(json)) : null,
    )
  } catch (error) {
    throw new Error(`The record index file ${file} cannot be opened: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const { onQuery } = options
  const db: AnyDb = new Kysely({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
    // Only when asked (tests read the SQL a method runs): a log function makes Kysely time every query.
    ...(onQuery && {
      log: (event: LogEvent) => {
        if (event.level === 'query') onQuery(event.query.sql, event.query.parameters)
      },
    }),
  })
  const thread = options.thread ?? 'off'
  const bulk =
    thread !== 'off' && file !== ':memory:'
      ? { kind: 'sqlite' as const, file, allApplies: thread === 'all' }
      : undefined
  const index = new SqliteRecordIndex(db, sqliteFlavor, async () => {}, bulk)
  index.statistics = options.statistics ?? true
  if (options.yieldAfterMs !== undefined) index.yieldAfterMs = options.yieldAfterMs
  try {
    await index.init()
    if (index.statistics) await index.optimize()
  } catch (error) {
    await index.close()
    throw error
  }
  // Every apply goes to the thread: started now, so the first live edit does not wait for its modules to load.
  if (thread === 'all') index.prepareBulk()
  return index
}
