/**
 * Renders a results JSON of `pnpm bench` (tests/bench/results/*.json) as the Markdown report, to stdout — to read a
 * partial (`BENCH_ONLY`) run's report, or to re-render after changing the report's layout.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/render.ts bench/results/latest.json
 */
import { readFileSync } from 'node:fs'
import { renderReport } from './lib/renderReport.ts'
import type { BenchResults } from './lib/results.ts'

const file = process.argv[2]
if (!file) {
  console.error('usage: tsx bench/render.ts <results.json>')
  process.exit(1)
}
process.stdout.write(renderReport(JSON.parse(readFileSync(file, 'utf8')) as BenchResults))
