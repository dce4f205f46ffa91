/**
 * Loads the big workspace into record indexes that are kept (not part of `pnpm bench`), for A/B runs of the index
 * series over them (pgTextAB.ts): each argument is a PostgreSQL schema name, or `sqlite:<file>`; the load is
 * indexPhases.ts's (earlier deal stages, records kind by kind, notes, room facts; the deferred indexes built after,
 * then the statistics). The generated data dir and the series' context (ids, search words) go to PG_AB_DIR (default
 * /tmp/pgtext) and are reused by later runs. Schemas and files of the given names are replaced.
 *   npx tsx tests/bench/pgTextLoad.ts pgtext_a pgtext_b sqlite:/tmp/pgtext/a.sqlite
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dropPostgresIndexSchema } from '../../apps/server/src/recordIndex/postgresRecordIndex.ts'
import { bulkLoad, openPostgres, openSqlite, readWorkspace } from './indexQueries.ts'
import { CONFIG } from './lib/config.ts'
import { generateWorkspace } from './lib/generateWorkspace.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { prepareReports } from './reports.ts'

const out = process.env.PG_AB_DIR ?? '/tmp/pgtext'
const dataDir = join(out, 'data')
const ctxFile = join(out, 'ctx.json')
mkdirSync(out, { recursive: true })
type Ids = { workspaceId: string; pipelineId: string; stageIds: string[] }
let ids: Ids
let terms: string[]
if (existsSync(ctxFile) && existsSync(dataDir)) {
  ;({ terms, ...ids } = JSON.parse(readFileSync(ctxFile, 'utf8')) as Ids & { terms: string[] })
} else {
  const seed = await createSeedTemplate({ legacy: true })
  const dir = copyTemplate(seed, 'rapport-pgtext-')
  ids = { workspaceId: seed.workspaceId, pipelineId: seed.pipelineId, stageIds: seed.stageIds }
  terms = (await generateWorkspace({ dataDir: dir.path, ...ids, size: CONFIG.big })).searchTerms
  cpSync(dir.path, dataDir, { recursive: true })
  dir.remove()
  seed.remove()
}
const { records, notes } = await readWorkspace(dataDir, ids.workspaceId)
const { input } = await prepareReports(dataDir, ids.workspaceId, records)
const { before, records: shaped, rooms } = input.shaped
const accountIds = records.filter((r) => r.kind === 'accounts').map((r) => r.id)
writeFileSync(ctxFile, JSON.stringify({ ...ids, terms, accountIds, accounts: accountIds.length }))
for (const target of process.argv.slice(2)) {
  const t0 = performance.now()
  const file = target.startsWith('sqlite:') ? target.slice('sqlite:'.length) : null
  if (file) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
  else await dropPostgresIndexSchema(target)
  const opened = file ? await openSqlite(file) : await openPostgres(target)
  if (!opened) throw new Error(`${target}: no index implementation`)
  await opened.bulkLoad?.before()
  await bulkLoad(opened.index, before, [])
  await bulkLoad(opened.index, shaped, notes)
  for (let i = 0; i < rooms.length; i += 5000)
    await opened.index.apply({ roomFacts: rooms.slice(i, i + 5000) })
  await opened.bulkLoad?.after()
  await opened.settle()
  await opened.index.close()
  console.log(`${target}: loaded in ${Math.round(performance.now() - t0)} ms`)
}
process.exit(0)
