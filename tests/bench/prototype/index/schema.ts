import { type Kysely, sql } from 'kysely'

/**
 * Issue #12 prototype: the persisted index's tables, typed once for Kysely and created on both dialects.
 * Only full-text search (FTS5 vs tsvector) and JSON access (json_extract vs ->>) differ per dialect.
 */
export type Flavor = 'sqlite' | 'postgres'

export interface IndexTables {
  accounts: {
    id: string
    name: string
    domain: string
    industry: string
    tier: string
    city: string
    owner_id: string
    updated_at: number
    data: string
  }
  contacts: {
    id: string
    account_id: string | null
    first_name: string
    last_name: string
    email: string
    score: number
    lead_status: string
    owner_id: string
    updated_at: number
    data: string
  }
  deals: {
    id: string
    pipeline_id: string
    account_id: string | null
    title: string
    amount: number
    currency: string
    stage_id: string
    key: string
    status: string
    owner_id: string
    closed_at: number | null
    updated_at: number
    data: string
  }
  /** One row per record: its searchable text (SQLite: an FTS5 table; PostgreSQL: a tsvector column). */
  search: { kind: string; id: string; text: string; rowid?: number }
  /** SQLite only: (kind, id) → the FTS5 rowid, so one record's search row is replaced by rowid, not by a scan. */
  search_key: { rowid?: number; kind: string; id: string }
  /** Catch-up bookkeeping: per document, the Yjs state vector the index reflects and the update-log sequence. */
  doc_state: { doc: string; state_vector: Uint8Array; log_seq: number; indexed_at: number }
  meta: { key: string; value: string }
}

const TABLES = (json: string, blob: string, bigint: string) => [
  `create table accounts (id text primary key, name text not null, domain text not null, industry text not null,
     tier text not null, city text not null, owner_id text not null, updated_at ${bigint} not null, data ${json} not null)`,
  `create table contacts (id text primary key, account_id text, first_name text not null, last_name text not null,
     email text not null, score integer not null, lead_status text not null, owner_id text not null,
     updated_at ${bigint} not null, data ${json} not null)`,
  `create table deals (id text primary key, pipeline_id text not null, account_id text, title text not null,
     amount ${bigint} not null, currency text not null, stage_id text not null, key text not null, status text not null,
     owner_id text not null, closed_at ${bigint}, updated_at ${bigint} not null, data ${json} not null)`,
  `create table doc_state (doc text primary key, state_vector ${blob} not null, log_seq ${bigint} not null,
     indexed_at ${bigint} not null)`,
  'create table meta (key text primary key, value text not null)',
  'create index accounts_name on accounts (name, id)',
  'create index accounts_tier on accounts (tier, updated_at, id)',
  'create index contacts_name on contacts (last_name, first_name, id)',
  'create index contacts_status_score on contacts (lead_status, score, id)',
  'create index contacts_account on contacts (account_id, last_name, id)',
  'create index deals_board on deals (pipeline_id, status, stage_id, key, id)',
  'create index deals_closed on deals (status, closed_at)',
  'create index deals_account on deals (account_id)',
]

const DDL: Record<Flavor, string[]> = {
  sqlite: [
    ...TABLES('text', 'blob', 'integer'),
    "create index contacts_region on contacts (json_extract(data, '$.region'), id)",
    "create virtual table search using fts5(kind unindexed, id unindexed, text, tokenize = 'unicode61', prefix = '2 3')",
    'create table search_key (rowid integer primary key, kind text not null, id text not null, unique (kind, id))',
  ],
  postgres: [
    ...TABLES('jsonb', 'bytea', 'bigint'),
    "create index contacts_region on contacts ((data->>'region'), id)",
    `create table search (kind text not null, id text not null, text text not null,
       tsv tsvector generated always as (to_tsvector('simple', text)) stored, primary key (kind, id))`,
    'create index search_tsv on search using gin (tsv)',
  ],
}

export async function createSchema(db: Kysely<IndexTables>, flavor: Flavor): Promise<void> {
  for (const statement of DDL[flavor]) await sql.raw(statement).execute(db)
  await db.insertInto('meta').values({ key: 'format', value: '1' }).execute()
}

/** Replaces one record's search text (a document change reaching the index). */
export async function putSearchText(
  db: Kysely<IndexTables>,
  flavor: Flavor,
  row: { kind: string; id: string; text: string },
): Promise<void> {
  if (flavor === 'postgres') {
    await db
      .insertInto('search')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ text: row.text }))
      .execute()
    return
  }
  await db
    .insertInto('search_key')
    .values({ kind: row.kind, id: row.id })
    .onConflict((oc) => oc.columns(['kind', 'id']).doNothing())
    .execute()
  const key = await db
    .selectFrom('search_key')
    .select('rowid')
    .where('kind', '=', row.kind)
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow()
  await db
    .deleteFrom('search')
    .where('rowid', '=', key.rowid as number)
    .execute()
  await db
    .insertInto('search')
    .values({ ...row, rowid: key.rowid })
    .execute()
}

/** `data.<field>` as text: the one JSON access the query layer needs. */
export function jsonText(flavor: Flavor, column: string, field: string) {
  return flavor === 'sqlite'
    ? sql<string>`json_extract(${sql.ref(column)}, ${`$.${field}`})`
    : sql<string>`${sql.ref(column)}->>${field}`
}

/** Words → a prefix query: every word must match, the last one as a prefix ("acme glo" finds "Acme Globex"). */
export async function searchIds(
  db: Kysely<IndexTables>,
  flavor: Flavor,
  text: string,
  limit: number,
  ranked = true,
): Promise<Array<{ kind: string; id: string }>> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  if (words.length === 0) return []
  if (flavor === 'sqlite') {
    const match = words.map((w) => `"${w}"*`).join(' ')
    const result = await sql<{ kind: string; id: string }>`
      select kind, id from search where search match ${match}
      order by ${ranked ? sql`rank` : sql`rowid desc`} limit ${limit}`.execute(db)
    return result.rows
  }
  const query = words.map((w) => `${w}:*`).join(' & ')
  const result = await sql<{ kind: string; id: string }>`
    select kind, id from search where tsv @@ to_tsquery('simple', ${query})
    order by ${ranked ? sql`ts_rank(tsv, to_tsquery('simple', ${query})) desc` : sql`kind, id`} limit ${limit}`.execute(
    db,
  )
  return result.rows
}
