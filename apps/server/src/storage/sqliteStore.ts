import { randomUUID } from 'node:crypto'
import {
  closeSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
} from 'node:fs'
import { open, readFile, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
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
  /**
   * States of this many bytes and more go to their own file in `<file>.states/` (the row names it) instead of the
   * database: SQLite writes a blob synchronously on the event loop (measured: a 20 MB state blocks it 140–470 ms), a
   * file is written on libuv's thread pool. Default LARGE_STATE_BYTES; `Infinity` keeps every state inside (the
   * migration, which runs before the server serves anything).
   */
  largeStateBytes?: number
}

/** States from this size on are written as files (`largeStateBytes`). Record documents stay far below it. */
export const LARGE_STATE_BYTES = 256 * 1024

/** Rows come back as Buffers over a shared pool; callers get plain, unaliased Uint8Arrays. */
const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer)

/** SQLite's order of text (UTF-8 bytes), which differs from JavaScript's `<` (UTF-16) beyond the BMP. */
const utf8Before = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0

const SCHEMA = `
  create table if not exists docs (
    name text primary key,
    state blob not null,
    stored_at integer not null,
    state_file text
  ) without rowid;
  create table if not exists log (
    seq integer primary key autoincrement,
    name text not null,
    update_ blob not null
  );
  create index if not exists log_name on log (name, seq);
  create table if not exists unsettled (
    name text primary key
  ) without rowid;
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
): DocumentStore &
  Required<Pick<DocumentStore, 'storeNew' | 'settleNew'>> & {
    readonly file: string
    readonly checkpoints: number
    readonly syncRounds: number
  } => {
  const { file } = options
  mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(SCHEMA)
  // Databases written before large states went to files lack the column.
  const columns = db.pragma('table_info(docs)') as Array<{ name: string }>
  if (!columns.some((column) => column.name === 'state_file'))
    db.exec('alter table docs add column state_file text')
  const checkpointer = walCheckpointer(file, () => {
    // Without the worker, SQLite checkpoints inside commits again (on the event loop, but it does).
    if (db.open) db.pragma('wal_autocheckpoint = 1000')
  })
  db.pragma('wal_autocheckpoint = 0')

  const statements = {
    state: db.prepare<[string], { state: Buffer; state_file: string | null }>(
      'select state, state_file from docs where name = ?',
    ),
    stateFile: db.prepare<[string], { state_file: string | null }>(
      'select state_file from docs where name = ?',
    ),
    stateFiles: db.prepare<[], { state_file: string }>(
      'select state_file from docs where state_file is not null',
    ),
    lastSeq: db.prepare<[], { seq: number | null }>('select max(seq) as seq from log'),
    log: db.prepare<[string], { update_: Buffer }>('select update_ from log where name = ? order by seq'),
    put: db.prepare<[string, Uint8Array, number, string | null]>(
      `insert into docs (name, state, stored_at, state_file) values (?, ?, ?, ?)
       on conflict (name) do update
       set state = excluded.state, stored_at = excluded.stored_at, state_file = excluded.state_file`,
    ),
    dropLog: db.prepare<[string]>('delete from log where name = ?'),
    dropLogThrough: db.prepare<[string, number]>('delete from log where name = ? and seq <= ?'),
    dropDoc: db.prepare<[string]>('delete from docs where name = ?'),
    append: db.prepare<[string, Uint8Array]>('insert into log (name, update_) values (?, ?)'),
    /** Logged or unsettled (`storeNew`): `union` is distinct. */
    loggedNames: db.prepare<[], { name: string }>('select name from log union select name from unsettled'),
    /** A new document's state (`storeNew`): no row is replaced. */
    putNew: db.prepare<[string, Uint8Array, number]>(
      `insert into docs (name, state, stored_at, state_file) values (?, ?, ?, null) on conflict (name) do nothing`,
    ),
    unsettle: db.prepare<[string]>('insert or ignore into unsettled (name) values (?)'),
    settle: db.prepare<[string]>('delete from unsettled where name = ?'),
    names: db.prepare<[], { name: string }>('select name from docs union select name from log'),
    /** The first name at or after a key, in each table (one primary-key seek each): `workspaceIds` skips with them. */
    firstDoc: db.prepare<[string], { name: string }>(
      'select name from docs where name >= ? order by name limit 1',
    ),
    firstLogged: db.prepare<[string], { name: string }>(
      'select name from log where name >= ? order by name limit 1',
    ),
    /** Names in [from, to): a range over both primary keys, not a scan (a workspace's documents among 190k). */
    namesIn: db.prepare<{ from: string; to: string }, { name: string }>(
      `select name from docs where name >= :from and name < :to
       union select name from log where name >= :from and name < :to`,
    ),
  }
  /**
   * Replaces the state (inline, or `stateFile` naming its file) and drops the log rows up to `throughSeq` (null: all
   * of them); returns the file the previous state was in, to remove once this commit is durable.
   */
  const storeTx = db.transaction(
    (name: string, state: Uint8Array, stateFile: string | null, throughSeq: number | null): string | null => {
      const previous = statements.stateFile.get(name)?.state_file ?? null
      statements.put.run(name, stateFile ? EMPTY : state, Date.now(), stateFile)
      if (throughSeq === null) statements.dropLog.run(name)
      else statements.dropLogThrough.run(name, throughSeq)
      statements.settle.run(name)
      return previous
    },
  )
  const storeNewTx = db.transaction((entries: ReadonlyArray<{ name: string; state: Uint8Array }>) => {
    const now = Date.now()
    for (const { name, state } of entries) {
      // A document stored already keeps its state: the entry is an update of it (merged on load).
      if (state.byteLength >= largeStateBytes || statements.putNew.run(name, state, now).changes === 0)
        statements.append.run(name, state)
      else statements.unsettle.run(name)
    }
  })
  const settleTx = db.transaction((names: readonly string[]) => {
    for (const name of names) statements.settle.run(name)
  })
  const appendManyTx = db.transaction((entries: ReadonlyArray<{ name: string; update: Uint8Array }>) => {
    for (const { name, update } of entries) statements.append.run(name, update)
  })
  const storeManyTx = db.transaction((entries: ReadonlyArray<{ name: string; state: Uint8Array }>) => {
    for (const { name, state } of entries) storeTx(name, state, null, null)
  })
  const deleteTx = db.transaction((name: string): string | null => {
    const previous = statements.stateFile.get(name)?.state_file ?? null
    statements.dropDoc.run(name)
    statements.dropLog.run(name)
    statements.settle.run(name)
    return previous
  })

  const largeStateBytes = options.largeStateBytes ?? LARGE_STATE_BYTES
  const statesDir = `${file}.states`
  removeUnreferencedStateFiles(statesDir, new Set(statements.stateFiles.all().map((row) => row.state_file)))

  const sync = options.fsync ? groupSync(file) : null
  let closed: Promise<void> | null = null

  /**
   * Runs a synchronous write of about `bytes`; resolves when it is durable (at once without fsync, or when not
   * `durable`: StoreStatesOptions), then removes the state file the write replaced (the committed row no longer names
   * it).
   */
  const write = (run: () => string | null | undefined, bytes: number, durable = true): Promise<void> => {
    let replaced: string | null | undefined
    try {
      if (!db.open) throw new Error('the document store is closed')
      replaced = run()
    } catch (error) {
      return Promise.reject(error)
    }
    checkpointer.wrote(bytes)
    const onDisk = sync && durable ? sync.request() : Promise.resolve()
    return replaced ? onDisk.then(() => removeStateFile(replaced)) : onDisk
  }
  /** One batch transaction `tx(entries)` through `write`, refused once the store is closing. */
  const writeMany = <T>(
    tx: (entries: readonly T[]) => void,
    entries: readonly T[],
    bytes: number,
    durable = true,
  ): Promise<void> => {
    if (closed) return Promise.reject(new Error('the document store is closed'))
    return write(
      () => {
        tx(entries)
        return null
      },
      bytes,
      durable,
    )
  }
  const removeStateFile = (stateFile: string): Promise<void> =>
    unlink(join(statesDir, stateFile)).catch(() => {
      // Already gone; an orphan is removed at the next open anyway.
    })

  /**
   * Large states: the file is written (fsynced with `fsync`) before the row names it. Stores of one document are
   * serialized and coalesced while a file is written (the newest pending state wins, each caller resolves when a
   * store covering its call landed); each keeps the log position of its call, so updates appended after it stay.
   */
  const slots = new Map<string, Slot>()
  let statesDirMade = false
  const writeStateFile = async (state: Uint8Array): Promise<string> => {
    if (!statesDirMade) {
      mkdirSync(statesDir, { recursive: true })
      if (options.fsync) syncDirectorySync(dirname(statesDir))
      statesDirMade = true
    }
    const stateFile = `${randomUUID()}.bin`
    const handle = await open(join(statesDir, stateFile), 'wx')
    try {
      await handle.writeFile(state)
      if (options.fsync) await handle.sync()
    } finally {
      await handle.close()
    }
    if (options.fsync) await syncDirectory(statesDir)
    return stateFile
  }
  const drain = async (name: string, slot: Slot): Promise<void> => {
    while (slot.latest) {
      const { state, throughSeq } = slot.latest
      const waiters = slot.waiters
      slot.latest = null
      slot.waiters = []
      let stateFile: string | null = null
      try {
        if (state.byteLength >= largeStateBytes) stateFile = await writeStateFile(state)
        const named = stateFile
        await write(() => storeTx(name, state, named, throughSeq), named ? 0 : state.byteLength)
        for (const waiter of waiters) waiter.resolve()
      } catch (error) {
        if (stateFile) await removeStateFile(stateFile)
        for (const waiter of waiters) waiter.reject(error)
      }
    }
    slots.delete(name)
  }

  /** State and log read in one read transaction, so a store in between cannot be seen half. */
  const readBoth = db.transaction((name: string) => ({
    row: statements.state.get(name),
    log: statements.log.all(name),
  }))
  const loadWithLog = async (name: string): Promise<LoadedDocument> => {
    for (let attempt = 0; ; attempt += 1) {
      const { row, log } = readBoth(name)
      let state: Uint8Array | null = row ? bytes(row.state) : null
      if (row?.state_file) {
        try {
          state = new Uint8Array(await readFile(join(statesDir, row.state_file)))
        } catch (error) {
          // A store replaced (and removed) the file between the row and the read: read the new row.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5) continue
          throw error
        }
      }
      return { state, log: log.map((entry) => bytes(entry.update_)), damagedLogBytes: 0 }
    }
  }

  return {
    file,
    /** Group commits (fdatasync rounds) asked for so far (tests). */
    get syncRounds() {
      return sync?.requests ?? 0
    },
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
      if (closed) return Promise.reject(new Error('the document store is closed'))
      const slot = slots.get(name)
      if (!slot && state.byteLength < largeStateBytes) {
        return write(() => storeTx(name, state, null, null), state.byteLength)
      }
      // The log position now: updates appended after this call are not in `state` and stay.
      const throughSeq = statements.lastSeq.get()?.seq ?? 0
      const pending = slot ?? { latest: null, waiters: [], running: null }
      slots.set(name, pending)
      pending.latest = { state: state.slice(), throughSeq }
      const done = new Promise<void>((resolve, reject) => pending.waiters.push({ resolve, reject }))
      pending.running ??= drain(name, pending)
      return done
    },
    appendUpdate(name, update) {
      if (closed) return Promise.reject(new Error('the document store is closed'))
      return write(() => {
        statements.append.run(name, update)
        return null
      }, update.byteLength)
    },
    appendUpdates(entries) {
      return writeMany(appendManyTx, entries, byteSum(entries.map((entry) => entry.update)))
    },
    async storeStates(entries, storeOptions) {
      if (closed) throw new Error('the document store is closed')
      // Small states of documents with no store in progress: one transaction (a state that replaced a state file
      // is left to `store`, which removes the file once the row no longer names it); the rest one by one.
      const one: Array<{ name: string; state: Uint8Array }> = []
      const rest: Array<{ name: string; state: Uint8Array }> = []
      for (const entry of entries) {
        const inline =
          entry.state.byteLength < largeStateBytes &&
          !slots.has(entry.name) &&
          !statements.stateFile.get(entry.name)?.state_file
        ;(inline ? one : rest).push(entry)
      }
      let bytes = 0
      for (const entry of one) bytes += entry.state.byteLength
      await Promise.all([
        one.length > 0
          ? write(
              () => {
                storeManyTx(one)
                return null
              },
              bytes,
              storeOptions?.durable !== false,
            )
          : undefined,
        ...rest.map((entry) => this.store(entry.name, entry.state)),
      ])
    },
    storeNew(entries) {
      return writeMany(storeNewTx, entries, byteSum(entries.map((entry) => entry.state)))
    },
    settleNew(names) {
      // Not durable: a settle lost in a crash only makes the next start look at the documents again.
      return writeMany(settleTx, names, 0, false)
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
    async workspaceIds() {
      // A skip scan: the first name at or after `from`, its workspace, then on past every name of that workspace
      // (`<id>0` is the least text above every `<id>/…`, as '0' follows '/'): a few seeks per workspace, whatever
      // the number of documents.
      const ids: string[] = []
      let from = ''
      for (;;) {
        const a = statements.firstDoc.get(from)?.name
        const b = statements.firstLogged.get(from)?.name
        const name = a === undefined ? b : b === undefined || utf8Before(a, b) ? a : b
        if (name === undefined) return ids.sort()
        const slash = name.indexOf('/')
        if (slash <= 0) {
          from = `${name}\u0001`
          continue
        }
        const id = name.slice(0, slash)
        ids.push(id)
        from = `${id}0`
      }
    },
    async loggedNames() {
      return statements.loggedNames
        .all()
        .map((row) => row.name)
        .sort()
    },
    async delete(name) {
      if (closed) throw new Error('the document store is closed')
      await slots.get(name)?.running
      return write(() => deleteTx(name), 0)
    },
    close() {
      closed ??= (async () => {
        await Promise.all([...slots.values()].map((slot) => slot.running))
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
  syncDirectorySync(dirname(file))
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

  let requests = 0
  return {
    get requests() {
      return requests
    },
    request(): Promise<void> {
      requests += 1
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

const EMPTY = new Uint8Array(0)

const byteSum = (chunks: readonly Uint8Array[]): number => {
  let bytes = 0
  for (const chunk of chunks) bytes += chunk.byteLength
  return bytes
}

interface Slot {
  latest: { state: Uint8Array; throughSeq: number } | null
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>
  running: Promise<void> | null
}

const syncDirectorySync = (dir: string): void => {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * State files no row names: written by a store whose commit a crash lost, or replaced before a crash. Only files
 * older than a minute: another connection to the same database (a test, a tool) must not remove the file a live
 * store has written and is about to commit.
 */
const removeUnreferencedStateFiles = (dir: string, referenced: Set<string>): void => {
  const before = Date.now() - 60_000
  let files: string[]
  try {
    files = readdirSync(dir)
  } catch {
    return
  }
  for (const stateFile of files) {
    if (referenced.has(stateFile) || basename(stateFile) !== stateFile) continue
    try {
      if (statSync(join(dir, stateFile)).mtimeMs < before) unlinkSync(join(dir, stateFile))
    } catch {
      // best effort
    }
  }
}
