/**
 * Issue #12 prototype (b, c): the persisted index on SQLite, PGlite and PostgreSQL through one Kysely query
 * layer. 50k accounts, 100k contacts, 20k open + 20k closed deals (one pipeline), 190k search rows.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/index/indexBench.ts [sqlite] [pglite] [postgres]
 *
 * PostgreSQL: 127.0.0.1:5432, database `test`, schema `proto_issue12` (dropped at the end).
 */
import { Prng } from '@rapport/model'
import { type Kysely, sql } from 'kysely'
import { tempDir } from '../../lib/tempDir.ts'
import { type ContactRow, generateDataset } from '../fixtures.ts'
import { kb, ms, printTable, sample, timedAsync } from '../report.ts'
import { type Backend, pgliteBackend, postgresBackend, sqliteBackend } from './backends.ts'
import { loadDataset } from './load.ts'
import { QUERIES } from './queries.ts'
import { createSchema, type Flavor, type IndexTables, putSearchText } from './schema.ts'

const RUNS = Number(process.env.PROTOTYPE_RUNS ?? 300)

/** What a document change costs the index: one contact row and its search text, in their own transaction. */
async function upsertContact(db: Kysely<IndexTables>, flavor: Flavor, c: ContactRow): Promise<void> {
  const row = {
    id: c.id,
    account_id: c.accountId,
    first_name: c.firstName,
    last_name: c.lastName,
    email: c.email,
    score: c.score,
    lead_status: c.leadStatus,
    owner_id: c.ownerId,
    updated_at: c.updatedAt,
    data: JSON.stringify({ region: 'emea' }),
  }
  const text = `${c.firstName} ${c.lastName} ${c.email}`
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('contacts')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute()
    await putSearchText(tx, flavor, { kind: 'contact', id: c.id, text })
  })
}

type Result = {
  backend: Backend
  load: number
  disk: number
  cold: { openAndQuery: number; processTotal: number }
  queries: Map<string, { p50: number; p99: number }>
}

async function run(backend: Backend, data: ReturnType<typeof generateDataset>): Promise<Result> {
  process.stderr.write(`${backend.name}: loading…\n`)
  const db = await backend.open()
  await createSchema(db, backend.flavor)
  const load = await timedAsync(async () => {
    await loadDataset(db, backend.flavor, data)
    await sql`analyze`.execute(db)
  })
  const disk = await backend.diskBytes(db)
  const queries = new Map<string, { p50: number; p99: number }>()
  for (const q of QUERIES) {
    const prng = new Prng(21)
    const s = await sample(RUNS, () => q.run(db, backend.flavor, prng), 10)
    queries.set(q.name, { p50: s.p50, p99: s.p99 })
  }
  const prng = new Prng(5)
  const upsert = await sample(RUNS, () => {
    const c = data.contacts[prng.int(data.contacts.length)] as ContactRow
    return upsertContact(db, backend.flavor, { ...c, lastName: `${c.lastName}x` })
  })
  queries.set('write: upsert one contact + its search text', { p50: upsert.p50, p99: upsert.p99 })
  await db.destroy()
  const cold = await backend.coldFirstPage()
  await backend.drop()
  return { backend, load: load.ms, disk, cold, queries }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2)
  const data = generateDataset()
  const dir = tempDir('rapport-index-')
  const all = [sqliteBackend(dir.path), pgliteBackend(dir.path), postgresBackend()]
  const chosen = all.filter(
    (b) => wanted.length === 0 || wanted.some((w) => b.name.toLowerCase().startsWith(w)),
  )
  const results: Result[] = []
  try {
    for (const backend of chosen) results.push(await run(backend, data))
  } finally {
    dir.remove()
  }
  printTable(
    'Index stores: 50k accounts, 100k contacts, 40k deals, 190k search rows',
    ['store', 'bulk load s', 'on disk', 'cold process → first page ms (open+query / whole process)'],
    results.map((r) => [
      r.backend.name,
      (r.load / 1000).toFixed(1),
      kb(r.disk),
      `${ms(r.cold.openAndQuery)} / ${ms(r.cold.processTotal)}`,
    ]),
  )
  printTable(
    `Queries through Kysely, p50 / p99 ms over ${RUNS} runs`,
    ['query', ...results.map((r) => r.backend.name.split(' (')[0] as string)],
    [...(results[0]?.queries.keys() ?? [])].map((name) => [
      name,
      ...results.map((r) => {
        const q = r.queries.get(name)
        return q === undefined ? '' : `${ms(q.p50)} / ${ms(q.p99)}`
      }),
    ]),
  )
}

await main()
