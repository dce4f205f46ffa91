import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely'

/**
 * A Kysely dialect over an in-process PGlite (WASM PostgreSQL): PostgreSQL's compiler and adapter, one
 * connection, queries serialized (PGlite runs one at a time anyway). `kysely-pglite-dialect` does the same but
 * declares PGlite < 0.5 as its peer.
 */
export class PgliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PgliteDriver(this.pg)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
}

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(query.sql, [...query.parameters])
    return result.affectedRows !== undefined
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) }
      : { rows: result.rows }
  }
  // biome-ignore lint/correctness/useYield: streaming is not supported; the error says so.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect: streaming queries are not supported')
  }
}

class PgliteDriver implements Driver {
  private tail: Promise<void> = Promise.resolve()
  private release: (() => void) | undefined
  private readonly connection: PgliteConnection
  constructor(private readonly pg: PGlite) {
    this.connection = new PgliteConnection(pg)
  }
  async init(): Promise<void> {
    await this.pg.waitReady
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.tail
    let release = () => {}
    this.tail = new Promise<void>((resolve) => {
      release = resolve
    })
    await previous
    this.release = release
    return this.connection
  }
  async releaseConnection(): Promise<void> {
    this.release?.()
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'))
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'))
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'))
  }
  async destroy(): Promise<void> {
    await this.pg.close()
  }
}
