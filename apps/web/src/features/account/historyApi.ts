import { z } from 'zod'

export const VersionSummary = z.object({
  id: z.string(),
  at: z.number(),
  reason: z.enum(['opened', 'pause', 'interval', 'before-restore', 'shutdown']),
  editors: z.array(z.string()),
})
export type VersionSummary = z.infer<typeof VersionSummary>

const RoomState = z.object({
  notes: z.object({ json: z.unknown(), text: z.string() }),
  fields: z.record(z.string(), z.unknown()).nullable(),
})
export const VersionDetail = RoomState.extend({ version: VersionSummary, current: RoomState })
export type VersionDetail = z.infer<typeof VersionDetail>

const RestoreResult = z.object({ restored: VersionSummary, before: VersionSummary.nullable() })
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

async function call<T>(path: string, schema: z.ZodType<T>, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, { method, credentials: 'same-origin' })
  } catch {
    throw new Error('The server cannot be reached. Check your connection.')
  }
  const json: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const parsed = ErrorBody.safeParse(json)
    throw new Error(parsed.success ? parsed.data.error.message : `Request failed (${res.status})`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new Error('The server sent an unexpected answer.')
  return parsed.data
}

const base = (accountId: string) => `/api/accounts/${encodeURIComponent(accountId)}/history`

/** Versions of an account room (notes + fields), read and restored on the server. */
export const historyApi = {
  list: (accountId: string) =>
    call(base(accountId), z.object({ items: z.array(VersionSummary) })).then((r) => r.items),
  get: (accountId: string, versionId: string) =>
    call(`${base(accountId)}/${encodeURIComponent(versionId)}`, VersionDetail),
  restore: (accountId: string, versionId: string) =>
    call(`${base(accountId)}/${encodeURIComponent(versionId)}/restore`, RestoreResult, 'POST'),
}
