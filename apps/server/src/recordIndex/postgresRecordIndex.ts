import { Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely'
import pg from 'pg'
import { type ProjectedRecord, RECORD_KINDS } from '../projection/recordKinds.ts'
import { SEARCH_KINDS, type SearchKind } from '../projection/SearchIndex.ts'
import type { BulkIndexSpec, IndexThreadMode } from './BulkApplier.ts'
import { COLUMNS, filterColumn, sortColumn, tableOf } from './indexSchema.ts'
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
 * The record index in a PostgreSQL schema (pg 8 + Kysely), for servers that scale out. Same tables and queries as
 * SQLite (kyselyRecordIndex.ts); here search is a tsvector built in JavaScript from the same words (textKeys.ts) —
 * title weight A, other fields B, long text C, positions kept — with a GIN index, and `data` is `json` (kept as given,
 * so a record reads back with its own key order).
 */

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

const SEARCH_DDL = [
  `create table search (workspace_id text collate "C" not null, kind text not null, id text collate "C" not null,
     title text not null, subtitle text not null, account_id text, updated_at double precision not null,
     tsv tsvector not null, primary key (workspace_id, kind, id))`,
  'create index search_tsv on search using gin (tsv)',
]

/** An index PostgreSQL adds to the common DDL (`create`), or a common one it replaces (no `create`: dropped). */
export interface ExtraIndex {
  name: string
  create?: string
}

/**
 * Indexes PostgreSQL adds to the common DDL for lists and search (made at open when missing, see
 * `IndexFlavor.ensureIndexes`). PostgreSQL reads a row only through its heap page, so a list's exact `count(*)` and
 * its sorted page stay in indexes (index-only scans, once VACUUM has marked the pages all-visible: see
 * PostgresRecordIndex) instead of reading thousands of rows:
 * - per equality filter, `(workspace_id, f_<field>, archived, id)` — the filtered count, and the filter's rows in id
 *   order; it replaces the common `(workspace_id, f_<field>)`;
 * - per number sort (amount, score, updatedAt, …), `(workspace_id, archived, s_<field> desc, id)` — a page by
 *   `-amount` is a walk of its first rows, ties already in id order (descending: the usual direction of a number sort;
 *   ascending reads it backwards and re-sorts each run of equal values by id);
 * - on `search`, `(workspace_id, updated_at desc, kind, id)` — a common word (past RANKED_MAX matches, newest first)
 *   walks the newest entries and checks each against the query, instead of fetching all its matches to sort them;
 * - per search kind, `search_tsv_<kind>`: `gin (tsv) where kind = '<kind>'` — a list's text query (one kind) reads
 *   that kind's matches alone, not every kind's ANDed with the kind's primary-key range (docs/ARCHITECTURE.md).
 * Tasks are listed by `tasks` (due order, few per account), not by these.
 */
export function extraIndexes(): ExtraIndex[] {
  const out: ExtraIndex[] = []
  for (const kind of RECORD_KINDS) {
    if (kind === 'tasks') continue
    const table = tableOf(kind)
    for (const spec of COLUMNS[kind]) {
      if (spec.filter && !['ownerId', 'assigneeId', 'createdAt', 'updatedAt'].includes(spec.field)) {
        const col = filterColumn(spec.field)
        const name = `${table}_l_${col}`.toLowerCase()
        out.push(
          {
            name,
            create: `create index if not exists ${name} on ${table} (workspace_id, "${col}", archived, id)`,
          },
          { name: `${table}_${col}`.toLowerCase() },
        )
      }
      if (spec.sort === 'number') {
        const col = sortColumn(spec.field)
        const name = `${table}_l_${col}`.toLowerCase()
        out.push({
          name,
          create: `create index if not exists ${name} on ${table} (workspace_id, archived, "${col}" desc, id)`,
        })
      }
    }
  }
  out.push({
    name: 'search_recent',
    create: 'create index if not exists search_recent on search (workspace_id, updated_at desc, kind, id)',
  })
  for (const kind of SEARCH_KINDS) {
    out.push({
      name: `search_tsv_${kind}`,
      create: `create index if not exists search_tsv_${kind} on search using gin (tsv) where kind = '${kind}'`,
    })
  }
  return out
}

/** PostgreSQL text cannot hold NUL characters. */
const noNul = (text: string): string => text.replaceAll('\u0000', '')

/** Highest tsvector position; PostgreSQL clamps there too. */
const MAX_POSITION = 16_383
/** A tsvector is at most 1 MB: past this many bytes of lexemes, further new words of a long note are not indexed. */
const MAX_LEXEME_BYTES = 700_000

/** The tsvector of a search entry, as tsvector input text: `'word':1A,4C …` (weights A/B/C by column). */
export function tsvectorText(columns: ReadonlyArray<readonly [string, 'A' | 'B' | 'C']>): string {
  const positions = new Map<string, string[]>()
  let position = 0
  let bytes = 0
  for (const [text, weight] of columns) {
    for (const word of words(text)) {
      position = Math.min(position + 1, MAX_POSITION)
      // A lexeme is at most 2 KB; a "word" that long is a pasted blob, not something anyone searches for.
      if (word.length > 200) continue
      let list = positions.get(word)
      if (!list) {
        if (bytes > MAX_LEXEME_BYTES) continue
        bytes += Buffer.byteLength(word) + 8
        list = []
        positions.set(word, list)
      }
      // At most 256 positions per lexeme are kept (PostgreSQL's limit); repeated clamped positions are dropped.
      const entry = `${position}${weight}`
      if (list.length < 256 && list.at(-1) !== entry) list.push(entry)
    }
  }
  const parts: string[] = []
  for (const [word, list] of positions) {
    parts.push(`'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}':${list.join(',')}`)
  }
  return parts.join(' ')
}

/** Words of a query as tsquery input: every word required, as a prefix when `prefix` and two letters or more. */
function tsqueryText(terms: readonly string[], prefix: boolean): string {
  return terms
    .map((t) => `'${t.replaceAll('\\', '\\\\').replaceAll("'", "''")}'${prefix && t.length >= 2 ? ':*' : ''}`)
    .join(' & ')
}

const postgresFlavor: IndexFlavor = {
  name: 'postgres',
  /*
   * Report reads sort and aggregate every deal or ticket of a workspace at once. sales.funnel's window over the stage
   * history (`partition by deal order by seq, step`) spilled at the default 4 MB `work_mem`: EXPLAIN ANALYZE over
   * 52k changes (the big workspace's count) showed `external merge, Disk: 3192kB`; with 32 MB it is a quicksort in
   * 6.4 MB of memory. `set local`, so only the transaction of a report query gets it (a pool of 10 connections bounds
   * it at 320 MB per sort node). Measured end to end on a machine at load ~15 the gain was within the noise (the
   * spilled file stays in the page cache); it removes the disk write, and room for a workspace with more history.
   */
  reportSetup: ["set local work_mem = '32MB'"],
  types: {
    json: 'json',
    jsonb: 'jsonb',
    blob: 'bytea',
    number: 'double precision',
    realNumber: 'double precision',
    key: 'text collate "C"',
  },
  searchDdl: SEARCH_DDL,
  textListOnce: true,
  async ensureIndexes(db: AnyDb) {
    // Only what is missing (or still there, to drop): `create index if not exists` alone would lock each table at
    // every open. Still `if (not) exists`: another server opening the same schema at once may have done it.
    const found = await sql<{ name: string }>`select indexname as name from pg_indexes
      where schemaname = current_schema()`.execute(db)
    const present = new Set(found.rows.map((r) => r.name))
    const statements = extraIndexes().flatMap(({ name, create }) =>
      create
        ? present.has(name)
          ? []
          : [create]
        : present.has(name)
          ? [`drop index if exists ${name}`]
          : [],
    )
    if (statements.length > 0) await sql.raw(statements.join(';\n')).execute(db)
  },

  async putSearch(trx: AnyTrx, row: SearchRow) {
    await this.putSearchMany(trx, [row])
  },

  async putSearchMany(trx: AnyTrx, rows: readonly SearchRow[]) {
    // One row per (workspace, kind, id): the last wins (an insert may not name one conflict target twice).
    const unique = new Map<string, SearchRow>()
    for (const row of rows) unique.set(`${row.workspaceId}\u0000${row.entry.kind}\u0000${row.entry.id}`, row)
    const values = [...unique.values()].map(({ workspaceId, entry, updatedAt }) => ({
      workspace_id: workspaceId,
      kind: entry.kind,
      id: entry.id,
      title: noNul(entry.title),
      subtitle: noNul(entry.subtitle),
      account_id: entry.accountId === null ? null : noNul(entry.accountId),
      updated_at: updatedAt,
      tsv: sql`${tsvectorText([
        [entry.title, 'A'],
        [entry.fields, 'B'],
        [entry.body, 'C'],
      ])}::tsvector`,
    }))
    const columns = ['title', 'subtitle', 'account_id', 'updated_at', 'tsv']
    for (let i = 0; i < values.length; i += 200) {
      await trx
        .insertInto('search')
        .values(values.slice(i, i + 200))
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'kind', 'id'])
            .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        )
        .execute()
    }
  },

  async removeSearch(trx: AnyTrx, workspaceId: string, kind: SearchKind, id: string) {
    await trx
      .deleteFrom('search')
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .execute()
  },

  matches({ workspaceId, kinds, terms, prefix }) {
    // A lexeme longer than the index keeps (see tsvectorText) matches nothing.
    const query = terms.some((t) => t.length > 200) ? '' : tsqueryText(terms, prefix)
    const kindFilter = kinds ? sql` and s.kind in (${sql.join(kinds)})` : sql``
    // ts_rank weights {D, C, B, A}: title 1, fields 0.5, long text 0.33 (as SQLite's bm25 weights title 3, fields 1.5, body 1).
    return sql`select s.kind, s.id, -ts_rank('{0.1, 0.33, 0.5, 1.0}'::float4[], s.tsv, q.query) as rank,
      s.updated_at, s.title, s.subtitle, s.account_id
      from search s, (select ${query}::tsquery as query) q
      where s.tsv @@ q.query and s.workspace_id = ${workspaceId}${kindFilter}`
  },

  jsonb(text: string) {
    return sql`${text}::jsonb`
  },

  jsonEquals(path, value) {
    const p = sql`${[...path]}::text[]`
    const type = sql`json_typeof(r.data #> ${p})`
    const text = sql`(r.data #>> ${p})`
    if (value === null) return sql<boolean>`coalesce(${type} = 'null', false)`
    if (typeof value === 'boolean')
      return sql<boolean>`coalesce(${type} = 'boolean' and ${text} = ${value ? 'true' : 'false'}, false)`
    if (typeof value === 'number')
      return sql<boolean>`(case when ${type} = 'number' then ${text}::float8 = ${value}::float8 else false end)`
    return sql<boolean>`(case when ${type} = 'string' then ${text} = ${value}::text else false end)`
  },

  customField({ fieldId, text }: CustomFieldCondition) {
    const v = sql`(r.custom_fields -> ${fieldId}::text)`
    const type = sql`jsonb_typeof(${v})`
    const value = sql`(${v} #>> '{}')`
    const empty = sql`(${v} is null or ${type} = 'null' or (${type} = 'string' and ${value} = '')
      or ${v} = '[]'::jsonb)`
    if (text === '') return sql<boolean>`${empty}`
    const n = numberText(text)
    const numeric =
      n === null
        ? sql`false`
        : sql`(case when ${type} = 'number' then ${value}::float8 = ${n}::float8 else false end)`
    const bool =
      text === 'true' || text === 'false'
        ? sql`(${type} = 'boolean' and ${value} = ${text}::text)`
        : sql`false`
    // A multi-select holds `text`: jsonb containment of a one-string array (strings only, as `includes`).
    const holds = sql`(${type} = 'array' and ${v} @> jsonb_build_array(${text}::text))`
    return sql<boolean>`coalesce(not ${empty} and (
      (${type} = 'string' and ${value} = ${text}::text) or ${numeric} or ${bool} or ${holds}), false)`
  },

  customSortSql(column, fieldId, type) {
    const at = `'${fieldId}'`
    if (type === 'number')
      return `(case when jsonb_typeof(${column} -> ${at}) = 'number' then (${column} ->> ${at})::float8 end)`
    return `((case when jsonb_typeof(${column} -> ${at}) = 'string' then ${column} ->> ${at} end) collate "C")`
  },

  matchTextSql(column, field) {
    // `data` is json, `custom_fields` jsonb: the same value, typed the same way (functions an index may hold).
    const typeOf = column.endsWith('custom_fields') ? 'jsonb_typeof' : 'json_typeof'
    const v = `${column} -> '${field}'`
    const t = `${column} ->> '${field}'`
    return `(case ${typeOf}(${v}) when 'string' then lower(btrim(${t}, E' \\t\\n\\r\\f')) when 'number' then ${t} when 'boolean' then ${t} end)`
  },

  customText(fieldId) {
    const v = sql`(r.custom_fields -> ${fieldId}::text)`
    return sql`(case when jsonb_typeof(${v}) = 'string' then ${v} #>> '{}' end)`
  },

  keyOrder(expression) {
    return sql`((${expression}) collate "C")`
  },

  async dropAll(db: AnyDb) {
    const tables = await sql<{ name: string }>`select tablename as name from pg_tables
      where schemaname = current_schema()`.execute(db)
    for (const { name } of tables.rows) await sql`drop table if exists ${sql.table(name)} cascade`.execute(db)
  },

  parsedData() {
    return sql`r.data::jsonb`
  },

  jsonField(field: string) {
    return sql`p.j -> ${sql.lit(field)}`
  },

  jsonPath(path: readonly string[]) {
    return sql`p.j #> ${sql.lit(`{${path.join(',')}}`)}`
  },

  jsonPathText(path: readonly string[]) {
    return sql`(p.j #> ${sql.lit(`{${path.join(',')}}`)})::text`
  },

  textElements(column: RawBuilder<unknown>) {
    return sql`json_array_elements_text(${column}::json) as e(value)`
  },

  textAsJson(column: string) {
    return sql`${sql.ref(`p.${column}`)}::json`
  },

  jsonRows(values: readonly RawBuilder<unknown>[]) {
    return sql`coalesce(json_agg(json_build_array(${sql.join(values)})), '[]'::json)`
  },

  parseData(value: unknown): ProjectedRecord {
    return (typeof value === 'string' ? JSON.parse(value) : value) as ProjectedRecord
  },

  bytes(value: unknown): Uint8Array {
    return new Uint8Array(value as Buffer)
  },

  async tableExists(db: AnyDb, name: string) {
    const result = await sql`select 1 as x from information_schema.tables
      where table_schema = current_schema() and table_name = ${name}`.execute(db)
    return result.rows.length > 0
  },

  async searchCount(db: AnyDb, workspaceId: string | undefined, kind?: SearchKind) {
    let query = db.selectFrom('search').select(sql<string>`count(*)`.as('n'))
    if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId)
    if (kind !== undefined) query = query.where('kind', '=', kind)
    return Number((await query.executeTakeFirst())?.n ?? 0)
  },
}

/** Records and note texts written between two VACUUM (ANALYZE) runs of the index's tables. */
export const VACUUM_EVERY_ROWS = 20_000

/**
 * The PostgreSQL index: after every VACUUM_EVERY_ROWS rows written (a rebuild, an import), off the write path,
 * `VACUUM (ANALYZE)` of its tables — the statistics the planner needs, and the visibility map without which an
 * index-only scan (a list's count) still reads every row's heap page. Autovacuum does this too where it is on, but
 * only after a fifth of a table has changed and within a minute; a server started with it off would never do it.
 */
class PostgresRecordIndex extends KyselyRecordIndex {
  private written = 0
  private vacuuming: Promise<void> | null = null
  private shut = false

  constructor(
    db: AnyDb,
    private readonly vacuumEveryRows: number,
    bulk?: BulkIndexSpec,
  ) {
    super(db, postgresFlavor, async () => {}, bulk)
  }

  /** Resolves when the VACUUM run started by the last large write (if any) has finished. */
  async settled(): Promise<void> {
    await this.vacuuming
  }

  /** VACUUM (ANALYZE) of every table of the index (the pages written since the last run; then sampled statistics). */
  async optimize(): Promise<void> {
    const tables = await sql<{ name: string }>`select tablename as name from pg_tables
      where schemaname = current_schema() order by tablename`.execute(this.db)
    for (const { name } of tables.rows) {
      if (this.shut) return
      await sql`vacuum (analyze) ${sql.table(name)}`.execute(this.db)
    }
  }

  protected override afterWrite(input: IndexBatch): void {
    this.written += (input.records?.length ?? 0) + (input.notes?.length ?? 0)
    if (this.written >= this.vacuumEveryRows && !this.vacuuming) {
      this.written = 0
      this.vacuuming = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => (this.shut ? undefined : this.optimize()))
        .catch(() => {}) // a hint for the planner: a failed run (closing, busy) changes no answer
        .finally(() => {
          this.vacuuming = null
        })
    }
  }

  override async close(): Promise<void> {
    this.shut = true
    await this.vacuuming
    await super.close()
  }
}

export interface PostgresIndexOptions {
  /** Default `RAPPORT_PG_URL`, else DEFAULT_PG_URL. */
  url?: string
  /** The schema holding the index's tables (created if missing): lower-case letters, digits, `_`. */
  schema: string
  /** Connections in the pool (default 4). */
  poolSize?: number
  /** Rows written between two VACUUM (ANALYZE) runs (default VACUUM_EVERY_ROWS). */
  vacuumEveryRows?: number
  /**
   * Run `applyBulk` (`bulk`) or every apply (`all`) in a worker thread with a connection of its own (BulkApplier.ts;
   * default `off`).
   */
  thread?: IndexThreadMode
}

/** The URL without its password, for messages. */
const shown = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')

/** Opens (creating its tables if needed) the index in `schema` of the PostgreSQL database at `url`. */
export async function openPostgresRecordIndex(options: PostgresIndexOptions): Promise<RecordIndex> {
  const url = options.url ?? process.env.RAPPORT_PG_URL ?? DEFAULT_PG_URL
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    throw new Error(
      `The index schema name ${JSON.stringify(options.schema)} must be lower-case letters, digits and _.`,
    )
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  try {
    await admin.connect()
    await admin.query(`create schema if not exists ${options.schema}`)
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${shown(url)}: ${(error as Error).message}`, {
      cause: error,
    })
  } finally {
    await admin.end().catch(() => {})
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    options: `-c search_path=${options.schema}`,
    connectionTimeoutMillis: 10_000,
  })
  // An idle connection dropped by the server must not crash the process: the next query reconnects.
  pool.on('error', () => {})
  const db: AnyDb = new Kysely({ dialect: new PostgresDialect({ pool }) })
  const index = new PostgresRecordIndex(
    db,
    options.vacuumEveryRows ?? VACUUM_EVERY_ROWS,
    options.thread === 'bulk' || options.thread === 'all'
      ? { kind: 'postgres', url, schema: options.schema, allApplies: options.thread === 'all' }
      : undefined,
  )
  try {
    await index.init()
  } catch (error) {
    await index.close()
    throw error
  }
  // Every apply goes to the thread: started now, so the first live edit does not wait for its modules to load.
  if (options.thread === 'all') index.prepareBulk()
  return index
}

/** Drops an index schema and everything in it (tests, or a rebuild). */
export async function dropPostgresIndexSchema(schema: string, url?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`Invalid schema name ${JSON.stringify(schema)}.`)
  const client = new pg.Client({ connectionString: url ?? process.env.RAPPORT_PG_URL ?? DEFAULT_PG_URL })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}
