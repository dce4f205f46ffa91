import { z } from 'zod'
import { authApi, request } from '../auth/authApi.ts'

export type DuplicateKind = 'accounts' | 'contacts'

/** A record that looks like the one being created (`POST /api/duplicates/check`). */
export const DuplicateMatch = z.object({
  id: z.string(),
  label: z.string(),
  evidence: z.array(z.string()),
  score: z.number(),
})
export type DuplicateMatch = z.infer<typeof DuplicateMatch>

const PairSide = z.object({ id: z.string(), label: z.string() }).loose()
/** A likely duplicate pair of `GET /api/duplicates`. */
export const DuplicatePair = z.object({
  a: PairSide,
  b: PairSide,
  evidence: z.array(z.string()),
  score: z.number(),
})
export type DuplicatePair = z.infer<typeof DuplicatePair>

/** A record as `GET /api/<kind>/:id` returns it (fields compared by the merge dialog). */
export const AnyRecord = z
  .object({
    id: z.string(),
    archived: z.boolean().optional(),
    customFields: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
export type AnyRecord = z.infer<typeof AnyRecord>

/** Which record's value survives, per field. */
export type MergeSide = 'survivor' | 'merged'

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) })

export const duplicatesApi = {
  check: (kind: DuplicateKind, record: Record<string, unknown>) =>
    request(
      '/api/duplicates/check',
      z.object({ matches: z.array(DuplicateMatch) }),
      post({ kind, record }),
    ).then((r) => r.matches),
  pairs: (kind: DuplicateKind, offset: number, limit: number) =>
    request(
      `/api/duplicates?kind=${kind}&offset=${offset}&limit=${limit}`,
      z.object({ pairs: z.array(DuplicatePair), nextOffset: z.number().nullable().optional() }),
    ),
  dismiss: (kind: DuplicateKind, a: string, b: string) =>
    request('/api/duplicates/dismiss', z.unknown(), post({ kind, a, b })),
  merge: (kind: DuplicateKind, survivorId: string, mergedId: string, fields: Record<string, MergeSide>) =>
    request('/api/merges', z.object({ survivor: AnyRecord }), post({ kind, survivorId, mergedId, fields })),
  record: (kind: DuplicateKind, id: string) => request(`/api/${kind}/${encodeURIComponent(id)}`, AnyRecord),
  /** How many records of `kind` match the list filter `filter=value` (one row fetched, the total read). */
  count: (kind: string, filter: string, value: string) =>
    authApi
      .list(`/api/${kind}?${filter}=${encodeURIComponent(value)}&limit=1`, z.unknown())
      .then((r) => r.total),
}
