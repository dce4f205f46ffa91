/**
 * A/B(/C/D) of the record index's list and search series over the big workspace (not part of `pnpm bench`): two index
 * modules (e.g. main's and this tree's) on two indexes loaded alike by pgTextLoad.ts, first every text list of both
 * compared (same rows, order and total), then the series of indexQueries.ts run INTERLEAVED in blocks (A, B, A, B …
 * `PG_AB_BLOCKS` × `PG_AB_RUNS` calls each, after 10 discarded), with p50/p99 over all calls and per block.
 * `PG_AB_ONLY` picks the series whose label contains it. Each side is `<module>:<schema>` or `<module>:sqlite:<file>`.
 *   PG_AB_A=/work/main/apps/server/src/recordIndex/postgresRecordIndex.ts:pgtext_a \
 *   PG_AB_B=apps/server/src/recordIndex/postgresRecordIndex.ts:pgtext_b npx tsx tests/bench/pgTextAB.ts
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { IndexListQuery, RecordIndex } from '../../apps/server/src/recordIndex/RecordIndex.ts'
import { REPO_ROOT } from './lib/servers.ts'
import { summarize } from './lib/stats.ts'

const ctx = JSON.parse(readFileSync(join(process.env.PG_AB_DIR ?? '/tmp/pgtext', 'ctx.json'), 'utf8')) as {
  workspaceId: string
  terms: string[]
  stageIds: string[]
  accountIds: string[]
  accounts: number
}
const blocks = Number(process.env.PG_AB_BLOCKS ?? 6)
const perBlock = Number(process.env.PG_AB_RUNS ?? 60)
const only = process.env.PG_AB_ONLY

async function open(spec: string): Promise<RecordIndex> {
  const at = spec.indexOf(':')
  const [file, target] = [spec.slice(0, at), spec.slice(at + 1)]
  const mod = await import(pathToFileURL(resolve(REPO_ROOT, file)).href)
  return target.startsWith('sqlite:')
    ? mod.openSqliteRecordIndex(target.slice('sqlite:'.length))
    : mod.openPostgresRecordIndex({ schema: target })
}
// A and B, and C, D when given.
const names = ['A', 'B', 'C', 'D'].filter((n) => process.env[`PG_AB_${n}`])
const sides = await Promise.all(names.map((n) => open(process.env[`PG_AB_${n}`] ?? '')))
const a = sides[0] as RecordIndex
const ws = ctx.workspaceId
const term = (i: number) => ctx.terms[i % ctx.terms.length] ?? 'acme'
const page = (q: Partial<IndexListQuery>): IndexListQuery => ({
  offset: 0,
  limit: 50,
  archived: 'false',
  ...q,
})

const series: Array<[string, (index: RecordIndex, i: number) => Promise<unknown>]> = [
  ['deals: text query, by -amount', (x, i) => x.list(ws, 'deals', page({ q: term(i), sort: '-amount' }))],
  [
    'accounts by name, page at an offset',
    (x, i) => x.list(ws, 'accounts', page({ sort: 'name', offset: (i * 97) % Math.max(1, ctx.accounts) })),
  ],
  [
    'contacts: leadStatus filter, by -score',
    (x) => x.list(ws, 'contacts', page({ filters: { leadStatus: 'qualified' }, sort: '-score' })),
  ],
  [
    'contacts of one account, by name',
    (x, i) =>
      x.list(
        ws,
        'contacts',
        page({ filters: { accountId: ctx.accountIds[i % ctx.accountIds.length] ?? null }, sort: 'lastName' }),
      ),
  ],
  [
    'deals of one stage, by -amount',
    (x, i) =>
      x.list(
        ws,
        'deals',
        page({ filters: { stage: ctx.stageIds[i % ctx.stageIds.length] ?? null }, sort: '-amount' }),
      ),
  ],
  [
    'tickets: priority filter, by -updatedAt',
    (x) => x.list(ws, 'tickets', page({ filters: { priority: 'urgent' }, sort: '-updatedAt' })),
  ],
  ['search: one word (top 20)', (x, i) => x.search(ws, term(i), { limit: 20 })],
  ['search: 3-letter prefix (top 20)', (x, i) => x.search(ws, term(i).slice(0, 3), { limit: 20 })],
]

// Same answers: every term (and 3-letter prefixes), several sorts and offsets, each kind that is searched.
const same = async (label: string, run: (x: RecordIndex) => Promise<unknown>) => {
  const ra = JSON.stringify(await run(a))
  for (const [n, x] of sides.entries())
    if (JSON.stringify(await run(x)) !== ra) throw new Error(`A and ${names[n]} differ on ${label}`)
}
let compared = 0
for (const t of [...ctx.terms, ...ctx.terms.map((t) => t.slice(0, 3)), `${term(0)} ${term(7)}`, 'zzzz']) {
  for (const kind of ['deals', 'accounts', 'contacts', 'tickets'] as const)
    for (const sort of [undefined, '-amount', 'amount', 'title', 'name', '-updatedAt'])
      for (const offset of [0, 50, 1000]) {
        const q = page({ q: t, offset, ...(sort ? { sort } : {}) })
        try {
          await same(`${kind} ${JSON.stringify(q)}`, (x) => x.list(ws, kind, q))
          compared++
        } catch (error) {
          if (String(error).includes('cannot be sorted')) continue
          throw error
        }
      }
}
console.log(`identical answers on ${compared} text lists`)

for (const [label, run] of series) {
  if (only && !label.includes(only)) continue
  for (const x of sides) for (let i = 0; i < 10; i++) await run(x, i)
  const times: number[][] = sides.map(() => [])
  const perBlockP: string[][] = sides.map(() => [])
  for (let k = 0; k < blocks; k++) {
    for (const [n, x] of sides.entries()) {
      const t: number[] = []
      for (let i = 0; i < perBlock; i++) {
        const t0 = performance.now()
        await run(x, k * perBlock + i)
        t.push(performance.now() - t0)
      }
      times[n]?.push(...t)
      const s = summarize(t)
      perBlockP[n]?.push(`${s.p50.toFixed(1)}/${s.p99.toFixed(1)}`)
    }
  }
  for (const [n, name] of names.entries()) {
    const s = summarize(times[n] ?? [])
    console.log(
      `${label} ${name}: p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} n ${s.n}; blocks p50/p99 ${perBlockP[n]?.join(' ')}`,
    )
  }
}
for (const x of sides) await x.close()
process.exit(0)
