/**
 * What the server ran inside the slowest probe rounds of an import (not part of `pnpm bench`): tests/bench/
 * importBench.ts' measure (`BENCH_IMPORT_ROWS`, default 20,000) on a Rapport started with `--cpu-prof`, then the main
 * thread's samples inside the slowest `IMPORT_SLOW_PCT` % (default 2) of the probe rounds during the import (send →
 * seen, on the profile's monotonic clock), by the outermost Rapport function and by self time. Extra server env as
 * JSON in `IMPORT_ENV`.
 *
 *   cd tests && IMPORT_ENV='{"INDEX_THREAD":"all"}' npx tsx bench/importTail.ts
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureImport } from './importBench.ts'
import { profileInWindows, readProfile, topLines } from './lib/profileWindows.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { startRapport } from './lib/servers.ts'
import { tempDir } from './lib/tempDir.ts'

const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 20_000)
process.env.BENCH_IMPORT_ROWS = String(rows)
const slowPct = Number(process.env.IMPORT_SLOW_PCT ?? 2)
const profileDir = tempDir('rapport-import-tail-')
const seed = await createSeedTemplate()
const dir = copyTemplate(seed, 'rapport-import-tail-')
const server = await startRapport({
  dataDir: dir.path,
  env: JSON.parse(process.env.IMPORT_ENV ?? '{}'),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir.path}`, '--cpu-prof-interval=200'],
})
let rounds: Array<[number, number]> = []
try {
  const r = await measureImport(() => {}, server, rows, 200)
  rounds = r.duringRoundsUs ?? []
  console.log(
    `${r.rows} rows in ${(r.totalMs / 1000).toFixed(1)} s; idle p50/p99 ${r.idleMs.p50.toFixed(2)}/${r.idleMs.p99.toFixed(2)} ms, during ${r.duringMs.p50.toFixed(2)}/${r.duringMs.p99.toFixed(2)} ms (n ${r.duringMs.n})`,
  )
} finally {
  await server.stop()
  dir.remove()
  seed.remove()
}
const main = readdirSync(profileDir.path).find((f) => f.endsWith('.0.001.cpuprofile'))
if (!main) throw new Error(`no main-thread profile in ${profileDir.path}`)
const slowest = [...rounds]
  .sort((a, b) => b[1] - b[0] - (a[1] - a[0]))
  .slice(0, Math.max(1, Math.round((rounds.length * slowPct) / 100)))
const inside = profileInWindows(readProfile(join(profileDir.path, main)), slowest)
console.log(
  `\nthe slowest ${slowest.length} rounds (${slowPct} %: ${((slowest.at(-1)?.[1] ?? 0) - (slowest.at(-1)?.[0] ?? 0)) / 1000} ms and more), ${(inside.totalUs / 1000).toFixed(0)} ms of samples in them; by the outermost Rapport function (ms):`,
)
for (const line of topLines(inside.outermost, 25)) console.log(line)
console.log('\n… by self time (ms):')
for (const line of topLines(inside.self, 35)) console.log(line)
// The four largest outermost functions, by what ran inside them.
for (const [outer] of [...inside.outermost].sort((a, b) => b[1] - a[1]).slice(0, 4)) {
  console.log(`\n… inside ${outer}, by self time (ms):`)
  for (const line of topLines(inside.selfByOutermost.get(outer) ?? new Map(), 12)) console.log(line)
}
// IMPORT_KEEP_PROFILE=1: the profile and the rounds stay for other breakdowns.
if (process.env.IMPORT_KEEP_PROFILE === '1') {
  const kept = mkdtempSync(join(tmpdir(), 'rapport-import-tail-kept-'))
  copyFileSync(join(profileDir.path, main), join(kept, 'main.cpuprofile'))
  writeFileSync(join(kept, 'slowest-rounds.json'), JSON.stringify(slowest))
  console.log(`\nkept: ${join(kept, 'main.cpuprofile')} and slowest-rounds.json beside it`)
}
profileDir.remove()
