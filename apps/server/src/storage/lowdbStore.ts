import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type Adapter, Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import type { DocumentStore } from './DocumentStore.ts'

export interface LowdbStoreOptions {
  /** Directory holding one JSON file per document (created when missing), e.g. `<dataDir>/docs`. */
  dir: string
  /**
   * fsync each file before the rename and the directory after it, so an acknowledged store survives a power
   * loss (lowdb alone writes temp + rename without fsync: safe against crashes of the process, not of the machine).
   */
  fsync?: boolean
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
 */
export const lowdbStore = (options: LowdbStoreOptions): DocumentStore => {
  const { dir } = options
  const ready = mkdir(dir, { recursive: true })
  const slots = new Map<string, Slot>()

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

  const drain = async (name: string, slot: Slot): Promise<void> => {
    while (slot.latest) {
      const state = slot.latest
      const waiters = slot.waiters
      slot.latest = null
      slot.waiters = []
      try {
        await write(name, state)
        for (const waiter of waiters) waiter.resolve()
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error)
      }
    }
    slots.delete(name)
  }

  return {
    async load(name) {
      const file = await read(name)
      if (file === null) return null
      if (file.stateFile !== undefined) return new Uint8Array(await readFile(join(dir, file.stateFile)))
      return new Uint8Array(Buffer.from(file.state ?? '', 'base64'))
    },
    store(name, state) {
      let slot = slots.get(name)
      if (!slot) {
        slot = { latest: null, waiters: [], running: null }
        slots.set(name, slot)
      }
      slot.latest = state.slice()
      const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }))
      slot.running ??= drain(name, slot)
      return done
    },
    async list(prefix = '') {
      await ready
      const names: string[] = []
      for (const file of await readdir(dir)) {
        if (!file.endsWith(SUFFIX) || file.startsWith('.')) continue
        try {
          const name = decodeURIComponent(file.slice(0, -SUFFIX.length))
          if (name.startsWith(prefix)) names.push(name)
        } catch {
          // not one of ours
        }
      }
      return names.sort()
    },
    async delete(name) {
      await ready
      await slots.get(name)?.running
      const sidecar = await currentSidecar(name)
      await removeFile(join(dir, fileNameOf(name)))
      if (sidecar) await removeFile(join(dir, sidecar))
    },
    async close() {
      await Promise.all([...slots.values()].map((slot) => slot.running))
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
}
