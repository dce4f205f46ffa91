import { type Summary, summarize } from '../lib/stats.ts'

/** Milliseconds spent in `fn` (and its result). */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now()
  const value = fn()
  return { ms: performance.now() - start, value }
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

/** Runs `fn` `runs` times (after `warmup` unmeasured runs) and summarizes the milliseconds. */
export async function sample(runs: number, fn: (i: number) => unknown, warmup = 5): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn(i)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn(i)
    times.push(performance.now() - start)
  }
  return summarize(times)
}

export const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))
export const kb = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`

/** Prints a Markdown table (the prototype's output is pasted into docs/ARCHITECTURE.md as is). */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const out = process.stdout
  out.write(`\n### ${title}\n\n| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n`)
  for (const row of rows) out.write(`| ${row.join(' | ')} |\n`)
}
