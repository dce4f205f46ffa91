import { newId } from '@rapport/model'
import type { ApiTokenRow } from '../meta/metaSchema.ts'
import type { MetaStore } from '../meta/metaStore.ts'
import { randomSecret, sha256 } from './secrets.ts'

export const API_TOKEN_PREFIX = 'rpt_'

export type ApiTokenView = Omit<ApiTokenRow, 'tokenHash'>

/** REST API tokens (`Authorization: Bearer rpt_…`), stored as SHA-256 hashes. */
export interface ApiTokens {
  create(input: {
    workspaceId: string
    userId: string
    name: string
  }): Promise<{ token: string; apiToken: ApiTokenView }>
  /** The live (unrevoked) token row for a raw token, or undefined. */
  resolve(token: string): ApiTokenRow | undefined
  byId(id: string): ApiTokenRow | undefined
  revoke(id: string): Promise<ApiTokenRow | undefined>
}

export const apiTokenView = ({ tokenHash: _hash, ...view }: ApiTokenRow): ApiTokenView => view

export function createApiTokens(meta: MetaStore, now: () => number): ApiTokens {
  return {
    async create({ workspaceId, userId, name }) {
      const token = `${API_TOKEN_PREFIX}${randomSecret()}`
      const row: ApiTokenRow = {
        id: newId('tok'),
        workspaceId,
        userId,
        name,
        tokenHash: sha256(token),
        createdAt: now(),
        revokedAt: null,
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
    revoke: (id) =>
      meta.write((draft) => {
        const row = draft.apiTokens.find((t) => t.id === id)
        if (row && row.revokedAt === null) row.revokedAt = now()
        return row
      }),
  }
}
