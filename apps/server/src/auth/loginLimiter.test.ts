import { describe, expect, it } from 'vitest'
import { createLoginLimiter } from './loginLimiter.ts'

describe('login limiter', () => {
  it('blocks after maxFailures within the window and frees up after it', () => {
    let t = 1_000
    const limiter = createLoginLimiter(() => t, { maxFailures: 3, windowMs: 100 })
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a@x.io')).toBe(0)
      limiter.fail('a@x.io')
      t += 10
    }
    expect(limiter.retryAfter('a@x.io')).toBeGreaterThan(0)
    expect(limiter.retryAfter('b@x.io')).toBe(0)
    t = 1_000 + 101
    expect(limiter.retryAfter('a@x.io')).toBe(0)
  })

  it('reset clears the failures', () => {
    const limiter = createLoginLimiter(() => 0, { maxFailures: 1 })
    limiter.fail('k')
    expect(limiter.retryAfter('k')).toBeGreaterThan(0)
    limiter.reset('k')
    expect(limiter.retryAfter('k')).toBe(0)
  })
})
