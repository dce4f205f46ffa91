import { Handoff, type Team } from '@rapport/model'
import { z } from 'zod'

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

async function post(path: string, body: unknown): Promise<Handoff> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const parsed = ErrorBody.safeParse(json)
    throw new Error(parsed.success ? parsed.data.error.message : `Request failed (${res.status})`)
  }
  return Handoff.parse(json)
}

const base = (accountId: string) => `/api/accounts/${encodeURIComponent(accountId)}/handoffs`

/** The handoff steps run on the server (receiver check, owner/team change, timeline, notifications). */
export const handoffApi = {
  create: (accountId: string, input: { toUserId?: string | null; toTeam?: Team; dealId?: string | null }) =>
    post(base(accountId), input),
  send: (accountId: string, id: string, target: { toUserId?: string | null; toTeam?: Team } = {}) =>
    post(`${base(accountId)}/${id}/send`, target),
  accept: (accountId: string, id: string) => post(`${base(accountId)}/${id}/accept`, {}),
  sendBack: (accountId: string, id: string, comment: string) =>
    post(`${base(accountId)}/${id}/return`, { comment }),
}
