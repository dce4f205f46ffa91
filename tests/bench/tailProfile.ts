/**
 * Where Rapport's CPU goes per edit in the 2-client latency rounds (issue #12's "2 clients" row; not part of
 * `pnpm bench`). Seeds a data dir, starts Rapport as the bench does (its own process) with `--cpu-prof`, runs
 * `TAIL_ROUNDS` (default 2,000) measured rounds of tests/bench/latency.ts' 2-client loop after a warm-up, stops the
 * server and prints, from the profile, the server's CPU per round (µs) by source file of apps/server/src (inclusive:
 * a sample counts once for every Rapport file on its stack) and by top self-time functions. Also prints the rounds'
 * latency summary (noisy on a shared machine; the CPU per round is the robust figure).
 *
 * Also prints the busy stretches over 1 ms by their largest contributor, and the server CPU per round from /proc.
 *
 *   cd tests && npx tsx bench/tailProfile.ts     # profile kept in $TAIL_PROFILE_DIR (default: a temp dir, removed)
 *   TAIL_PROF=0 …                                # no profiler: CPU per round (/proc) and latency only
 *   TAIL_SERVER=hocuspocus TAIL_PROF=0 …         # the same rounds on bare Hocuspocus (the reference)
 *   TAIL_PROF=0 TAIL_NODE_ARGS=--trace-gc BENCH_SERVER_LOG=/tmp/gc.log …   # count the server's GCs
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { yjsTarget } from './latency.ts'
import { cpuBetween, sampleProcess } from './lib/procStats.ts'
import { type CpuProfile, profileInWindows, readProfile, shortFile, topLines } from './lib/profileWindows.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { startBareHocuspocus, startRapport } from './lib/servers.ts'
import { summarize } from './lib/stats.ts'
import { tempDir } from './lib/tempDir.ts'
import { baselineWorkload, rapportWorkload } from './lib/workload.ts'

const rounds = Number(process.env.TAIL_ROUNDS ?? 2_000)
const warmup = Number(process.env.TAIL_WARMUP ?? 200)
const profileDir = process.env.TAIL_PROFILE_DIR ?? tempDir('rapport-tail-profile-').path
/** `TAIL_PROF=0`: no profiler, only the server's CPU per round from /proc (all its threads) and the latency. */
const profiling = process.env.TAIL_PROF !== '0'

const seed = await createSeedTemplate()
const data = copyTemplate(seed, 'rapport-tail-')
/** `TAIL_SERVER=hocuspocus`: bare Hocuspocus instead (the reference; no profile). */
const bare = process.env.TAIL_SERVER === 'hocuspocus'
const server = bare
  ? await startBareHocuspocus()
  : await startRapport({
      dataDir: data.path,
      nodeArgs: [
        ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] : []),
        // e.g. `--trace-gc` (with BENCH_SERVER_LOG=<file> to keep the server's output)
        ...(process.env.TAIL_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
    })
let markStart = 0
let markEnd = 0
/** The measured rounds: latency (ms) and arrival (µs, monotonic: the clock of the profile's timestamps). */
let roundSamples: Array<{ ms: number; arrivalUs: number }> = []
try {
  const w = bare ? baselineWorkload(server, 0) : await rapportWorkload(server, 0)
  const panel = await yjsTarget(w).open(2)
  await panel.run(warmup)
  await panel.settled()
  await server.memory()
  markStart = Date.now()
  const cpuBefore = sampleProcess(server.pid)
  const result = await panel.run(rounds)
  roundSamples = result.samples.map((ms, i) => ({ ms, arrivalUs: result.arrivalsUs?.[i] ?? 0 }))
  const cpu = cpuBetween(cpuBefore, sampleProcess(server.pid))
  markEnd = Date.now()
  console.log(
    `server CPU (/proc, every thread): ${((cpu.cpuMs * 1000) / rounds).toFixed(0)} µs/round, ${cpu.cpuPct.toFixed(0)} % of a core over ${markEnd - markStart} ms`,
  )
  await panel.settled()
  await panel.close()
  const s = summarize(result.samples)
  console.log(
    `latency over ${result.samples.length} samples: p50 ${s.p50.toFixed(2)} p95 ${s.p95.toFixed(2)} p99 ${s.p99.toFixed(2)} max ${s.max.toFixed(2)} ms (lost ${result.lost})`,
  )
} finally {
  await server.stop()
  data.remove()
  seed.remove()
}

if (!profiling || bare) process.exit(0)
// The main thread's profile (worker threads write their own, numbered after it).
const file = readdirSync(profileDir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()
  .find((f) => f.endsWith('.0.001.cpuprofile'))
if (!file) throw new Error(`no .cpuprofile in ${profileDir}`)
const profile = readProfile(join(profileDir, file))
console.log(`profile: ${join(profileDir, file)}`)

// Sample times (µs since the profile start, wall clock ≈ Date.now() at the profile start + offset).
const parent = new Map<number, number>()
const byId = new Map<number, CpuProfile['nodes'][number]>()
for (const node of profile.nodes) {
  byId.set(node.id, node)
  for (const child of node.children ?? []) parent.set(child, node.id)
}
const windowMs = markEnd - markStart
// Locate the window: the busiest contiguous `windowMs` of the profile (the rounds run back to back).
let t = profile.startTime
const times: number[] = []
for (const d of profile.timeDeltas) {
  t += d
  times.push(t)
}
const busy = profile.samples.map((id) => byId.get(id)?.callFrame.functionName !== '(idle)')
let best = 0
let bestStart = 0
let lo = 0
let count = 0
for (let hi = 0; hi < times.length; hi++) {
  if (busy[hi]) count++
  while ((times[hi] ?? 0) - (times[lo] ?? 0) > windowMs * 1000) {
    if (busy[lo]) count--
    lo++
  }
  if (count > best) {
    best = count
    bestStart = lo
  }
}
const winStart = times[bestStart] ?? 0
const winEnd = winStart + windowMs * 1000
const inclusive = new Map<string, number>()
const self = new Map<string, number>()
/** Busy stretches over 1 ms, by their largest contributor: count and total. */
const gapUs = Number(process.env.TAIL_GAP_US ?? 300)
const longStretches = new Map<string, { count: number; us: number; max: number }>()
let stretch: { start: number; last: number; by: Map<string, number> } | null = null
const closeStretch = () => {
  if (!stretch) return
  const us = stretch.last - stretch.start
  if (us >= 1000) {
    const top = [...stretch.by].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?'
    const agg = longStretches.get(top) ?? { count: 0, us: 0, max: 0 }
    agg.count += 1
    agg.us += us
    agg.max = Math.max(agg.max, us)
    longStretches.set(top, agg)
  }
  stretch = null
}
/** By the outermost Rapport function on the stack (which hook or timer the work came from). */
const entry = new Map<string, number>()
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const time = times[i] ?? 0
  if (time < winStart || time > winEnd) continue
  const id = profile.samples[i] ?? 0
  const node = byId.get(id)
  if (!node || node.callFrame.functionName === '(idle)') continue
  const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) as number
  total += dt
  const selfKey = `${node.callFrame.functionName || '(anon)'} ${shortFile(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
  self.set(selfKey, (self.get(selfKey) ?? 0) + dt)
  const seen = new Set<string>()
  let outermost = '(no Rapport frame)'
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const frame = byId.get(n)?.callFrame
    if (!frame) continue
    const key = shortFile(frame.url)
    if (key.startsWith('src/')) outermost = `${frame.functionName || '(anon)'} ${key}:${frame.lineNumber + 1}`
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt)
  }
  entry.set(outermost, (entry.get(outermost) ?? 0) + dt)
  // Stretches of busy samples (no idle sample between): how long the event loop was held, and by what.
  if (stretch && time - stretch.last > gapUs) closeStretch()
  stretch ??= { start: time, last: time, by: new Map() }
  stretch.last = time
  stretch.by.set(outermost, (stretch.by.get(outermost) ?? 0) + dt)
}
closeStretch()

/*
 * Inside the slowest rounds: the server's samples between the send and the arrival of the slowest TAIL_SLOW_PCT %
 * (default 5) of the rounds (both on the monotonic clock the profile is stamped with), by the outermost Rapport
 * function and by self time, in ms over all those rounds — what a slow round waited for. Idle samples are counted as
 * "(idle)": a slow round with an idle server waited for the client side or the network.
 */
const slowPct = Number(process.env.TAIL_SLOW_PCT ?? 5)
const slowest = [...roundSamples]
  .sort((a, b) => b.ms - a.ms)
  .slice(0, Math.max(1, Math.round((roundSamples.length * slowPct) / 100)))
  .map((r): [number, number] => [r.arrivalUs - r.ms * 1000, r.arrivalUs])
const inSlow = profileInWindows(profile, slowest)
const slowMs = slowest.reduce((sum, [from, to]) => sum + (to - from) / 1000, 0)
console.log(
  `\ninside the slowest ${slowest.length} rounds (${slowPct} %, ${slowMs.toFixed(1)} ms of latency, ${(inSlow.totalUs / 1000).toFixed(1)} ms of profile samples), by the outermost Rapport function (ms):`,
)
for (const line of topLines(inSlow.outermost, 25)) console.log(line)
console.log('\n… by self time (ms):')
for (const line of topLines(inSlow.self, 30)) console.log(line)

const per = (us: number) => (us / rounds).toFixed(1).padStart(8)
console.log(
  `\nserver CPU in the ${windowMs} ms of ${rounds} rounds: ${per(total)} µs/round (busy ${((total / (windowMs * 1000)) * 100).toFixed(0)}%)`,
)
console.log('\ninclusive µs/round by file (a sample counts once per file on its stack):')
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TAIL_TOP ?? 45)))
  console.log(`${per(v)}  ${k}`)
console.log('\nµs/round by the outermost Rapport function on the stack (the hook or timer it came from):')
for (const [k, v] of [...entry].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${per(v)}  ${k}`)
console.log(
  '\nbusy stretches ≥ 1 ms (no idle sample for ' +
    gapUs +
    ' µs), by their largest contributor: count, total ms, max ms',
)
for (const [k, v] of [...longStretches].sort((a, b) => b[1].us - a[1].us).slice(0, 20))
  console.log(
    `${String(v.count).padStart(6)} ${(v.us / 1000).toFixed(1).padStart(8)} ${(v.max / 1000).toFixed(1).padStart(6)}  ${k}`,
  )
console.log('\nself µs/round by function:')
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${per(v)}  ${k}`)
