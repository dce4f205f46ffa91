import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Low, Memory } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { emptyMeta, type MembershipRow, MetaData, type UserRow } from './metaSchema.ts'

/**
 * The metadata database: users, workspaces, memberships, invitations, sessions and API tokens.
 * Reads are synchronous over the in-memory data; writes are serialized (one at a time), applied to a copy
 * and only swapped in once persisted, so a failing write leaves the data as it was.
 */
export interface MetaStore {
  /** The current data. Treat as read-only; mutate only inside `write`. */
  readonly data: Readonly<MetaData>
  write<T>(mutate: (draft: MetaData) => T): Promise<T>
  userById(id: string): UserRow | undefined
  userByEmail(email: string): UserRow | undefined
  membership(workspaceId: string, userId: string): MembershipRow | undefined
  membershipsOf(userId: string): MembershipRow[]
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

const createStore = (db: Low<MetaData>): MetaStore => {
  let queue: Promise<unknown> = Promise.resolve()
  return {
    get data() {
      return db.data
    },
    write<T>(mutate: (draft: MetaData) => T): Promise<T> {
      const run = async (): Promise<T> => {
        const previous = db.data
        const draft = structuredClone(previous)
        const result = mutate(draft)
        db.data = draft
        try {
          await db.write()
        } catch (error) {
          db.data = previous
          throw error
        }
        return result
      }
      const next = queue.then(run, run)
      queue = next.catch(() => undefined)
      return next
    },
    userById: (id) => db.data.users.find((u) => u.id === id),
    userByEmail: (email) => {
      const wanted = normalizeEmail(email)
      return db.data.users.find((u) => u.email === wanted)
    },
    membership: (workspaceId, userId) =>
      db.data.memberships.find((m) => m.workspaceId === workspaceId && m.userId === userId),
    membershipsOf: (userId) => db.data.memberships.filter((m) => m.userId === userId),
  }
}

/** Opens (or creates) `meta.json` in `dataDir`. Never uses lowdb presets (they switch to memory under NODE_ENV=test). */
export async function createMetaStore(dataDir: string): Promise<MetaStore> {
  await mkdir(dataDir, { recursive: true })
  const db = new Low<MetaData>(new JSONFile<MetaData>(join(dataDir, 'meta.json')), emptyMeta())
  await db.read()
  db.data = MetaData.parse(db.data ?? emptyMeta())
  return createStore(db)
}

/** An in-memory metadata store for unit tests. */
export function createMemoryMetaStore(initial: MetaData = emptyMeta()): MetaStore {
  const db = new Low<MetaData>(new Memory<MetaData>(), MetaData.parse(initial))
  return createStore(db)
}
