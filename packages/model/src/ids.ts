import { z } from 'zod'

/** Ids are short, URL- and document-name-safe strings: `[A-Za-z0-9_-]{1,64}`. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export const idString = z.string().regex(ID_PATTERN, 'invalid id')

/** Web Crypto as both browsers and Node 20 provide it; declared here because the model compiles without DOM types. */
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T }

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * A new random id with a readable prefix (`acc_3k9…`). Uses the platform's Web Crypto, available in
 * browsers and Node 20 alike, so the model stays free of `node:*` imports.
 */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  let out = ''
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return `${prefix}_${out}`
}
