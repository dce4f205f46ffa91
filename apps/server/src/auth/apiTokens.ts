import { newId } from '@rapport/model'
import type { ApiTokenRow, ApiTokenScope } from '../meta/metaSchema.ts'
import type { MetaStore } from '../meta/metaStore.ts'
import { randomSecret, sha256 } from './secrets.ts'

export const API_TOKEN_PREFIX = 'rpt_'
/** `lastUsedAt` is written at most this often per token (a busy script must not rewrite meta.json per request). */
export const LAST_USED_RESOLUTION_MS = 60_000

export type ApiTokenView = Omit<ApiTokenRow, 'tokenHash'>

/** REST API tokens (`Authorization: Bearer rpt_…`), stored as SHA-256 hashes. */
export interface ApiTokens {
  create(input: {
    workspaceId: string
    userId: string
    name: string
    scope: ApiTokenScope
  }): Promise<{ token: string; apiToken: ApiTokenView }>
  /** The live (unrevoked) token row for a raw token, or undefined. */
  resolve(token: string): ApiTokenRow | undefined
  byId(id: string): ApiTokenRow | undefined
  /** A user's tokens in a workspace (revoked ones too), newest first. */
  listOf(workspaceId: string, userId: string): ApiTokenView[]
  /** Records a use (at most once per `LAST_USED_RESOLUTION_MS`); never throws. */
  touch(id: string): void
  revoke(id: string): Promise<ApiTokenRow | undefined>
}

export const apiTokenView = ({ tokenHash: _hash, ...view }: ApiTokenRow): ApiTokenView => view

export function createApiTokens(meta: MetaStore, now: () => number): ApiTokens {
  return {
    async create({ workspaceId, userId, name, scope }) {
      const token = `${API_TOKEN_PREFIX}${randomSecret()}`
      const row: ApiTokenRow = {
        id: newId('tok'),
        workspaceId,
        userId,
        name,
        tokenHash: sha256(token),
        createdAt: now(),
        revokedAt: null,
        scope,
        lastUsedAt: null,
      }
      await meta.write((draft) => {
        draft.apiTokens.push(row)
      })
      return { token, apiToken: apiTokenView(row) }
    },
    resolve(token) {
      if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined
      const hash = sha256(token)
      return meta.data.apiTokens.find((t) => t.tokenHash === hash && t.revokedAt === null)
    },
    byId: (id) => meta.data.apiTokens.find((t) => t.id === id),
    listOf: (workspaceId, userId) =>
      meta.data.apiTokens
        .filter((t) => t.workspaceId === workspaceId && t.userId === userId)
        .map(apiTokenView)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1)),
    touch(id) {
      const row = meta.data.apiTokens.find((t) => t.id === id)
      const at = now()
      if (!row || (row.lastUsedAt !== null && at - row.lastUsedAt < LAST_USED_RESOLUTION_MS)) return
      void meta
        .write((draft) => {
          const current = draft.apiTokens.find((t) => t.id === id)
          if (current) current.lastUsedAt = at
        })
        .catch(() => undefined)
    },
    revoke: (id) =>
      meta.write((draft) => {
        const row = draft.apiTokens.find((t) => t.id === id)
        if (row && row.revokedAt === null) row.revokedAt = now()
        return row
      }),
  }
}
