import type { SessionRow } from '../meta/metaSchema.ts'
import type { MetaStore } from '../meta/metaStore.ts'
import { randomSecret, sha256 } from './secrets.ts'

export const SESSION_COOKIE = 'rapport_session'
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000

/** Cookie sessions: a random id goes to the client, only its SHA-256 hash is stored. */
export interface Sessions {
  create(userId: string, workspaceId: string): Promise<{ id: string; idHash: string; expiresAt: number }>
  /** The live session for a raw session id, or undefined (unknown or expired). */
  resolve(id: string): SessionRow | undefined
  /** True while the session with this stored hash exists and has not expired. */
  isLive(idHash: string): boolean
  /** Deletes the session; returns its row if there was one. */
  revoke(idHash: string): Promise<SessionRow | undefined>
  /** Deletes every session of a user in a workspace (member removed). */
  revokeAllOf(workspaceId: string, userId: string): Promise<void>
}

export function createSessions(meta: MetaStore, now: () => number): Sessions {
  const live = (idHash: string): SessionRow | undefined =>
    meta.data.sessions.find((s) => s.idHash === idHash && s.expiresAt > now())
  return {
    async create(userId, workspaceId) {
      const id = randomSecret()
      const idHash = sha256(id)
      const expiresAt = now() + SESSION_TTL_MS
      await meta.write((draft) => {
        draft.sessions = draft.sessions.filter((s) => s.expiresAt > now())
        draft.sessions.push({ idHash, userId, workspaceId, expiresAt })
      })
      return { id, idHash, expiresAt }
    },
    resolve: (id) => (id.length > 0 && id.length < 200 ? live(sha256(id)) : undefined),
    isLive: (idHash) => live(idHash) !== undefined,
    revoke: (idHash) =>
      meta.write((draft) => {
        const row = draft.sessions.find((s) => s.idHash === idHash)
        draft.sessions = draft.sessions.filter((s) => s.idHash !== idHash)
        return row
      }),
    revokeAllOf: (workspaceId, userId) =>
      meta.write((draft) => {
        draft.sessions = draft.sessions.filter((s) => !(s.workspaceId === workspaceId && s.userId === userId))
      }),
  }
}
