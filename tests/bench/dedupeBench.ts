import { join } from 'node:path'
import pg from 'pg'
import { DuplicateLog } from '../../apps/server/src/duplicates/DuplicateLog.ts'
import { DuplicateService } from '../../apps/server/src/duplicates/DuplicateService.ts'
import type { ProjectedRecord } from '../../apps/server/src/projection/recordKinds.ts'
import { openPostgresRecordIndex } from '../../apps/server/src/recordIndex/postgresRecordIndex.ts'
import type { RecordChange, RecordIndex } from '../../apps/server/src/recordIndex/RecordIndex.ts'
import { openSqliteRecordIndex } from '../../apps/server/src/recordIndex/sqliteRecordIndex.ts'
import { CONFIG } from './lib/config.ts'
import { prng } from './lib/generateWorkspace.ts'
import { type Summary, summarize } from './lib/stats.ts'
import { tempDir } from './lib/tempDir.ts'

/**
 * Phase `dedupe` (issue #14): the create-time duplicate check (`POST /api/duplicates/check` minus HTTP: the
 * production DuplicateService over the production RecordIndex) and the pairs list, on SQLite and PostgreSQL, over
 * accounts and contacts of the big workspace's size (CONFIG.big: 20,000 accounts and 50,000 contacts by default),
 * generated with a fixed PRNG seed like the big workspace (names from short word lists, so many people share a name;
 * every contact an email and a phone; 2 % of contacts and accounts are near-copies of another).
 */
export type DedupeSeries = { label: string; latencyMs: Summary; matched: number }
export type DedupeImplResult = {
  impl: 'sqlite' | 'postgres'
  loadMs?: number
  series?: DedupeSeries[]
  /** One `GET /api/duplicates` page (50 pairs) of contacts, and of accounts: ms and pairs found. */
  pairs?: Array<{ kind: 'accounts' | 'contacts'; ms: number; total: number; nextPageMs: number }>
  error?: string
}
export type DedupeResult = { accounts: number; contacts: number; impls: DedupeImplResult[] }

const WS = 'ws_dedupe_bench'
const RUNS = 300
const WARMUP = 20
const PG_URL = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ida',
  'Jonas',
  'Lena',
  'Max',
]
const LAST = ['Schmidt', 'Meyer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf']
const WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
]

const base = (id: string) => ({
  id,
  createdAt: 1,
  updatedAt: 1,
  archived: false,
  ownerId: null,
  customFields: {},
})

function generate(accounts: number, contacts: number) {
  const rand = prng(20261205)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T
  const phone = () => `+49 30 ${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`
  const rows: RecordChange[] = []
  const accountRows: ProjectedRecord[] = []
  for (let i = 0; i < accounts; i++) {
    const copy = i > 0 && rand() < 0.02 ? accountRows[Math.floor(rand() * i)] : undefined
    const record: ProjectedRecord = {
      ...base(`acc_d${i}`),
      name: copy ? `${String(copy.name)} GmbH` : `${pick(WORDS)} ${pick(WORDS)} ${i}`,
      domain: copy ? String(copy.domain).toUpperCase() : `${pick(WORDS).toLowerCase()}${i}.example`,
      website: '',
      phone: phone(),
      industry: '',
      size: null,
      tier: 'standard',
      team: 'sales',
      city: '',
      country: 'DE',
    }
    accountRows.push(record)
    rows.push({
      op: 'upsert',
      workspaceId: WS,
      kind: 'accounts',
      id: record.id,
      doc: `${WS}/account/${record.id}`,
      record,
    })
  }
  const contactRows: ProjectedRecord[] = []
  for (let i = 0; i < contacts; i++) {
    const copy = i > 0 && rand() < 0.02 ? contactRows[Math.floor(rand() * i)] : undefined
    const first = copy ? String(copy.firstName) : pick(FIRST)
    const last = copy ? String(copy.lastName) : pick(LAST)
    const record: ProjectedRecord = {
      ...base(`con_d${i}`),
      accountId: accountRows[Math.floor(rand() * accountRows.length)]?.id ?? null,
      firstName: first,
      lastName: last,
      email: copy ? String(copy.email).toUpperCase() : `${first}.${last}${i}@example.com`.toLowerCase(),
      phone: copy ? String(copy.phone) : phone(),
      title: '',
      leadStatus: 'new',
      source: 'other',
      score: 0,
    }
    contactRows.push(record)
    rows.push({
      op: 'upsert',
      workspaceId: WS,
      kind: 'contacts',
      id: record.id,
      doc: `${WS}/contact/${record.id}`,
      record,
    })
  }
  return { rows, accountRows, contactRows, rand }
}

async function series(run: (i: number) => Promise<number>): Promise<{ latencyMs: Summary; matched: number }> {
  for (let i = 0; i < WARMUP; i++) await run(i)
  const times: number[] = []
  let matched = 0
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    if ((await run(i)) > 0) matched++
    times.push(performance.now() - t0)
  }
  return { latencyMs: summarize(times), matched }
}

type Opened = { index: RecordIndex; drop(): Promise<void> }

async function openSqlite(): Promise<Opened> {
  const dir = tempDir('rapport-dedupe-')
  const index = await openSqliteRecordIndex(join(dir.path, 'index.sqlite'))
  return {
    index,
    drop: async () => {
      await index.close()
      dir.remove()
    },
  }
}

async function openPostgres(): Promise<Opened> {
  const schema = `bench_dedupe_${process.pid}`
  const index = await openPostgresRecordIndex({ url: PG_URL, schema })
  return {
    index,
    drop: async () => {
      await index.close()
      const admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      await admin.query(`drop schema if exists "${schema}" cascade`)
      await admin.end()
    },
  }
}

export async function measureDedupe(log: (msg: string) => void): Promise<DedupeResult> {
  const { accounts, contacts } = CONFIG.big
  const { rows, accountRows, contactRows, rand } = generate(accounts, contacts)
  const result: DedupeResult = { accounts, contacts, impls: [] }
  const logDir = tempDir('rapport-dedupe-log-')
  const dupLog = await DuplicateLog.open(join(logDir.path, 'duplicates.json'))
  try {
    for (const [impl, open] of [
      ['sqlite', openSqlite],
      ['postgres', openPostgres],
    ] as const) {
      const out: DedupeImplResult = { impl }
      result.impls.push(out)
      let opened: Opened | null = null
      try {
        opened = await open()
        const index = opened.index
        log(`dedupe: ${impl}, loading ${accounts} accounts + ${contacts} contacts`)
        const t0 = performance.now()
        for (let i = 0; i < rows.length; i += 5_000) await index.apply({ records: rows.slice(i, i + 5_000) })
        out.loadMs = Math.round(performance.now() - t0)
        const service = new DuplicateService({ index, flush: async () => {} }, dupLog)
        const existing = (i: number) =>
          contactRows[Math.floor(rand() * contactRows.length + i) % contactRows.length]
        const checks: Array<[string, 'accounts' | 'contacts', (i: number) => Record<string, unknown>]> = [
          [
            'contact like an existing one (same email)',
            'contacts',
            (i) => {
              const c = existing(i) as ProjectedRecord
              return { firstName: c.firstName, lastName: c.lastName, email: c.email }
            },
          ],
          [
            'new contact (shared name, new email and phone)',
            'contacts',
            (i) => ({
              firstName: FIRST[i % FIRST.length],
              lastName: LAST[i % LAST.length],
              email: `new${i}@fresh.example`,
              phone: `+1 415 555 ${String(i).padStart(4, '0')}`,
            }),
          ],
          [
            'account like an existing one (domain, name)',
            'accounts',
            (i) => {
              const a = accountRows[(i * 7919) % accountRows.length] as ProjectedRecord
              return { name: a.name, website: `https://www.${String(a.domain)}/` }
            },
          ],
        ]
        out.series = []
        log(`dedupe: ${impl}, check series`)
        for (const [label, kind, probe] of checks) {
          const s = await series(async (i) => (await service.check(WS, kind, probe(i))).length)
          out.series.push({ label, ...s })
        }
        out.pairs = []
        for (const kind of ['contacts', 'accounts'] as const) {
          const p0 = performance.now()
          const page = await service.pairs(WS, kind, 0, 50)
          const ms = Math.round(performance.now() - p0)
          // The next page while nothing changed reuses the pairs (DuplicateService's cache by feed seq).
          const n0 = performance.now()
          await service.pairs(WS, kind, 50, 50)
          out.pairs.push({ kind, ms, total: page.total, nextPageMs: Math.round(performance.now() - n0) })
        }
      } catch (error) {
        out.error =
          error instanceof Error ? (error.message.split('\n')[0] ?? '').slice(0, 300) : String(error)
        log(`dedupe: ${impl} FAILED: ${out.error}`)
      } finally {
        await opened?.drop().catch(() => {})
      }
    }
  } finally {
    logDir.remove()
  }
  return result
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1))

/** The report's section (docs/benchmarks.md "Duplicates"). */
export function renderDedupe(r: DedupeResult | { error: string } | null | undefined): string[] {
  if (!r) return ['Not run.']
  if ('error' in r) return [`**Failed**: ${r.error}`]
  const lines = [
    `Create-time duplicate check (\`DuplicateService.check\` over the production index, no HTTP) with ${r.accounts.toLocaleString('en')} accounts and ${r.contacts.toLocaleString('en')} contacts (fixed seed, 2 % near-copies, people from 12 × 10 names); ${RUNS} checks per series after ${WARMUP} warm-up. Target: p99 < 50 ms.`,
    '',
    '| index | series | p50 ms | p95 ms | p99 ms | max ms | with matches |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const impl of r.impls) {
    if (impl.error) {
      lines.push(`| ${impl.impl} | **failed**: ${impl.error} | | | | | |`)
      continue
    }
    for (const s of impl.series ?? [])
      lines.push(
        `| ${impl.impl} | ${s.label} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p95)} | ${ms(s.latencyMs.p99)} | ${ms(s.latencyMs.max)} | ${s.matched}/${s.latencyMs.n} |`,
      )
  }
  lines.push('')
  for (const impl of r.impls) {
    if (impl.error) continue
    const pairs = (impl.pairs ?? []).map(
      (p) => `${p.kind} ${p.ms} ms (${p.total.toLocaleString('en')} pairs; next page ${p.nextPageMs} ms)`,
    )
    lines.push(`- ${impl.impl}: load ${impl.loadMs} ms; first page of pairs: ${pairs.join(', ')}.`)
  }
  return lines
}
