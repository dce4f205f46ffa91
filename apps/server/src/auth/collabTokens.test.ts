import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signCollabToken, verifyCollabTokenSignature } from './collabTokens.ts'

const secret = 'test-secret-0123456789'
const payload = { uid: 'usr_a', wid: 'ws_1', exp: 10_000, sid: 'abc' }

describe('collab tokens', () => {
  it('round-trips a signed token before expiry', () => {
    expect(verifyCollabTokenSignature(signCollabToken(payload, secret), secret, 9_999)).toEqual(payload)
  })

  it('rejects expired tokens', () => {
    expect(verifyCollabTokenSignature(signCollabToken(payload, secret), secret, 10_000)).toBeNull()
  })

  it('rejects tokens signed with another secret', () => {
    expect(verifyCollabTokenSignature(signCollabToken(payload, 'other-secret'), secret, 0)).toBeNull()
  })

  it('rejects a tampered payload with the original signature', () => {
    const token = signCollabToken(payload, secret)
    const [, signature] = token.split('.')
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, uid: 'usr_admin' })).toString('base64url')
    expect(verifyCollabTokenSignature(`${forgedBody}.${signature}`, secret, 0)).toBeNull()
  })

  it.each(['', 'x', 'a.b.c', '..', 'e30.', `${'a'.repeat(3000)}.b`])('rejects junk %#', (junk) => {
    expect(verifyCollabTokenSignature(junk, secret, 0)).toBeNull()
  })

  it('rejects a correctly signed body that fails the schema', () => {
    const body = Buffer.from(JSON.stringify({ uid: 'a/b', wid: 'w', exp: 99, sid: 's' })).toString(
      'base64url',
    )
    const signature = createHmac('sha256', secret).update(`collab.${body}`).digest('base64url')
    expect(verifyCollabTokenSignature(`${body}.${signature}`, secret, 0)).toBeNull()
    // control: the same construction with a valid body verifies, so the rejection above is the schema's
    const okBody = Buffer.from(JSON.stringify(payload)).toString('base64url')
    const okSig = createHmac('sha256', secret).update(`collab.${okBody}`).digest('base64url')
    expect(verifyCollabTokenSignature(`${okBody}.${okSig}`, secret, 0)).toEqual(payload)
  })
})
