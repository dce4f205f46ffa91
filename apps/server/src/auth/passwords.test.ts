import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from './passwords.ts'

describe('passwords', () => {
  it('hashes with argon2id and a random salt, verifies only the right password', async () => {
    const a = await hashPassword('correct horse')
    const b = await hashPassword('correct horse')
    expect(a).toMatch(/^\$argon2id\$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword(a, 'correct horse')).toBe(true)
    expect(await verifyPassword(a, 'correct horsf')).toBe(false)
  })

  it('refuses passwords shorter than 8 characters and never verifies a malformed hash', async () => {
    await expect(hashPassword('short')).rejects.toThrow()
    expect(await verifyPassword('not-a-hash', 'whatever-long')).toBe(false)
  })
})
