import { Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely'
import pg from 'pg'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { SearchKind } from '../projection/SearchIndex.ts'
import {
  type AnyDb,
  type AnyTrx,
  type IndexFlavor,
  KyselyRecordIndex,
  type SearchRow,
} from './kyselyRecordIndex.ts'
import type { CustomFieldCondition, RecordIndex } from './RecordIndex.ts'
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
    // ts_rank weights {D, C, B, A}: title 1, fields 0.5, long text 0.33 (as SearchIndex boosts title 3, fields 1.5).
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

export interface PostgresIndexOptions {
  /** Default `RAPPORT_PG_URL`, else DEFAULT_PG_URL. */
  url?: string
  /** The schema holding the index's tables (created if missing): lower-case letters, digits, `_`. */
  schema: string
  /** Connections in the pool (default 4). */
  poolSize?: number
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
  const index = new KyselyRecordIndex(db, postgresFlavor, async () => {})
  try {
    await index.init()
  } catch (error) {
    await index.close()
    throw error
  }
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
