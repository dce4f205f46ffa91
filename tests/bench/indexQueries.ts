import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NOTES_FIELD, parseDocName, recordJSON } from '@rapport/model'
import Database from 'better-sqlite3'
import pg from 'pg'
import * as Y from 'yjs'
import { notesFieldText } from '../../apps/server/src/notes/roomNotes.ts'
import {
  KIND_SPECS,
  type ProjectedRecord,
  RECORD_KINDS,
} from '../../apps/server/src/projection/recordKinds.ts'
import type {
  IndexListQuery,
  NotesChange,
  RecordChange,
  RecordIndex,
} from '../../apps/server/src/recordIndex/RecordIndex.ts'
import { openDataDirDocs } from './lib/dataDirStore.ts'
import { REPO_ROOT } from './lib/servers.ts'
import { type Summary, timeSeries } from './lib/stats.ts'
import { tempDir } from './lib/tempDir.ts'

/**
 * The production `RecordIndex` (apps/server/src/recordIndex/) over the big workspace, on both implementations:
 * the records and note texts are read out of the big workspace's data dir (parsed by the projection's schemas, as
 * the server would index them), bulk-loaded into a fresh index (SQLite file in a temp dir; PostgreSQL schema
 * `bench_<pid>` at RAPPORT_PG_URL, dropped after), then search and list/sort/filter series are timed in-process. The
 * load is shared with the reports phase (indexPhases.ts): one load per implementation for both.
 */
export type IndexQueryResult = { label: string; type: 'search' | 'list'; latencyMs: Summary; total: number }

export type IndexImplResult = {
  impl: 'sqlite' | 'postgres'
  /** Record upserts + note texts loaded. */
  rows: number
  loadMs?: number
  /** Bulk-load ms per record kind, and `notes` for the note texts. */
  loadMsByKind?: Record<string, number>
  /** The statistics step after the load (`Opened.settle`). */
  settleMs?: number
  diskBytes?: number | null
  queries?: IndexQueryResult[]
  /** 'not built yet' when the implementation's file is missing. */
  error?: string
}

export type IndexResult = { records: number; notes: number; readMs: number; impls: IndexImplResult[] }

const QUERY_RUNS = 300
const QUERY_WARMUP = 10
const SERIES_MAX_MS = 5_000
const BATCH = 5_000
const PG_URL = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const INDEX_DIR = join(REPO_ROOT, 'apps', 'server', 'src', 'recordIndex')

/** Reads every record and account-room note text of `workspaceId` from the data dir's document store. */
export async function readWorkspace(dataDir: string, workspaceId: string) {
  const store = openDataDirDocs(dataDir)
  const records: RecordChange[] = []
  const notes: NotesChange[] = []
  try {
    for (const name of await store.list()) {
      const ref = parseDocName(name)
      if (!ref || ref.workspaceId !== workspaceId) continue
      const state = await store.load(name)
      if (!state) continue
      // A fixed guid: a random one costs ~30 crypto calls per document (210,000 documents after the first start).
      const doc = new Y.Doc({ guid: name })
      Y.applyUpdate(doc, state)
      // Every record map the document holds (collections, per-record documents, an account room's account and
      // tasks — the layout moves with issue #12's format steps, the record maps keep their names).
      for (const kind of RECORD_KINDS) {
        if (!doc.share.has(KIND_SPECS[kind].collection)) continue
        const spec = KIND_SPECS[kind]
        for (const [id, value] of doc.getMap<unknown>(spec.collection)) {
          if (!(value instanceof Y.Map)) continue
          const parsed = spec.schema.safeParse(recordJSON(value as Y.Map<unknown>))
          if (!parsed.success) continue
          const data = parsed.data as ProjectedRecord
          const record =
            ref.kind === 'account' && kind === 'tasks' ? { ...data, accountId: ref.accountId } : data
          records.push({ op: 'upsert', workspaceId, kind, id, doc: name, record })
        }
      }
      if (ref.kind === 'account') {
        const text = notesFieldText(doc, NOTES_FIELD)
        if (text) notes.push({ workspaceId, accountId: ref.accountId, text })
      }
      doc.destroy()
    }
  } finally {
    await store.close()
  }
  return { records, notes }
}

async function series(run: (i: number) => Promise<number>): Promise<{ latencyMs: Summary; total: number }> {
  let total = 0
  const latencyMs = await timeSeries(
    async (i) => {
      total = await run(i)
    },
    { warmup: QUERY_WARMUP, runs: QUERY_RUNS, maxMs: SERIES_MAX_MS },
  )
  return { latencyMs, total }
}

export type IndexQueryCtx = {
  workspaceId: string
  terms: string[]
  accounts: number
  accountIds: string[]
  stageIds: string[]
}

/** The timed series: what REST lists and search ask of the index (same shapes as bigWorkspace.ts's REST series). */
async function querySeries(index: RecordIndex, ctx: IndexQueryCtx): Promise<IndexQueryResult[]> {
  const { workspaceId: ws, terms } = ctx
  const term = (i: number) => terms[i % terms.length] ?? 'acme'
  const page = (q: Partial<IndexListQuery>): IndexListQuery => ({
    offset: 0,
    limit: 50,
    archived: 'false',
    ...q,
  })
  const out: IndexQueryResult[] = []
  const searches: Array<[string, (i: number) => string]> = [
    ['search: one word (top 20)', term],
    ['search: 3-letter prefix (top 20)', (i) => term(i).slice(0, 3)],
    ['search: two words (top 20)', (i) => `${term(i)} ${term(i + 7)}`],
  ]
  for (const [label, q] of searches) {
    const s = await series(async (i) => (await index.search(ws, q(i), { limit: 20 })).length)
    out.push({ label, type: 'search', ...s })
  }
  const lists: Array<[string, (i: number) => Promise<number>]> = [
    [
      'accounts by name, page at an offset',
      async (i) =>
        (
          await index.list(
            ws,
            'accounts',
            page({ sort: 'name', offset: (i * 97) % Math.max(1, ctx.accounts) }),
          )
        ).total,
    ],
    [
      'contacts: leadStatus filter, by -score',
      async () =>
        (await index.list(ws, 'contacts', page({ filters: { leadStatus: 'qualified' }, sort: '-score' })))
          .total,
    ],
    [
      'contacts of one account, by name',
      async (i) =>
        (
          await index.list(
            ws,
            'contacts',
            page({
              filters: { accountId: ctx.accountIds[i % ctx.accountIds.length] ?? null },
              sort: 'lastName',
            }),
          )
        ).total,
    ],
    [
      'deals: text query, by -amount',
      async (i) => (await index.list(ws, 'deals', page({ q: term(i), sort: '-amount' }))).total,
    ],
    [
      'deals of one stage, by -amount',
      async (i) =>
        (
          await index.list(
            ws,
            'deals',
            page({ filters: { stage: ctx.stageIds[i % ctx.stageIds.length] ?? null }, sort: '-amount' }),
          )
        ).total,
    ],
    [
      'tickets: priority filter, by -updatedAt',
      async () =>
        (await index.list(ws, 'tickets', page({ filters: { priority: 'urgent' }, sort: '-updatedAt' })))
          .total,
    ],
  ]
  for (const [label, run] of lists) out.push({ label, type: 'list', ...(await series(run)) })
  return out
}

/** Applies the records kind by kind, then the notes, in batches of BATCH; ms per kind (and `notes`). */
export async function bulkLoad(
  index: RecordIndex,
  records: RecordChange[],
  notes: NotesChange[],
): Promise<Record<string, number>> {
  const byKind = new Map<string, RecordChange[]>()
  for (const r of records) {
    const rows = byKind.get(r.kind)
    if (rows) rows.push(r)
    else byKind.set(r.kind, [r])
  }
  const ms: Record<string, number> = {}
  for (const [kind, rows] of byKind) {
    const t0 = performance.now()
    for (let i = 0; i < rows.length; i += BATCH) await index.apply({ records: rows.slice(i, i + BATCH) })
    ms[kind] = Math.round(performance.now() - t0)
  }
  const t0 = performance.now()
  for (let i = 0; i < notes.length; i += BATCH) await index.apply({ notes: notes.slice(i, i + BATCH) })
  ms.notes = Math.round(performance.now() - t0)
  return ms
}

export type Opened = {
  index: RecordIndex
  /**
   * Planner statistics after the bulk load, as a running server has them: SQLite `PRAGMA optimize` (the server runs
   * it at every open and after large writes), PostgreSQL `VACUUM (ANALYZE)` of the schema's tables (the index runs it
   * after every 20,000 rows written, as autovacuum would where it is on: statistics and the visibility map that
   * index-only scans need).
   */
  settle(): Promise<void>
  /** Before the first apply of the bulk load, and after its last one: the deferred indexes (`deferredIndexes`). */
  bulkLoad?: { before(): Promise<void>; after(): Promise<void> }
  diskBytes(): Promise<number | null>
  drop(): Promise<void>
}

/** Imports an implementation module by path (null when its file is not in this tree: "not built yet"). */
async function implModule(file: string): Promise<Record<string, unknown> | null> {
  const path = join(INDEX_DIR, file)
  if (!existsSync(path)) return null
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>
}

function opener(mod: Record<string, unknown>, name: string): (...args: unknown[]) => Promise<RecordIndex> {
  const fn = mod[name]
  if (typeof fn !== 'function') throw new Error(`${name} is not exported by the index implementation`)
  return fn as (...args: unknown[]) => Promise<RecordIndex>
}

/**
 * The bench's bulk load builds the secondary indexes of the record tables (on PostgreSQL also those of `search`) after
 * the rows, as a bulk load would: once the index is open they are dropped (their definitions kept) and made again, the
 * same definitions, after the last apply and before `settle`; their build is part of the load (`loadMsByKind`). Kept
 * through the load: primary keys, every index of the other tables (the applies' reads and deletes go through them)
 * and `<table>_account` (the `s_accountName` updates by account id). The index series and reports then run over the
 * same tables with the same indexes — built at once, so more compact than indexes grown row by row, as after a rebuild
 * of the server's index they would be.
 */
/** The part of `loadMsByKind` that drops the deferred indexes and builds them again. */
export const INDEXES_AFTER = 'list and search indexes built after the load'

function deferredIndexes(db: {
  /** The deferred indexes: name, table and definition. */
  list(): Promise<Array<{ name: string; table: string; sql: string }>>
  /** Every index of the index's tables. */
  count(): Promise<number>
  run(statements: string[]): Promise<void>
  drop(name: string): string
  /** After the builds, with the tables whose indexes were built (SQLite: their statistics). */
  built?(tables: string[]): Promise<void>
}): NonNullable<Opened['bulkLoad']> {
  let deferred: Array<{ table: string; sql: string }> = []
  let total = 0
  return {
    before: async () => {
      total = await db.count()
      const rows = await db.list()
      deferred = rows
      await db.run(rows.map((r) => db.drop(r.name)))
    },
    after: async () => {
      await db.run(deferred.map((d) => d.sql))
      await db.built?.([...new Set(deferred.map((d) => d.table))])
      deferred = []
      const now = await db.count()
      if (now !== total) throw new Error(`bulk load: ${now} indexes after the load, ${total} before it`)
    },
  }
}

/** `file`: default a file in a temp dir, removed by `drop` (pgTextLoad.ts gives a file of its own, kept). */
export async function openSqlite(keptFile?: string): Promise<Opened | null> {
  const mod = await implModule('sqliteRecordIndex.ts')
  if (!mod) return null
  const dir = keptFile ? { path: '', remove: () => {} } : tempDir('rapport-index-')
  const file = keptFile ?? join(dir.path, 'index.sqlite')
  const index = await opener(mod, 'openSqliteRecordIndex')(file)
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0)
  // The bench's own connection for the DDL (WAL mode; the index's connection re-prepares on the schema change).
  const withDb = async <T>(use: (db: Database.Database) => T): Promise<T> => {
    const db = new Database(file)
    try {
      return use(db)
    } finally {
      db.close()
    }
  }
  return {
    settle: async () => {
      const sqlite = index as RecordIndex & { settled?(): Promise<void>; optimize?(): Promise<void> }
      await sqlite.settled?.()
      await sqlite.optimize?.()
    },
    index,
    bulkLoad: deferredIndexes({
      list: () =>
        withDb(
          (db) =>
            db
              .prepare(
                `select name, tbl_name as "table", sql from sqlite_master where type = 'index' and sql is not null
                   and tbl_name like 'rec\\_%' escape '\\' and name not like '%\\_account' escape '\\' order by name`,
              )
              .all() as Array<{ name: string; table: string; sql: string }>,
        ),
      count: () =>
        withDb(
          (db) =>
            (
              db.prepare("select count(*) as n from sqlite_master where type = 'index'").get() as {
                n: number
              }
            ).n,
        ),
      run: (statements) =>
        withDb((db) => {
          for (const sql of statements) db.exec(sql)
        }),
      drop: (name) => `drop index "${name}"`,
      // A dropped index's statistics go with it, and `PRAGMA optimize` (settle) analyzes only tables never analyzed or
      // grown ~25× since: without this the rebuilt indexes would have none (the planner guesses, see
      // sqliteRecordIndex.ts OPTIMIZE). A sampled ANALYZE (analysis_limit 400, as SQLite's docs advise), before the
      // index's connection reads again (it reloads the changed schema, statistics included, at its next statement).
      built: (tables) =>
        withDb((db) => {
          db.pragma('analysis_limit = 400')
          for (const table of tables) db.exec(`analyze "${table}"`)
        }),
    }),
    diskBytes: async () => size(file) + size(`${file}-wal`) + size(`${file}-shm`),
    drop: async () => {
      await index.close()
      dir.remove()
    },
  }
}

/** `schema`: default `bench_<pid>` (pgTextAB.ts loads schemas of its own name and keeps them). */
export async function openPostgres(schema = `bench_${process.pid}`): Promise<Opened | null> {
  const mod = await implModule('postgresRecordIndex.ts')
  if (!mod) return null
  const index = await opener(mod, 'openPostgresRecordIndex')({ url: PG_URL, schema })
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  return {
    index,
    settle: async () => {
      // The index's own VACUUM (ANALYZE) after large writes (postgresRecordIndex.ts): the last run finished, then
      // one over what the load wrote since.
      const pgIndex = index as RecordIndex & { settled?(): Promise<void>; optimize?(): Promise<void> }
      await pgIndex.settled?.()
      await pgIndex.optimize?.()
    },
    bulkLoad: deferredIndexes({
      list: async () =>
        (
          await admin.query<{ name: string; table: string; sql: string }>(
            `select i.indexname as name, i.tablename as "table", i.indexdef as sql from pg_indexes i
              where i.schemaname = $1 and (i.tablename like 'rec\\_%' or i.tablename = 'search')
                and i.indexname not like '%\\_account'
                and not exists (select 1 from pg_constraint c
                  where c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
              order by i.indexname`,
            [schema],
          )
        ).rows,
      count: async () =>
        Number(
          (
            await admin.query<{ n: string }>(
              'select count(*)::text as n from pg_indexes where schemaname = $1',
              [schema],
            )
          ).rows[0]?.n ?? 0,
        ),
      run: async (statements) => {
        // Sorts for the index builds in memory (this session only).
        await admin.query("set maintenance_work_mem = '256MB'")
        for (const sql of statements) await admin.query(sql)
      },
      drop: (name) => `drop index "${schema}"."${name}"`,
      // A dropped expression index takes its statistics with it, and the index's own VACUUM (ANALYZE) in `settle`
      // covers only what was written since its last run: analyze the rebuilt tables, as a server's index has them.
      built: async (tables) => {
        for (const table of tables) await admin.query(`analyze "${schema}"."${table}"`)
      },
    }),
    diskBytes: async () => {
      const res = await admin.query<{ bytes: string | null }>(
        `select sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)))::text as bytes
           from pg_tables where schemaname = $1`,
        [schema],
      )
      return Number(res.rows[0]?.bytes ?? 0)
    },
    drop: async () => {
      await index.close()
      await admin.query(`drop schema if exists "${schema}" cascade`)
      await admin.end()
    },
  }
}

/**
 * The index phase's measurements on an index the shared load filled and settled (indexPhases.ts): the size on disk,
 * then the search and list series. The load and settle figures are the shared load's.
 */
export async function measureIndexOn(
  log: (msg: string) => void,
  opened: Opened,
  out: IndexImplResult,
  records: RecordChange[],
  ctx: Omit<IndexQueryCtx, 'accountIds' | 'accounts'>,
): Promise<void> {
  const accountIds = records.filter((r) => r.kind === 'accounts').map((r) => r.id)
  out.diskBytes = await opened.diskBytes()
  log(`index: ${out.impl}, queries`)
  out.queries = await querySeries(opened.index, { ...ctx, accountIds, accounts: accountIds.length })
}
