import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { PgliteDialect } from './pgliteDialect.ts'
import type { Flavor, IndexTables } from './schema.ts'

/** One index store under test: how to open it, how big it is on disk, how long a cold process takes to answer. */
export type Backend = {
  name: string
  flavor: Flavor
  open(): Promise<Kysely<IndexTables>>
  diskBytes(db: Kysely<IndexTables>): Promise<number>
  /** Milliseconds from a fresh process' first line to the contacts list's first page (store already built). */
  coldFirstPage(): Promise<{ openAndQuery: number; processTotal: number }>
  drop(): Promise<void>
}

const TESTS_DIR = new URL('../../..', import.meta.url).pathname
const FIRST_PAGE = 'select * from contacts order by last_name, first_name, id limit 50'

function dirBytes(path: string): number {
  let total = 0
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name)
    total += entry.isDirectory() ? dirBytes(full) : statSync(full).size
  }
  return total
}

/** Runs an ES module snippet in a fresh Node process from the tests package and parses its JSON output. */
function inFreshProcess(code: string): { openAndQuery: number; processTotal: number } {
  const start = performance.now()
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: TESTS_DIR,
    encoding: 'utf8',
  })
  const processTotal = performance.now() - start
  const { openAndQuery } = JSON.parse(out) as { openAndQuery: number }
  return { openAndQuery, processTotal }
}

export function sqliteBackend(dir: string): Backend {
  const file = join(dir, 'index.sqlite')
  return {
    name: 'SQLite (better-sqlite3 12.11.1, FTS5)',
    flavor: 'sqlite',
    async open() {
      const database = new Database(file)
      database.pragma('journal_mode = WAL')
      database.pragma('synchronous = NORMAL')
      return new Kysely<IndexTables>({ dialect: new SqliteDialect({ database }) })
    },
    async diskBytes(db) {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
      return dirBytes(dir)
    },
    async coldFirstPage() {
      return inFreshProcess(`
        const t0 = performance.now()
        const { default: Database } = await import('better-sqlite3')
        const db = new Database(${JSON.stringify(file)})
        db.prepare(${JSON.stringify(FIRST_PAGE)}).all()
        process.stdout.write(JSON.stringify({ openAndQuery: performance.now() - t0 }))`)
    },
    async drop() {},
  }
}

export function pgliteBackend(dir: string): Backend {
  const dataDir = join(dir, 'pglite')
  return {
    name: 'PGlite 0.5.17 (WASM, tsvector)',
    flavor: 'postgres',
    async open() {
      const pgl = new PGlite(dataDir)
      await pgl.waitReady
      return new Kysely<IndexTables>({ dialect: new PgliteDialect(pgl) })
    },
    async diskBytes(db) {
      await sql`checkpoint`.execute(db)
      return dirBytes(dataDir)
    },
    async coldFirstPage() {
      return inFreshProcess(`
        const t0 = performance.now()
        const { PGlite } = await import('@electric-sql/pglite')
        const db = new PGlite(${JSON.stringify(dataDir)})
        await db.query(${JSON.stringify(FIRST_PAGE)})
        process.stdout.write(JSON.stringify({ openAndQuery: performance.now() - t0 }))
        await db.close()`)
    },
    async drop() {},
  }
}

const PG_SCHEMA = 'proto_issue12'
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

export function postgresBackend(): Backend {
  const pool = () => new pg.Pool({ connectionString: PG_URL, max: 4, options: `-c search_path=${PG_SCHEMA}` })
  return {
    name: 'PostgreSQL 15 (pg 8, tsvector + GIN)',
    flavor: 'postgres',
    async open() {
      const admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      await admin.query(`drop schema if exists ${PG_SCHEMA} cascade; create schema ${PG_SCHEMA}`)
      await admin.end()
      return new Kysely<IndexTables>({ dialect: new PostgresDialect({ pool: pool() }) })
    },
    async diskBytes(db) {
      const result = await sql<{ bytes: string }>`
        select sum(pg_total_relation_size(c.oid))::text as bytes from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${PG_SCHEMA} and c.relkind = 'r'`.execute(
        db,
      )
      return Number(result.rows[0]?.bytes ?? 0)
    },
    async coldFirstPage() {
      return inFreshProcess(`
        const t0 = performance.now()
        const { default: pg } = await import('pg')
        const client = new pg.Client({ connectionString: ${JSON.stringify(PG_URL)}, options: '-c search_path=${PG_SCHEMA}' })
        await client.connect()
        await client.query(${JSON.stringify(FIRST_PAGE)})
        process.stdout.write(JSON.stringify({ openAndQuery: performance.now() - t0 }))
        await client.end()`)
    },
    async drop() {
      const admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      await admin.query(`drop schema if exists ${PG_SCHEMA} cascade`)
      await admin.end()
    },
  }
}
