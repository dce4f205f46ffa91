import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import { DEFAULT_RETENTION, pruneVersions, type RetentionPolicy } from './versionRetention.ts'

export const VERSION_REASONS = ['opened', 'pause', 'interval', 'before-restore', 'shutdown'] as const

const VERSION_ID = /^ver_[A-Za-z0-9_-]{1,40}$/

/** One saved state of an account room: its notes (the room's Yjs state, stored apart) and the account's fields. */
export const StoredVersion = z.object({
  id: z.string().regex(VERSION_ID),
  at: z.number().int().nonnegative(),
  reason: z.enum(VERSION_REASONS),
  /** Users whose edits (notes or fields) this version is the first to include. */
  editors: z.array(z.string()).max(100),
  /** The account record (projection) at `at`, or null when unknown. */
  fields: z.record(z.string(), z.unknown()).nullable(),
  /** Hash of notes + fields: an unchanged room makes no new version. */
  hash: z.string(),
})
export type StoredVersion = z.infer<typeof StoredVersion>

const VersionIndex = z.object({ versions: z.array(StoredVersion) })
type VersionIndex = z.infer<typeof VersionIndex>

/**
 * Versions of account rooms, kept apart from the DocumentStore (which holds only the live state). `add` prunes by
 * the retention policy (`pruneVersions`) in the same write, so storage per room stays bounded. Listing reads the
 * small index only; a version's Yjs state (`Y.encodeStateAsUpdate` of the room) is read on demand.
 */
export interface VersionStore {
  /** Oldest first. */
  list(docName: string): Promise<StoredVersion[]>
  /** The room's Yjs state saved with version `id`, or null. */
  state(docName: string, id: string): Promise<Uint8Array | null>
  add(docName: string, version: StoredVersion, state: Uint8Array, now: number): Promise<void>
  /** Removes every version of every room whose document name starts with `prefix` (a deleted workspace). */
  removePrefix(prefix: string): Promise<void>
}

/** Every room's versions in memory (tests). */
export function memoryVersionStore(policy: RetentionPolicy = DEFAULT_RETENTION): VersionStore {
  const rooms = new Map<string, StoredVersion[]>()
  const states = new Map<string, Uint8Array>()
  return {
    async list(docName) {
      return [...(rooms.get(docName) ?? [])]
    },
    async state(docName, id) {
      return states.get(`${docName}|${id}`) ?? null
    },
    async add(docName, version, state, now) {
      const all = [...(rooms.get(docName) ?? []), version]
      const kept = pruneVersions(all, now, policy)
      states.set(`${docName}|${version.id}`, state)
      for (const dropped of all.filter((v) => !kept.includes(v))) states.delete(`${docName}|${dropped.id}`)
      rooms.set(docName, kept)
    },
    async removePrefix(prefix) {
      for (const key of [...rooms.keys()]) if (key.startsWith(prefix)) rooms.delete(key)
      for (const key of [...states.keys()]) if (key.startsWith(prefix)) states.delete(key)
    },
  }
}

const dirNameOf = (docName: string): string => encodeURIComponent(docName).replace(/^\./, '%2E')

/**
 * One directory per room under `dir` (e.g. `<dataDir>/history`): `index.json` (lowdb, temp-file + rename) lists the
 * versions; each version's state is its own `<id>.bin`, written before the index names it and deleted after the
 * index drops it (a crash leaves at worst an unreferenced file). A room's writes are serialized.
 */
export function lowdbVersionStore(dir: string, policy: RetentionPolicy = DEFAULT_RETENTION): VersionStore {
  const queues = new Map<string, Promise<unknown>>()
  const roomDir = (docName: string) => join(dir, dirNameOf(docName))

  const open = async (docName: string): Promise<Low<VersionIndex>> => {
    await mkdir(roomDir(docName), { recursive: true })
    const db = new Low<VersionIndex>(new JSONFile<VersionIndex>(join(roomDir(docName), 'index.json')), {
      versions: [],
    })
    await db.read()
    db.data = VersionIndex.parse(db.data ?? { versions: [] })
    return db
  }

  const serial = <T>(docName: string, run: () => Promise<T>): Promise<T> => {
    const next = (queues.get(docName) ?? Promise.resolve()).then(run, run)
    const settled = next.catch(() => {})
    queues.set(docName, settled)
    void settled.then(() => {
      if (queues.get(docName) === settled) queues.delete(docName)
    })
    return next
  }

  return {
    list: (docName) => serial(docName, async () => (await open(docName)).data.versions),
    async state(docName, id) {
      if (!VERSION_ID.test(id)) return null
      return readFile(join(roomDir(docName), `${id}.bin`)).then(
        (bytes) => new Uint8Array(bytes),
        () => null,
      )
    },
    add: (docName, version, state, now) =>
      serial(docName, async () => {
        const db = await open(docName)
        await writeFile(join(roomDir(docName), `${version.id}.bin`), state)
        const all = [...db.data.versions, version]
        db.data = { versions: pruneVersions(all, now, policy) }
        await db.write()
        const kept = new Set(db.data.versions.map((v) => v.id))
        for (const dropped of all.filter((v) => !kept.has(v.id)))
          await rm(join(roomDir(docName), `${dropped.id}.bin`), { force: true })
      }),
    async removePrefix(prefix) {
      const entries = await readdir(dir).catch(() => [] as string[])
      const encoded = dirNameOf(prefix)
      for (const entry of entries)
        if (entry.startsWith(encoded)) await rm(join(dir, entry), { recursive: true, force: true })
    },
  }
}
