/**
 * A/B of the 2-client edit-to-remote latency (not part of `pnpm bench`): bare Hocuspocus and two Rapport servers on
 * copies of one seeded data dir, measured INTERLEAVED in the same run (tests/bench/latency.ts' blocks), so machine
 * noise falls on all alike. Rapport A and B differ only by the environment given as JSON in `TAIL_A_ENV` and
 * `TAIL_B_ENV` (e.g. a switch of the code under test). `TAIL_ROUNDS` (default 1,500) rounds per server in
 * `TAIL_BLOCKS` (default 10) blocks, with `TAIL_CLIENTS` (default 2) clients per server.
 *
 *   TAIL_A_ENV='{}' TAIL_B_ENV='{"SOME_SWITCH":"1"}' npx tsx tests/bench/tailAB.ts
 */
import { measureLatency, yjsTarget } from './latency.ts'
import { cpuBetween, type ProcSample, sampleProcess } from './lib/procStats.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { type BenchServer, startBareHocuspocus, startRapport } from './lib/servers.ts'
import { baselineWorkload, rapportWorkload } from './lib/workload.ts'

const rounds = Number(process.env.TAIL_ROUNDS ?? 1_500)
const blocks = Number(process.env.TAIL_BLOCKS ?? 10)
const clients = Number(process.env.TAIL_CLIENTS ?? 2)
const envOf = (name: string): Record<string, string> => JSON.parse(process.env[name] ?? '{}')

const seed = await createSeedTemplate()
const dirs = [copyTemplate(seed, 'rapport-tail-a-'), copyTemplate(seed, 'rapport-tail-b-')]
const servers: BenchServer[] = []
try {
  const hocuspocus = await startBareHocuspocus()
  servers.push(hocuspocus)
  const a = await startRapport({ dataDir: dirs[0]?.path ?? '', env: envOf('TAIL_A_ENV') })
  servers.push(a)
  const b = await startRapport({ dataDir: dirs[1]?.path ?? '', env: envOf('TAIL_B_ENV') })
  servers.push(b)
  const targets = [
    yjsTarget(baselineWorkload(hocuspocus, 0)),
    { ...yjsTarget(await rapportWorkload(a, 0)), server: 'rapport A' },
    { ...yjsTarget(await rapportWorkload(b, 0)), server: 'rapport B' },
  ]
  const cpuBefore = servers.map((s) => sampleProcess(s.pid))
  const outcomes = await measureLatency(targets, clients, rounds, blocks, 50)
  // Server CPU (every thread, /proc) per measured round: the turns interleave, so both Rapports ran at the same pace.
  const cpuUs = servers.map(
    (s, i) => (cpuBetween(cpuBefore[i] as ProcSample, sampleProcess(s.pid)).cpuMs * 1000) / rounds,
  )
  const bare = outcomes.find((o) => o.server === 'hocuspocus')
  const bareP99 = bare && 'result' in bare ? bare.result.latencyMs.p99 : Number.NaN
  for (const [i, outcome] of outcomes.entries()) {
    if ('error' in outcome) {
      console.log(`${outcome.server}: ${outcome.error}`)
      continue
    }
    const { latencyMs: l, medianBlockP99Ms } = outcome.result
    console.log(
      `${outcome.server.padEnd(10)} p50 ${l.p50.toFixed(2)} p95 ${l.p95.toFixed(2)} p99 ${l.p99.toFixed(2)} max ${l.max.toFixed(1)} ms, median block p99 ${medianBlockP99Ms.toFixed(2)}, p99 ${(l.p99 / bareP99).toFixed(2)}× bare (n ${l.n}); server CPU ${(cpuUs[i] ?? 0).toFixed(0)} µs/round`,
    )
  }
} finally {
  for (const server of servers) await server.stop()
  for (const dir of dirs) dir.remove()
  seed.remove()
}
