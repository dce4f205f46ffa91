import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { DocumentStore, LoadedDocument } from './DocumentStore.ts'
import { mergeLogged } from './mergeLogged.ts'
import { walCheckpointer } from './walCheckpointer.ts'

/** The store's file in a data directory (format 2 on): `<dataDir>/documents.sqlite`. */
export const SQLITE_DOCUMENTS_FILE = 'documents.sqlite'

export interface SqliteStoreOptions {
  /** The database file, e.g. `<dataDir>/documents.sqlite` (its directory is created when missing). */
  file: string
  /**
   * Acknowledged means on disk: every append and store resolves only after an `fdatasync` of the write-ahead log
   * covered it (group commit, off the event loop). Without it they resolve once SQLite committed them to the page
   * cache: safe against a crash of the process, not of the machine.
   */
  fsync?: boolean
}

/** Rows come back as Buffers over a shared pool; callers get plain, unaliased Uint8Arrays. */
const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer)

const SCHEMA = `
  create table if not exists docs (
    name text primary key,
    state blob not null,
    stored_at integer not null
  ) without rowid;
  create table if not exists log (
    seq integer primary key autoincrement,
    name text not null,
    update_ blob not null
  );
  create index if not exists log_name on log (name, seq);
`

/**
 * The embedded store for many documents (issue #12): states and update logs in ONE SQLite file through
 * better-sqlite3, WAL mode. `docs (name, state, stored_at)` holds each document's full state, `log (seq, name,
 * update_)` the updates appended since. better-sqlite3 is synchronous, so each call runs to completion before the
 * next one starts: a `store` upserts the state and deletes the document's log rows in one transaction — exactly the
 * updates appended before the call, since later appends have not run yet.
 *
 * Durability: `synchronous=NORMAL` — a commit writes its WAL frames (page cache) without an fsync on the event
 * loop; SQLite syncs the WAL before each checkpoint and the database after it. With `fsync`, appends and stores
 * wait for a group commit: one asynchronous `fdatasync` of the `-wal` file (libuv's thread pool, not the event
 * loop) covers every commit written before it started. WAL frames are written in commit order and recovery replays
 * the valid prefix, so a synced later commit implies every earlier one. `synchronous=FULL` would fsync inside every
 * commit, on the event loop: measured 0.15 ms vs 0.02 ms per store (docs/ARCHITECTURE.md) and a blocking fsync per
 * edit. The WAL file stays the same inode while the connection is open (SQLite deletes it only when the last
 * connection closes), so the one descriptor opened here syncs the live log. Checkpoints run in a worker thread
 * (`walCheckpointer.ts`), not inside commits on the event loop.
 */
export const sqliteStore = (
  options: SqliteStoreOptions,
): DocumentStore & { readonly file: string; readonly checkpoints: number } => {
  const { file } = options
  mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(SCHEMA)
  const checkpointer = walCheckpointer(file, () => {
    // Without the worker, SQLite checkpoints inside commits again (on the event loop, but it does).
    if (db.open) db.pragma('wal_autocheckpoint = 1000')
  })
  db.pragma('wal_autocheckpoint = 0')

  const statements = {
    state: db.prepare<[string], { state: Buffer }>('select state from docs where name = ?'),
    log: db.prepare<[string], { update_: Buffer }>('select update_ from log where name = ? order by seq'),
    put: db.prepare<[string, Uint8Array, number]>(
      `insert into docs (name, state, stored_at) values (?, ?, ?)
       on conflict (name) do update set state = excluded.state, stored_at = excluded.stored_at`,
    ),
    dropLog: db.prepare<[string]>('delete from log where name = ?'),
    dropDoc: db.prepare<[string]>('delete from docs where name = ?'),
    append: db.prepare<[string, Uint8Array]>('insert into log (name, update_) values (?, ?)'),
    loggedNames: db.prepare<[], { name: string }>('select distinct name from log'),
    names: db.prepare<[], { name: string }>('select name from docs union select name from log'),
    /** Names in [from, to): a range over both primary keys, not a scan (a workspace's documents among 190k). */
    namesIn: db.prepare<{ from: string; to: string }, { name: string }>(
      `select name from docs where name >= :from and name < :to
       union select name from log where name >= :from and name < :to`,
    ),
  }
  const storeTx = db.transaction((name: string, state: Uint8Array) => {
    statements.put.run(name, state, Date.now())
    statements.dropLog.run(name)
  })
  const deleteTx = db.transaction((name: string) => {
    statements.dropDoc.run(name)
    statements.dropLog.run(name)
  })

  const sync = options.fsync ? groupSync(file) : null
  let closed: Promise<void> | null = null

  /** Runs a synchronous write of about `bytes`; resolves when it is durable (at once without fsync). */
  const write = (run: () => void, bytes: number): Promise<void> => {
    try {
      if (closed) throw new Error('the document store is closed')
      run()
    } catch (error) {
      return Promise.reject(error)
    }
    checkpointer.wrote(bytes)
    return sync ? sync.request() : Promise.resolve()
  }

  /** State and log read in one read transaction, so a store in between cannot be seen half. */
  const readBoth = db.transaction((name: string) => ({
    row: statements.state.get(name),
    log: statements.log.all(name),
  }))
  const loadWithLog = async (name: string): Promise<LoadedDocument> => {
    const { row, log } = readBoth(name)
    return {
      state: row ? bytes(row.state) : null,
      log: log.map((entry) => bytes(entry.update_)),
      damagedLogBytes: 0,
    }
  }

  return {
    file,
    /** WAL checkpoints the worker ran (tests). */
    get checkpoints() {
      return checkpointer.checkpoints
    },
    async load(name) {
      const { state, log } = await loadWithLog(name)
      return mergeLogged(state, log)
    },
    loadWithLog,
    store(name, state) {
      return write(() => storeTx(name, state), state.byteLength)
    },
    appendUpdate(name, update) {
      return write(() => statements.append.run(name, update), update.byteLength)
    },
    async list(prefix = '') {
      // Every name starting with `prefix` sorts (UTF-8, as SQLite compares) between it and it + U+10FFFF.
      const rows = prefix
        ? statements.namesIn.all({ from: prefix, to: `${prefix}\u{10FFFF}` })
        : statements.names.all()
      return rows
        .map((row) => row.name)
        .filter((name) => name.startsWith(prefix))
        .sort()
    },
    async loggedNames() {
      return statements.loggedNames
        .all()
        .map((row) => row.name)
        .sort()
    },
    delete(name) {
      return write(() => deleteTx(name), 0)
    },
    close() {
      closed ??= (async () => {
        await sync?.close()
        // The worker's connection first, so that the main one is the last and folds the WAL into the file.
        await checkpointer.close()
        db.close()
      })()
      return closed
    },
  }
}

/**
 * Group commit over the `-wal` file: each round fdatasyncs once (asynchronously) and resolves every request made
 * before it started; requests arriving meanwhile wait for the next round. The directory is synced once, so the WAL
 * file's own entry is durable.
 */
const groupSync = (file: string) => {
  const walPath = `${file}-wal`
  // The WAL exists once the schema was written in WAL mode; opening it for reading is enough to sync it.
  const fd = openSync(walPath, 'r')
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  let running: Promise<void> | null = null

  const loop = async (): Promise<void> => {
    try {
      while (waiting.length > 0) {
        const round = waiting
        waiting = []
        try {
          await new Promise<void>((resolve, reject) =>
            fdatasync(fd, (error) => (error ? reject(error) : resolve())),
          )
          for (const waiter of round) waiter.resolve()
        } catch (error) {
          for (const waiter of round) waiter.reject(error)
        }
      }
    } finally {
      running = null
    }
  }

  return {
    request(): Promise<void> {
      const done = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }))
      running ??= loop()
      return done
    },
    async close(): Promise<void> {
      await running
      closeSync(fd)
    },
  }
}
