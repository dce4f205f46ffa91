import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type Adapter, Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import type { DocumentStore, LoadedDocument } from './DocumentStore.ts'
import { FileUpdateLog } from './fileUpdateLog.ts'
import { mergeLogged } from './mergeLogged.ts'

export interface LowdbStoreOptions {
  /** Directory holding one JSON file per document (created when missing), e.g. `<dataDir>/docs`. */
  dir: string
  /**
   * fsync each file before the rename and the directory after it, so an acknowledged store survives a power
   * loss (lowdb alone writes temp + rename without fsync: safe against crashes of the process, not of the machine).
   */
  fsync?: boolean
  /** Update logs live in `<dir>/log/`. Overrides `fsync` for the log only (tests of the log itself). */
  logFsync?: boolean
}

const DocFile = z
  .object({
    name: z.string(),
    /** base64 of `Y.encodeStateAsUpdate(doc)` (documents below SIDECAR_BYTES) */
    state: z.string().optional(),
    /** Or: the file, in the same directory, holding the raw state (large documents). */
    stateFile: z
      .string()
      .regex(/^[^/\\]+\.bin$/)
      .optional(),
    storedAt: z.number(),
  })
  .refine((file) => (file.state === undefined) !== (file.stateFile === undefined), {
    message: 'exactly one of state and stateFile',
  })
type DocFile = z.infer<typeof DocFile>

const SUFFIX = '.json'
/**
 * States from this size on go to a binary sidecar file instead of base64 inside the JSON: a 20 MB state costs
 * ~0.4 s of CPU as base64 + JSON (and as much again to load), ~20 ms as raw bytes. Small documents (account rooms)
 * stay in one file each.
 */
const SIDECAR_BYTES = 64 * 1024
let sidecarSeq = 0
/** `encodeURIComponent(name) + '.json'`; a leading dot is escaped too, so no document hides as a temp file. */
export const fileNameOf = (name: string): string =>
  `${encodeURIComponent(name).replace(/^\./, '%2E')}${SUFFIX}`

/** A lowdb adapter like JSONFile, but durable: write temp, fsync, rename, fsync the directory. */
class FsyncJSONFile<T> implements Adapter<T> {
  readonly #reader: JSONFile<T>
  readonly #path: string
  constructor(path: string) {
    this.#path = path
    this.#reader = new JSONFile<T>(path)
  }
  read(): Promise<T | null> {
    return this.#reader.read()
  }
  async write(data: T): Promise<void> {
    const temp = join(dirname(this.#path), `.${basename(this.#path)}.sync.tmp`)
    const file = await open(temp, 'w')
    try {
      await writeFile(file, JSON.stringify(data))
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, this.#path)
    const dir = await open(dirname(this.#path), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  }
}

/**
 * The embedded default store: `<dir>/<encodeURIComponent(name)>.json` holding `{ name, state (base64), storedAt }`,
 * or for states of SIDECAR_BYTES and more `{ name, stateFile, storedAt }` with the raw state in `<stateFile>` (.bin),
 * written through `new Low(adapter, defaults)` (never lowdb presets: they switch to memory under NODE_ENV=test).
 * Stores of one document are serialized and coalesced: while one write runs, only the newest pending state is
 * kept and written next (every caller resolves when a write covering its call lands), so concurrent stores keep
 * the last one called and never pile up.
 *
 * Update log (`fileUpdateLog.ts`): `<dir>/log/<encodeURIComponent(name)>.<generation>.ylog`, group-committed appends.
 * A store seals the document's current segment when it is called and deletes the sealed segments once the new
 * state is written (fsynced when `fsync`), so a crash in between only replays updates the state already holds.
 */
export const lowdbStore = (options: LowdbStoreOptions): DocumentStore => {
  const { dir } = options
  const ready = mkdir(dir, { recursive: true })
  const slots = new Map<string, Slot>()
  const log = new FileUpdateLog({ dir: join(dir, 'log'), fsync: options.logFsync ?? options.fsync ?? false })
  let logReady = false
  const logOpened = log.ready().then(() => {
    logReady = true
  })

  const adapterFor = (name: string): Adapter<DocFile | null> => {
    const path = join(dir, fileNameOf(name))
    return options.fsync ? new FsyncJSONFile<DocFile | null>(path) : new JSONFile<DocFile | null>(path)
  }

  const read = async (name: string): Promise<DocFile | null> => {
    await ready
    const db = new Low<DocFile | null>(adapterFor(name), null)
    await db.read()
    return db.data === null ? null : DocFile.parse(db.data)
  }

  /** The sidecar the current JSON file points to, if any (unreadable metadata: none). */
  const currentSidecar = (name: string): Promise<string | undefined> =>
    read(name).then(
      (file) => file?.stateFile,
      () => undefined,
    )

  /**
   * Large states: write a NEW uniquely named sidecar (fsynced when asked), then atomically switch the JSON file to
   * it, then remove the previous sidecar. A crash at any point leaves the JSON pointing at a complete state.
   */
  const write = async (name: string, state: Uint8Array): Promise<void> => {
    await ready
    const storedAt = Date.now()
    const db = new Low<DocFile | null>(adapterFor(name), null)
    const previous = await currentSidecar(name)
    if (state.byteLength < SIDECAR_BYTES) {
      db.data = { name, state: Buffer.from(state).toString('base64'), storedAt }
    } else {
      sidecarSeq += 1
      const stateFile = `${fileNameOf(name).slice(0, -SUFFIX.length)}.${storedAt.toString(36)}-${sidecarSeq}.bin`
      const file = await open(join(dir, stateFile), 'w')
      try {
        await file.writeFile(state)
        if (options.fsync) await file.sync()
      } finally {
        await file.close()
      }
      db.data = { name, stateFile, storedAt }
    }
    await db.write()
    if (previous && previous !== db.data.stateFile) await removeFile(join(dir, previous))
  }

  const loadWithLog = async (name: string): Promise<LoadedDocument> => {
    const [file, logged] = await Promise.all([read(name), log.read(name)])
    let state: Uint8Array | null = null
    if (file?.stateFile !== undefined) state = new Uint8Array(await readFile(join(dir, file.stateFile)))
    else if (file) state = new Uint8Array(Buffer.from(file.state ?? '', 'base64'))
    return { state, log: logged.updates, damagedLogBytes: logged.damagedBytes }
  }

  const drain = async (name: string, slot: Slot): Promise<void> => {
    while (slot.latest) {
      const state = slot.latest
      const waiters = slot.waiters
      const sealed = slot.sealed
      slot.latest = null
      slot.waiters = []
      slot.sealed = null
      try {
        await write(name, state)
        // The state holds every update logged before the store was called: those segments may go. A failure here
        // only leaves updates that replay idempotently.
        if (sealed !== null) await log.dropThrough(name, sealed).catch(() => {})
        for (const waiter of waiters) waiter.resolve()
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error)
      }
    }
    slots.delete(name)
  }

  return {
    async load(name) {
      const loaded = await loadWithLog(name)
      return mergeLogged(loaded.state, loaded.log)
    },
    loadWithLog,
    store(name, state) {
      let slot = slots.get(name)
      if (!slot) {
        slot = { latest: null, waiters: [], running: null, sealed: null }
        slots.set(name, slot)
      }
      // Sealed NOW, synchronously: updates appended after this call go to a newer segment and are kept.
      const sealed = logReady ? log.seal(name) : null
      if (sealed !== null) slot.sealed = Math.max(slot.sealed ?? sealed, sealed)
      slot.latest = state.slice()
      const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }))
      slot.running ??= drain(name, slot)
      return done
    },
    appendUpdate(name, update) {
      // `append` writes (copies) the record synchronously; only a deferred append needs its own copy.
      if (logReady) return log.append(name, update)
      const copy = update.slice()
      return logOpened.then(() => log.append(name, copy))
    },
    async loggedNames() {
      await logOpened
      return log.names().sort()
    },
    async list(prefix = '') {
      await Promise.all([ready, logOpened])
      const names = log.names().filter((name) => name.startsWith(prefix))
      for (const file of await readdir(dir)) {
        if (!file.endsWith(SUFFIX) || file.startsWith('.')) continue
        try {
          const name = decodeURIComponent(file.slice(0, -SUFFIX.length))
          if (name.startsWith(prefix)) names.push(name)
        } catch {
          // not one of ours
        }
      }
      return [...new Set(names)].sort()
    },
    async delete(name) {
      await ready
      await slots.get(name)?.running
      const sidecar = await currentSidecar(name)
      await removeFile(join(dir, fileNameOf(name)))
      if (sidecar) await removeFile(join(dir, sidecar))
      await log.remove(name)
    },
    async close() {
      await Promise.all([...slots.values()].map((slot) => slot.running))
      await log.close()
    },
  }
}

const removeFile = (path: string): Promise<void> =>
  unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })

interface Slot {
  latest: Uint8Array | null
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>
  running: Promise<void> | null
  /** The newest log generation the pending state covers (sealed when `store` was called). */
  sealed: number | null
}
