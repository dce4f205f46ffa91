import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, base64url: session ids, invitation and API token secrets. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url')

/** SHA-256 hex: what is stored in place of a secret. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

/** Constant-time string comparison (lengths may differ). */
export const safeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
