import { describe, expect, it } from 'vitest'
import { DEFAULT_RETENTION, pruneVersions } from './versionRetention.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = Date.UTC(2026, 11, 4, 18, 0, 0)

/** One version every `every` ms over `span` ms before NOW (fake clock: nothing reads the real time). */
const series = (span: number, every: number) => {
  const out: Array<{ id: string; at: number }> = []
  for (let at = NOW - span; at <= NOW; at += every) out.push({ id: `v${at}`, at })
  return out
}

describe('pruneVersions', () => {
  it('keeps every version of the last 24 hours', () => {
    const versions = series(DAY - MIN, 10 * MIN)
    expect(pruneVersions(versions, NOW)).toEqual(versions)
  })

  it('thins to one per hour up to 7 days, one per day up to 90 days, and drops older ones', () => {
    const versions = series(120 * DAY, 10 * MIN)
    const kept = pruneVersions(versions, NOW)
    const ages = kept.map((v) => NOW - v.at)
    const recent = ages.filter((a) => a < DAY)
    const hourly = ages.filter((a) => a >= DAY && a < 7 * DAY)
    const daily = ages.filter((a) => a >= 7 * DAY)
    expect(recent).toHaveLength(24 * 6)
    // One per clock hour (the boundary hour at 24 h may contribute one more).
    expect(hourly.length).toBeGreaterThanOrEqual(6 * 24)
    expect(hourly.length).toBeLessThanOrEqual(6 * 24 + 1)
    expect(daily.length).toBeGreaterThanOrEqual(82)
    expect(daily.length).toBeLessThanOrEqual(84)
    expect(Math.max(...ages)).toBeLessThan(90 * DAY)
    // The newest of each hour is the one kept.
    const hours = new Map<number, number>()
    for (const v of versions) {
      const age = NOW - v.at
      if (age >= DAY && age < 7 * DAY) {
        const hour = Math.floor(v.at / HOUR)
        hours.set(hour, Math.max(hours.get(hour) ?? 0, v.at))
      }
    }
    for (const v of kept.filter((k) => NOW - k.at >= DAY + HOUR && NOW - k.at < 7 * DAY))
      expect(hours.get(Math.floor(v.at / HOUR))).toBe(v.at)
  })

  it('runs again as the clock moves: a kept version later falls into a coarser bucket', () => {
    let kept = series(2 * DAY, 5 * MIN)
    let clock = NOW
    for (let step = 0; step < 10 * 24; step += 1) {
      clock += HOUR
      kept = pruneVersions(kept, clock)
    }
    // 10 days later: the whole series is 10–12 days old → at most one per day, and the newest is always kept.
    expect(kept.length).toBeLessThanOrEqual(3)
    expect(kept.at(-1)?.at).toBe(NOW)
  })

  it('caps the count, keeping the newest', () => {
    const versions = series(2 * HOUR, MIN)
    const kept = pruneVersions(versions, NOW, { ...DEFAULT_RETENTION, maxCount: 10 })
    expect(kept).toEqual(versions.slice(-10))
  })

  it('always keeps the newest version, however old', () => {
    const old = [{ id: 'a', at: NOW - 400 * DAY }]
    expect(pruneVersions(old, NOW)).toEqual(old)
  })
})
