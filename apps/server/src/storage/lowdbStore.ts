import { mkdir, open, readdir, rename, unlink, writeFile } from 'node:fs/promises'
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

const DocFile = z.object({
  name: z.string(),
  /** base64 of `Y.encodeStateAsUpdate(doc)` */
  state: z.string(),
  storedAt: z.number(),
})
type DocFile = z.infer<typeof DocFile>

const SUFFIX = '.json'
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

  const write = async (name: string, state: Uint8Array): Promise<void> => {
    await ready
    const db = new Low<DocFile | null>(adapterFor(name), null)
    db.data = { name, state: Buffer.from(state).toString('base64'), storedAt: Date.now() }
    await db.write()
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
      await ready
      const db = new Low<DocFile | null>(adapterFor(name), null)
      await db.read()
      if (db.data === null) return null
      const file = DocFile.parse(db.data)
      return new Uint8Array(Buffer.from(file.state, 'base64'))
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
      await unlink(join(dir, fileNameOf(name))).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error
      })
    },
    async close() {
      await Promise.all([...slots.values()].map((slot) => slot.running))
    },
  }
}

interface Slot {
  latest: Uint8Array | null
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>
  running: Promise<void> | null
}
