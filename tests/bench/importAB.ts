/**
 * A/B of the CSV import phase (not part of `pnpm bench`): tests/bench/importBench.ts' measure (an import of
 * `BENCH_IMPORT_ROWS` contacts, default 30,000, while another user edits a deal) on Rapport servers that differ only by
 * the environment given as JSON in `IMPORT_A_ENV` and `IMPORT_B_ENV`, run alternately A, B, A, B… `IMPORT_RUNS` times
 * each (default 3), each run on a fresh copy of one seeded data dir, so machine noise falls on both alike.
 * `IMPORT_SETTLE_MS` pauses after each start before the idle rounds (`IMPORT_IDLE_ROUNDS`, default 200).
 *
 *   IMPORT_A_ENV='{}' IMPORT_B_ENV='{"INDEX_THREAD":"bulk"}' npx tsx tests/bench/importAB.ts
 *   IMPORT_A_ROOT=/work/wt-old npx tsx tests/bench/importAB.ts   (A: the server of another checkout)
 */
import { measureImport } from './importBench.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { startRapport } from './lib/servers.ts'

const runs = Number(process.env.IMPORT_RUNS ?? 3)
const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 30_000)
process.env.BENCH_IMPORT_ROWS = String(rows)
const idleRounds = Number(process.env.IMPORT_IDLE_ROUNDS ?? 200)
const envOf = (name: string): Record<string, string> => JSON.parse(process.env[name] ?? '{}')
// IMPORT_A_ROOT / IMPORT_B_ROOT: another checkout's server (e.g. a `git worktree` of an older commit, installed).
const variants = [
  { name: 'A', env: envOf('IMPORT_A_ENV'), repoRoot: process.env.IMPORT_A_ROOT },
  { name: 'B', env: envOf('IMPORT_B_ENV'), repoRoot: process.env.IMPORT_B_ROOT },
]

const seed = await createSeedTemplate()
try {
  for (let run = 0; run < runs; run++) {
    for (const variant of run % 2 === 0 ? variants : [...variants].reverse()) {
      const dir = copyTemplate(seed, `rapport-import-ab-${variant.name}-`)
      const server = await startRapport({
        dataDir: dir.path,
        env: variant.env,
        ...(variant.repoRoot && { repoRoot: variant.repoRoot }),
      })
      // IMPORT_SETTLE_MS: a pause after the start before the idle rounds (what the start left running settles).
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.IMPORT_SETTLE_MS ?? 0)))
      try {
        const r = await measureImport(() => {}, server, rows, idleRounds)
        console.log(
          `${variant.name} run ${run + 1}: ${r.rows} rows in ${(r.totalMs / 1000).toFixed(1)} s (${r.rowsPerSecond.toFixed(0)}/s), ` +
            `idle p50/p99 ${r.idleMs.p50.toFixed(2)}/${r.idleMs.p99.toFixed(2)} ms, during p50/p99 ${r.duringMs.p50.toFixed(2)}/${r.duringMs.p99.toFixed(2)} ms ` +
            `(${(r.duringMs.p99 / r.idleMs.p99).toFixed(2)}× idle, n ${r.duringMs.n}), RSS peak ${r.rssPeakMb.toFixed(0)} MB, ` +
            `CPU per 1,000 rows ${r.cpuMsPer1000Rows?.mainThread} ms main thread / ${r.cpuMsPer1000Rows?.process} ms process`,
        )
      } finally {
        await server.stop()
        dir.remove()
      }
    }
  }
} finally {
  seed.remove()
}
