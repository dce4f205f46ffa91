import { hash, verify } from '@node-rs/argon2'
import { z } from 'zod'

export const MIN_PASSWORD_LENGTH = 8

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'Use at most 256 characters')

/** Argon2id (memory-hard) hash with a random salt, PHC string format. */
export async function hashPassword(password: string): Promise<string> {
  return hash(passwordSchema.parse(password))
}

/** Constant-time verification (done by argon2); a malformed hash never verifies. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

let dummy: Promise<string> | undefined
/** Burns the same time as a real verification, so unknown emails cannot be told from wrong passwords. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hash('dummy-password-for-timing')
  await verifyPassword(await dummy, password)
  return false
}
