const HOUR = 3_600_000
const DAY = 24 * HOUR

/** How long versions of a room are kept, and how densely. */
export interface RetentionPolicy {
  /** Every version younger than this is kept (24 h). */
  keepAllMs: number
  /** Up to this age, one version per hour is kept (7 days). */
  hourlyMs: number
  /** Up to this age, one version per day is kept (90 days); older ones are dropped. */
  dailyMs: number
  /** At most this many versions per room (the oldest go first). */
  maxCount: number
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  keepAllMs: DAY,
  hourlyMs: 7 * DAY,
  dailyMs: 90 * DAY,
  maxCount: 500,
}

/**
 * The versions to keep at `now` (same order as given): all of the last `keepAllMs`, then the NEWEST version of each
 * clock hour up to `hourlyMs`, then the newest of each UTC day up to `dailyMs`, nothing older; the newest version is
 * always kept, and at most `maxCount` (newest first). Pure, so retention is tested with a fake clock.
 */
export function pruneVersions<V extends { id: string; at: number }>(
  versions: readonly V[],
  now: number,
  policy: RetentionPolicy = DEFAULT_RETENTION,
): V[] {
  const newestFirst = [...versions].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
  const keep = new Set<string>()
  const buckets = new Set<string>()
  newestFirst.forEach((version, index) => {
    const age = now - version.at
    if (age < policy.keepAllMs) {
      keep.add(version.id)
      return
    }
    const bucket =
      age < policy.hourlyMs ? `h${Math.floor(version.at / HOUR)}` : `d${Math.floor(version.at / DAY)}`
    if (index > 0 && (age >= policy.dailyMs || buckets.has(bucket))) return
    buckets.add(bucket)
    keep.add(version.id)
  })
  const capped = new Set(
    newestFirst
      .filter((v) => keep.has(v.id))
      .slice(0, policy.maxCount)
      .map((v) => v.id),
  )
  return versions.filter((v) => capped.has(v.id))
}
