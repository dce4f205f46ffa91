import { join } from 'node:path'
import type { ProjectedRecord } from '../../apps/server/src/projection/recordKinds.ts'
import {
  dropPostgresIndexSchema,
  openPostgresRecordIndex,
} from '../../apps/server/src/recordIndex/postgresRecordIndex.ts'
import type {
  IndexListQuery,
  RecordChange,
  RecordIndex,
} from '../../apps/server/src/recordIndex/RecordIndex.ts'
import { openSqliteRecordIndex } from '../../apps/server/src/recordIndex/sqliteRecordIndex.ts'
import { summarize } from './lib/stats.ts'
import { tempDir } from './lib/tempDir.ts'

/*
 * List sorts of the record index at size (issue #12 H9): N contacts (LIST_SORT_N, default 100,000) of one workspace
 * over 2,000 accounts, 50 members, a text, a number and a multi-select custom field; p50/p99 of one page (50 rows) per
 * sort, on SQLite and PostgreSQL (RAPPORT_PG_URL). Not part of `pnpm bench`:
 *   pnpm exec tsx tests/bench/listSort.ts
 * The first sort by a custom field builds its expression index (timed apart as "first").
 */

const N = Number(process.env.LIST_SORT_N ?? 100_000)
const RUNS = 200
const W = 'ws_bench'
const WORDS = ['alpha', 'Beta', 'gamma', 'Delta', 'épsilon', 'zeta', 'Eta', 'theta', 'iota', 'kappa']

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function records(): { changes: RecordChange[]; memberNames: Record<string, string> } {
  const r = rng(12)
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)] as T
  const word = () => `${pick(WORDS)} ${Math.floor(r() * 1000)}`
  const memberNames: Record<string, string> = {}
  for (let i = 0; i < 50; i++) memberNames[`usr_${i}`] = `${pick(WORDS)} ${pick(WORDS)}`
  const members = Object.keys(memberNames)
  const changes: RecordChange[] = []
  const base = (id: string) => ({
    id,
    createdAt: 1_700_000_000_000 + changes.length,
    updatedAt: 1_700_000_000_000,
  })
  for (let i = 0; i < 2_000; i++) {
    const record = {
      ...base(`acc_${i}`),
      name: word(),
      domain: '',
      industry: '',
      size: null,
      tier: 'standard',
      ownerId: pick(members),
      team: 'sales',
      phone: '',
      website: '',
      city: '',
      country: '',
      archived: false,
      customFields: {},
    }
    changes.push({
      op: 'upsert',
      workspaceId: W,
      kind: 'accounts',
      id: record.id,
      doc: `${W}/accounts`,
      record,
    })
  }
  for (let i = 0; i < N; i++) {
    const customFields: Record<string, unknown> = {}
    if (r() < 0.8) customFields.cf_plan = word()
    if (r() < 0.8) customFields.cf_seats = Math.floor(r() * 10_000)
    if (r() < 0.5) customFields.cf_tags = [pick(WORDS), pick(WORDS)]
    const record = {
      ...base(`con_${i}`),
      accountId: r() < 0.9 ? `acc_${Math.floor(r() * 2_000)}` : null,
      firstName: pick(WORDS),
      lastName: word(),
      email: '',
      phone: '',
      title: word(),
      leadStatus: pick(['new', 'qualified', 'lost']),
      source: 'web',
      score: Math.floor(r() * 100),
      ownerId: r() < 0.95 ? pick(members) : null,
      archived: r() < 0.05,
      customFields,
    }
    changes.push({
      op: 'upsert',
      workspaceId: W,
      kind: 'contacts',
      id: record.id,
      doc: `${W}/contacts`,
      record: record as unknown as ProjectedRecord,
    })
  }
  return { changes, memberNames }
}

const SERIES: Array<[string, Partial<IndexListQuery>]> = [
  ['sort lastName', { sort: 'lastName' }],
  ['sort -title', { sort: '-title' }],
  ['sort accountName', { sort: 'accountName' }],
  ['sort owner (names)', { sort: 'owner' }],
  ['sort cf text', { sort: 'cf.cf_plan', customSort: 'text' }],
  ['sort -cf number', { sort: '-cf.cf_seats', customSort: 'number' }],
  ['sort cf multi-select', { sort: 'cf.cf_tags', customSort: 'text' }],
  ['sort cf number, offset 5000', { sort: 'cf.cf_seats', customSort: 'number', offset: 5_000 }],
  [
    'filter leadStatus + sort cf number',
    { sort: 'cf.cf_seats', customSort: 'number', filters: { leadStatus: 'new' } },
  ],
  [
    'filter cf + sort accountName',
    { sort: 'accountName', customFields: [{ fieldId: 'cf_plan', text: 'zeta 5' }] },
  ],
]

async function measure(name: string, index: RecordIndex, memberNames: Record<string, string>) {
  const { changes } = records()
  const started = performance.now()
  for (let i = 0; i < changes.length; i += 5_000) await index.apply({ records: changes.slice(i, i + 5_000) })
  console.log(`${name}: loaded ${changes.length} records in ${Math.round(performance.now() - started)} ms`)
  for (const [label, query] of SERIES) {
    const full: IndexListQuery = { offset: 0, limit: 50, archived: 'false', memberNames, ...query }
    const first = performance.now()
    const page = await index.list(W, 'contacts', full)
    const firstMs = performance.now() - first
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now()
      await index.list(W, 'contacts', full)
      times.push(performance.now() - t)
    }
    const s = summarize(times)
    console.log(
      `${name}  ${label.padEnd(36)} total ${String(page.total).padStart(6)}  first ${firstMs.toFixed(1)} ms  p50 ${s.p50.toFixed(2)}  p99 ${s.p99.toFixed(2)} ms`,
    )
  }
}

const { memberNames } = records()
const dir = tempDir('rapport-listsort-')
try {
  const sqlite = await openSqliteRecordIndex(join(dir.path, 'index.sqlite'))
  await measure('sqlite', sqlite, memberNames)
  await sqlite.close()
} finally {
  dir.remove()
}
const schema = `bench_sort_${process.pid}`
try {
  const postgres = await openPostgresRecordIndex({ schema })
  await measure('postgres', postgres, memberNames)
  await postgres.close()
} finally {
  await dropPostgresIndexSchema(schema)
}
