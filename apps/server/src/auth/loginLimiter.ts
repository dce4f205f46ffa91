/**
 * A small per-key (email) attempt limiter against password guessing: after `maxFailures` failures within
 * `windowMs`, further attempts are refused until the window of the oldest counted failure has passed.
 */
export interface LoginLimiter {
  /** Milliseconds until the next attempt is allowed; 0 when allowed now. */
  retryAfter(key: string): number
  fail(key: string): void
  reset(key: string): void
}

export function createLoginLimiter(
  now: () => number,
  { maxFailures = 5, windowMs = 15 * 60 * 1000, maxKeys = 10_000 } = {},
): LoginLimiter {
  const failures = new Map<string, number[]>()
  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs
    const times = (failures.get(key) ?? []).filter((t) => t > cutoff)
    if (times.length === 0) failures.delete(key)
    else failures.set(key, times)
    return times
  }
  return {
    retryAfter(key) {
      const times = recent(key)
      if (times.length < maxFailures) return 0
      const oldest = times[times.length - maxFailures] ?? now()
      return Math.max(1, oldest + windowMs - now())
    },
    fail(key) {
      if (!failures.has(key) && failures.size >= maxKeys) {
        const first = failures.keys().next().value
        if (first !== undefined) failures.delete(first)
      }
      failures.set(key, [...recent(key), now()])
    },
    reset(key) {
      failures.delete(key)
    },
  }
}
