import { createHmac } from 'node:crypto'
import { idString } from '@rapport/model'
import { z } from 'zod'
import { safeEqual } from './secrets.ts'

export const COLLAB_TOKEN_TTL_MS = 10 * 60 * 1000

/** What a collab token carries: user, workspace, expiry (epoch ms) and the session it was issued for. */
export const CollabTokenPayload = z.object({
  uid: idString,
  wid: idString,
  exp: z.number().int(),
  sid: z.string().min(1).max(200),
})
export type CollabTokenPayload = z.infer<typeof CollabTokenPayload>

const mac = (body: string, secret: string): string =>
  createHmac('sha256', secret).update(`collab.${body}`).digest('base64url')

/** `base64url(json payload).base64url(HMAC-SHA256)`. */
export function signCollabToken(payload: CollabTokenPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${mac(body, secret)}`
}

/** The payload of a well-formed, correctly signed, unexpired token; otherwise null. Never throws. */
export function verifyCollabTokenSignature(
  token: string,
  secret: string,
  now: number,
): CollabTokenPayload | null {
  if (token.length > 2000) return null
  const [body, signature, extra] = token.split('.')
  if (body === undefined || signature === undefined || extra !== undefined) return null
  if (!safeEqual(signature, mac(body, secret))) return null
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  const parsed = CollabTokenPayload.safeParse(json)
  if (!parsed.success || parsed.data.exp <= now) return null
  return parsed.data
}
