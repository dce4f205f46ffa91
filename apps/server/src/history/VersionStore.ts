import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import { DEFAULT_RETENTION, pruneVersions, type RetentionPolicy } from './versionRetention.ts'

export const VERSION_REASONS = ['opened', 'pause', 'interval', 'before-restore', 'shutdown'] as const

/** One saved state of an account room: its notes (the room's Yjs state) and the account's fields at that moment. */
export const StoredVersion = z.object({
  id: z.string().regex(/^ver_[A-Za-z0-9_-]{1,40}$/),
  at: z.number().int().nonnegative(),
  reason: z.enum(VERSION_REASONS),
  /** Users whose edits (notes or fields) this version is the first to include. */
  editors: z.array(z.string()).max(100),
  /** base64 of `Y.encodeStateAsUpdate(room)`. */
  state: z.string(),
  /** The account record (projection) at `at`, or null when unknown. */
  fields: z.record(z.string(), z.unknown()).nullable(),
  /** Hash of notes + fields: an unchanged room makes no new version. */
  hash: z.string(),
})
export type StoredVersion = z.infer<typeof StoredVersion>

const VersionFile = z.object({ versions: z.array(StoredVersion) })
type VersionFile = z.infer<typeof VersionFile>

/**
 * Versions of account rooms, kept apart from the DocumentStore (which holds only the live state). `add` prunes by
 * the retention policy (`pruneVersions`) in the same write, so storage per room stays bounded.
 */
export interface VersionStore {
  /** Oldest first. */
  list(docName: string): Promise<StoredVersion[]>
  add(docName: string, version: StoredVersion, now: number): Promise<void>
}

/** Every room's versions in memory (tests). */
export function memoryVersionStore(policy: RetentionPolicy = DEFAULT_RETENTION): VersionStore {
  const rooms = new Map<string, StoredVersion[]>()
  return {
    async list(docName) {
      return [...(rooms.get(docName) ?? [])]
    },
    async add(docName, version, now) {
      rooms.set(docName, pruneVersions([...(rooms.get(docName) ?? []), version], now, policy))
    },
  }
}

const fileNameOf = (docName: string): string => `${encodeURIComponent(docName).replace(/^\./, '%2E')}.json`

/**
 * One lowdb JSON file per room under `dir` (e.g. `<dataDir>/history`), written temp-file + rename by lowdb; the
 * writes of one room are serialized. Constructed with `new Low(new JSONFile(…))` (lowdb presets go to memory in tests).
 */
export function lowdbVersionStore(dir: string, policy: RetentionPolicy = DEFAULT_RETENTION): VersionStore {
  const ready = mkdir(dir, { recursive: true })
  const queues = new Map<string, Promise<unknown>>()

  const open = async (docName: string): Promise<Low<VersionFile>> => {
    await ready
    const db = new Low<VersionFile>(new JSONFile<VersionFile>(join(dir, fileNameOf(docName))), {
      versions: [],
    })
    await db.read()
    db.data = VersionFile.parse(db.data ?? { versions: [] })
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
    add: (docName, version, now) =>
      serial(docName, async () => {
        const db = await open(docName)
        db.data = { versions: pruneVersions([...db.data.versions, version], now, policy) }
        await db.write()
      }),
  }
}
