export type Summary = { n: number; p50: number; p95: number; p99: number; max: number; mean: number }

/** Nearest-rank percentiles of a sample (ms or whatever unit it is in). */
export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const at = (p: number) =>
    n === 0 ? Number.NaN : (sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] ?? 0)
  const mean = n === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / n
  return { n, p50: at(50), p95: at(95), p99: at(99), max: sorted[n - 1] ?? Number.NaN, mean }
}

/** The median of a sample (mean of the two middle values for an even count); NaN when empty. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Wall-clock time shared by writer and readers living in the same process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

/** Resolves when `check()` is true, polling each `intervalMs`; rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, intervalMs = 1) {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/**
 * Latencies of `run`: `warmup` untimed calls, then up to `runs` timed ones, stopping early once `maxMs` have passed
 * (a slow query still gives a series, in bounded time). `run` gets the call's number within its part.
 */
export async function timeSeries(
  run: (i: number) => Promise<unknown>,
  opts: { warmup: number; runs: number; maxMs: number },
): Promise<Summary> {
  for (let i = 0; i < opts.warmup; i++) await run(i)
  const times: number[] = []
  const deadline = performance.now() + opts.maxMs
  for (let i = 0; i < opts.runs && performance.now() < deadline; i++) {
    const t0 = performance.now()
    await run(i)
    times.push(performance.now() - t0)
  }
  return summarize(times)
}
