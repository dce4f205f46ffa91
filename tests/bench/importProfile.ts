/**
 * A quick, in-process look at the CSV import's cost per row (not part of `pnpm bench`): a fresh data dir with the
 * demo seed, `IMPORT_ROWS` contacts (default 5,000) imported through the REST routes, time and rows/s printed.
 * Run `node --cpu-prof --import tsx tests/bench/importProfile.ts` to see where the time goes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { createLogger, createServer } from '@rapport/server'

const post = (session: Session, method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  )

function report(what: string, gaps: number[]): void {
  gaps.sort((a, b) => a - b)
  const at = (q: number) => (gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))] ?? 0).toFixed(1)
  console.log(
    `${what}: event-loop gaps p50 ${at(0.5)} / p99 ${at(0.99)} / p99.9 ${at(0.999)} / max ${at(1)} ms, > 50 ms: ${gaps.filter((g) => g > 50).length}`,
  )
}

const rows = Number(process.env.IMPORT_ROWS ?? 5_000)
const dataDir = mkdtempSync(join(tmpdir(), 'rapport-import-profile-'))
const server = await createServer({
  dataDir,
  secrets: { session: 'import-profile-session-secret-0123456789abcdef' },
  logger: createLogger({ level: 'warn', format: 'pretty' }),
  webDist: null,
  seedDemo: true,
  fsync: process.env.FSYNC !== '0',
  // INDEX_THREAD=bulk|all: the index applies in their worker thread, as the server's env option.
  index: {
    kind: 'sqlite',
    thread: process.env.INDEX_THREAD === 'all' ? 'all' : process.env.INDEX_THREAD === 'bulk' ? 'bulk' : 'off',
  },
})
const { url } = await server.listen(0)
// Where long holds come from: index applies and GC pauses over 20 ms.
const held: string[] = []
const index = server.index.index
const apply = index.apply.bind(index)
index.apply = async (batch) => {
  const t = performance.now()
  try {
    return await apply(batch)
  } finally {
    const ms = performance.now() - t
    if (ms > 20)
      held.push(`apply ${batch.records?.length ?? 0}+${batch.docStates?.length ?? 0}: ${ms.toFixed(0)} ms`)
  }
}
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.duration > 20) held.push(`gc ${e.duration.toFixed(0)} ms`)
})
gcs.observe({ entryTypes: ['gc'] })
try {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@rapport.dev', password: 'rapport-demo' }),
  })
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const lines = ['First name,Last name,Email,Phone,Title']
  for (let i = 1; i <= rows; i++)
    lines.push(`Bench,"Person ${i}",bench${i}@import.bench,+1 555 ${String(i).padStart(7, '0')},Buyer`)
  const upload = await fetch(`${url}/api/imports?kind=contacts&fileName=bench.csv`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body: `${lines.join('\n')}\n`,
  })
  const { id } = (await upload.json()) as { id: string }
  const mapping = {
    'First name': 'firstName',
    'Last name': 'lastName',
    Email: 'email',
    Phone: 'phone',
    Title: 'title',
  }
  // How long the event loop is held: the gaps between turns of a 2 ms timer (others' edits wait that long), idle
  // for 3 s first, then during the import.
  let gaps: number[] = []
  let last = performance.now()
  // GAPS_FILE=…: the import's turns that held the main thread's CPU over 5 ms, as [start, end] in µs of the
  // monotonic clock, the time base of a `--cpu-prof` profile, to see what ran in each.
  const longGaps: Array<[number, number]> = []
  let lastTick = process.hrtime.bigint()
  // The CPU time between turns: how long a turn held the loop, without the time the machine gave to other
  // processes (on a loaded machine the gaps above are mostly that). On Linux the main thread's own run time (`/proc/self/task/<pid>/schedstat`, ns on the CPU): worker threads
  // (the index's bulk thread, the document build thread) are not counted; elsewhere the whole process's CPU time.
  const schedstat = `/proc/self/task/${process.pid}/schedstat`
  const mainCpuMs = (): number => {
    try {
      return Number(readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6
    } catch {
      const cpu = process.cpuUsage()
      return (cpu.user + cpu.system) / 1000
    }
  }
  let cpuGaps: number[] = []
  let lastCpu = mainCpuMs()
  const probe = setInterval(() => {
    const cpuNow = mainCpuMs()
    const held = cpuNow - lastCpu
    cpuGaps.push(held)
    lastCpu = cpuNow
    const now = performance.now()
    gaps.push(now - last)
    last = now
    const tick = process.hrtime.bigint()
    if (held > 5) longGaps.push([Number(lastTick / 1000n), Number(tick / 1000n)])
    lastTick = tick
  }, 2)
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  report('idle', gaps)
  report('idle, CPU', cpuGaps)
  gaps = []
  cpuGaps = []
  longGaps.length = 0
  ;(globalThis as { gc?: () => void }).gc?.()
  const heapBefore = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
  // ALLOC_PROFILE=file.heapprofile: every allocation of the main thread during the import, sampled (collected ones too:
  // what the GC has to deal with), by call stack — open it in Chrome DevTools or sum it by function.
  const allocations = process.env.ALLOC_PROFILE ? new Session() : null
  if (allocations) {
    allocations.connect()
    await post(allocations, 'HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    })
  }
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const eluBefore = performance.eventLoopUtilization()
  const start = await fetch(`${url}/api/imports/${id}/start`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ mapping, duplicates: { policy: 'skip', matchOn: 'email' } }),
  })
  if (start.status !== 202) throw new Error(`start: ${start.status} ${await start.text()}`)
  let status: { status: string; created: number; failed: number; processed: number }
  for (;;) {
    status = (await (
      await fetch(`${url}/api/imports/${id}`, { headers: { cookie } })
    ).json()) as typeof status
    if (status.status !== 'running') break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const ms = performance.now() - started
  if (allocations) {
    const { profile } = (await post(allocations, 'HeapProfiler.stopSampling')) as { profile: unknown }
    writeFileSync(process.env.ALLOC_PROFILE as string, JSON.stringify(profile))
    allocations.disconnect()
  }
  const cpu = process.cpuUsage(cpuBefore)
  // The main thread's busy share over the import (the rest it waited: for the disk, for timers).
  const elu = performance.eventLoopUtilization(eluBefore)
  const cpuMs = (cpu.user + cpu.system) / 1000
  clearInterval(probe)
  if (process.env.GAPS_FILE) writeFileSync(process.env.GAPS_FILE, JSON.stringify(longGaps))
  if (process.env.HELD) console.log(held.join('\n'))
  report('import', gaps)
  report('import, CPU', cpuGaps)
  cpuGaps.sort((a, b) => a - b)
  const over = (ms: number) => cpuGaps.filter((g) => g > ms).length
  console.log(
    `import, main-thread CPU holds: > 5 ms ${over(5)}, > 10 ms ${over(10)}, > 20 ms ${over(20)} of ${cpuGaps.length} turns`,
  )
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20)
  // With --expose-gc: the heap the import left behind (retained, not garbage).
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) {
    gc()
    console.log(
      `heap after the import (after a full GC): ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB, before it ${heapBefore} MB`,
    )
  }
  console.log(
    `${rows} rows: ${status.status}, created ${status.created}, failed ${status.failed}, ${Math.round(ms)} ms, ${Math.round((rows / ms) * 1000)} rows/s, CPU ${Math.round(cpuMs)} ms (${((cpuMs / rows) * 1000).toFixed(0)} µs/row), main thread busy ${Math.round(elu.active)} ms (${Math.round(elu.utilization * 100)} %), rss ${rss} MB`,
  )
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
