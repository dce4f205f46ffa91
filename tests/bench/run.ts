import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { type BigWorkspaceResult, measureBigWorkspace } from './bigWorkspace.ts'
import { measureBrowser } from './browser.ts'
import { measureLatency } from './latency.ts'
import { CONFIG, QUICK } from './lib/config.ts'
import { renderReport } from './lib/renderReport.ts'
import { type BenchResults, errorText, type MachineInfo, type ServerRun } from './lib/results.ts'
import { copyTemplate, createSeedTemplate, type SeedTemplate } from './lib/seedTemplate.ts'
import {
  type BenchServer,
  REPO_ROOT,
  startBareHocuspocus,
  startRapport,
  startYWebsocket,
} from './lib/servers.ts'
import { baselineWorkload, rapportWorkload, type Workload } from './lib/workload.ts'
import { measureThroughput } from './throughput.ts'

/**
 * `pnpm bench`: every server in its own child process, clients in this one. Writes raw JSON to
 * tests/bench/results/ and regenerates docs/benchmarks.md. `BENCH_QUICK=1` runs a ~1-minute smoke.
 */
const PACKAGES = [
  ['tests', '@hocuspocus/server'],
  ['tests', '@hocuspocus/provider'],
  ['tests', '@y/websocket-server'],
  ['tests', 'yjs'],
  ['tests', 'y-protocols'],
  ['tests', 'ws'],
  ['tests', 'playwright-core'],
  ['apps/server', 'hono'],
  ['apps/server', 'lowdb'],
  ['apps/server', 'minisearch'],
] as const

function machineInfo(): MachineInfo {
  const versions: Record<string, string> = {}
  for (const [dir, name] of PACKAGES) {
    const path = join(REPO_ROOT, dir, 'node_modules', name, 'package.json')
    if (existsSync(path))
      versions[name] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    versions,
  }
}

/** `BENCH_ONLY=rapport,big` runs only some phases (hocuspocus, y-websocket, rapport, big, browser). */
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const enabled = (phase: string) => !ONLY || ONLY.includes(phase)

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`)

async function runServer(
  kind: string,
  start: () => Promise<BenchServer>,
  workload: (s: BenchServer) => Promise<Workload>,
): Promise<ServerRun> {
  const run: ServerRun = { server: kind, startMs: null, latency: [], throughput: [], error: null }
  let server: BenchServer | null = null
  try {
    server = await start()
    run.startMs = Math.round(server.startMs)
    const w = await workload(server)
    for (const { clients, rounds } of CONFIG.latency) {
      log(`${kind}: latency with ${clients} clients`)
      run.latency.push(await measureLatency(w, clients, rounds))
    }
    const perConn = run.latency.at(-1)?.rssPerConnectionBytes ?? 0
    for (const writers of CONFIG.oneDocWriters) {
      log(`${kind}: throughput, ${writers} writers on one document`)
      run.throughput.push(await measureThroughput(w, 'one-document', writers, CONFIG.throughputMs, perConn))
    }
    log(`${kind}: throughput, ${CONFIG.manyDocs} documents`)
    run.throughput.push(
      await measureThroughput(w, 'many-documents', CONFIG.manyDocs, CONFIG.throughputMs, perConn),
    )
  } catch (error) {
    run.error = errorText(error)
    log(`${kind}: FAILED ${run.error}`)
  } finally {
    await server?.stop()
  }
  return run
}

function writeResults(results: BenchResults): void {
  const dir = join(REPO_ROOT, 'tests', 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const json = `${JSON.stringify(results, null, 2)}\n`
  writeFileSync(join(dir, `${results.startedAt.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`), json)
  writeFileSync(join(dir, 'latest.json'), json)
  writeFileSync(join(REPO_ROOT, 'docs', 'benchmarks.md'), renderReport(results))
}

async function main(): Promise<void> {
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    quick: QUICK,
    machine: machineInfo(),
    servers: [],
    bigWorkspace: null,
    browser: null,
  }
  // Hard limit: write what we have and exit, so a hung phase never blocks CI beyond the budget.
  const deadline = setTimeout(
    () => {
      console.error('bench: time limit reached, writing partial results')
      results.finishedAt = `${new Date().toISOString()} (time limit reached: partial)`
      writeResults(results)
      process.exit(2)
    },
    QUICK ? 4 * 60_000 : 9.5 * 60_000,
  )
  deadline.unref()
  log(`start (${QUICK ? 'quick' : 'full'})`)

  let seed: SeedTemplate | null = null
  if (enabled('rapport') || enabled('big') || enabled('browser')) {
    try {
      log('seeding a Rapport data dir')
      seed = await createSeedTemplate()
    } catch (error) {
      log(`seeding FAILED: ${errorText(error)}`)
      results.servers.push({
        server: 'rapport',
        startMs: null,
        latency: [],
        throughput: [],
        error: errorText(error),
      })
    }
  }
  const runs: Array<[string, () => Promise<BenchServer>, (s: BenchServer) => Promise<Workload>]> = [
    ['hocuspocus', startBareHocuspocus, async (s) => baselineWorkload(s, CONFIG.manyDocs)],
    ['y-websocket', startYWebsocket, async (s) => baselineWorkload(s, CONFIG.manyDocs)],
  ]
  const rapportDir = seed ? copyTemplate(seed, 'rapport-bench-') : null
  if (rapportDir) {
    runs.push([
      'rapport',
      () => startRapport({ dataDir: rapportDir.path }),
      (s) => rapportWorkload(s, CONFIG.manyDocs),
    ])
  }
  for (const [kind, start, workload] of runs) {
    if (enabled(kind)) results.servers.push(await runServer(kind, start, workload))
  }
  rapportDir?.remove()

  if (enabled('browser') && seed) {
    try {
      log('browser')
      results.browser = await measureBrowser(log, seed)
    } catch (error) {
      results.browser = { error: errorText(error) }
      log(`browser FAILED: ${results.browser.error}`)
    }
  }
  if (enabled('big') && seed) {
    const big: BigWorkspaceResult = { size: CONFIG.big }
    results.bigWorkspace = big
    try {
      log('big workspace')
      await measureBigWorkspace(log, seed, big)
    } catch (error) {
      results.bigWorkspace = { ...big, error: errorText(error) }
      log(`big workspace FAILED: ${errorText(error)}`)
    }
  }
  seed?.remove()

  results.finishedAt = new Date().toISOString()
  writeResults(results)
  log('done: tests/bench/results/latest.json, docs/benchmarks.md')
  clearTimeout(deadline)
}

await main()
process.exit(0)
