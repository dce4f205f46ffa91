import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every mainstream Linux build). */
const TICKS_PER_SECOND = 100

export type ProcSample = { cpuMs: number; rssBytes: number; at: number }

/** CPU time (user + system) and resident memory of a process, read from /proc (Linux only). */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0')
  return { cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND, rssBytes: rssKb * 1024, at: performance.now() }
}

/**
 * CPU time (user + system, ms) of a process's main thread alone — the thread whose id is the pid, which runs Node's
 * event loop — read from /proc/<pid>/task/<pid>/stat (Linux only).
 */
export function mainThreadCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/** CPU used between two samples, as ms and as a percentage of one core. */
export function cpuBetween(a: ProcSample, b: ProcSample): { cpuMs: number; cpuPct: number } {
  const cpuMs = b.cpuMs - a.cpuMs
  const wall = b.at - a.at
  return { cpuMs, cpuPct: wall > 0 ? (cpuMs / wall) * 100 : 0 }
}

/** A process's peak resident memory so far (VmHWM, bytes; Linux only). */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? '0') * 1024
}
