import { join } from 'node:path'
import { DuplicateLog } from '../../apps/server/src/duplicates/DuplicateLog.ts'
import { DuplicateService } from '../../apps/server/src/duplicates/DuplicateService.ts'
import type { ProjectedRecord } from '../../apps/server/src/projection/recordKinds.ts'
import type { RecordChange, RecordIndex } from '../../apps/server/src/recordIndex/RecordIndex.ts'
import { FIRST, LAST, prng } from './lib/generateWorkspace.ts'
import { type Summary, summarize } from './lib/stats.ts'
import { tempDir } from './lib/tempDir.ts'

/**
 * Phase `dedupe` (issue #14): the create-time duplicate check (`POST /api/duplicates/check` minus HTTP: the
 * production DuplicateService over the production RecordIndex) and the pairs list, on SQLite and PostgreSQL, over the
 * big workspace's accounts and contacts (CONFIG.big: 50,000 and 100,000 at issue #12's size, beside the demo seed's
 * few) in the index the index and reports phases loaded (indexPhases.ts: one load per implementation serves the three
 * phases). The big workspace's people come from the generator's short name lists (10 × 9 names, so many share a
 * name: a new contact with one of them matches nobody by name, the name key being shared by more than MAX_PER_VALUE;
 * every email at example.com). After the index and reports series, 2 % of the accounts and of the contacts (chosen
 * with a fixed PRNG seed) are overwritten with a near-copy of an earlier one (account name + " GmbH", domain
 * upper-cased; contact name and phone kept, email upper-cased), so the check and the pairs list have real duplicates
 * to find. The big workspace has no phone numbers, so near-copies share no phone. (Until 2026-12-06 this phase
 * generated and loaded 150,000 accounts and contacts of its own, the same counts, ~75 s of loading per run.)
 */
export type DedupeSeries = { label: string; latencyMs: Summary; matched: number }
export type DedupeImplResult = {
  impl: 'sqlite' | 'postgres'
  /** The shared load of the big workspace into this index (indexPhases.ts), as the index phase reports it. */
  loadMs?: number
  /** Applying the near-copies (upserts over that load). */
  copiesMs?: number
  series?: DedupeSeries[]
  /** One `GET /api/duplicates` page (50 pairs) of contacts, and of accounts: ms and pairs found. */
  pairs?: Array<{ kind: 'accounts' | 'contacts'; ms: number; total: number; nextPageMs: number }>
  error?: string
}
export type DedupeResult = {
  accounts: number
  contacts: number
  /** Records overwritten with a near-copy of another (results before 2026-12-06: absent, own generated rows). */
  copies?: { accounts: number; contacts: number }
  impls: DedupeImplResult[]
}

const RUNS = 300
const WARMUP = 20
const COPY_SHARE = 0.02

/**
 * What the dedupe phase writes and asks, prepared once from the records the shared load puts into each index: the
 * near-copy upserts, and the accounts and contacts as they are once those are applied (the probes' source).
 */
export type DedupeInput = {
  workspaceId: string
  copies: RecordChange[]
  accountRows: ProjectedRecord[]
  contactRows: ProjectedRecord[]
  result: DedupeResult
}

/** `records`: the upserts the shared load applies (report-shaped big workspace; only accounts and contacts are used). */
export function prepareDedupe(workspaceId: string, records: readonly RecordChange[]): DedupeInput {
  const rand = prng(20261205)
  const accounts: RecordChange[] = []
  const contacts: RecordChange[] = []
  for (const r of records) {
    if (r.op !== 'upsert' || r.workspaceId !== workspaceId) continue
    if (r.kind === 'accounts') accounts.push(r)
    else if (r.kind === 'contacts') contacts.push(r)
  }
  const copies: RecordChange[] = []
  const near = (
    rows: RecordChange[],
    copyOf: (record: ProjectedRecord, original: ProjectedRecord) => ProjectedRecord,
  ) => {
    const out: ProjectedRecord[] = []
    let n = 0
    for (let i = 0; i < rows.length; i++) {
      const change = rows[i] as RecordChange & { op: 'upsert' }
      const original = i > 0 && rand() < COPY_SHARE ? out[Math.floor(rand() * i)] : undefined
      if (!original) {
        out.push(change.record)
        continue
      }
      const record = copyOf(change.record, original)
      out.push(record)
      copies.push({ ...change, record })
      n++
    }
    return { rows: out, n }
  }
  const a = near(accounts, (record, original) => ({
    ...record,
    name: `${String(original.name)} GmbH`,
    domain: String(original.domain ?? '').toUpperCase(),
  }))
  const c = near(contacts, (record, original) => ({
    ...record,
    firstName: original.firstName,
    lastName: original.lastName,
    email: String(original.email ?? '').toUpperCase(),
    phone: original.phone ?? '',
  }))
  return {
    workspaceId,
    copies,
    accountRows: a.rows,
    contactRows: c.rows,
    result: {
      accounts: a.rows.length,
      contacts: c.rows.length,
      copies: { accounts: a.n, contacts: c.n },
      impls: [],
    },
  }
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

/**
 * The dedupe phase on an index the shared load filled and the index and reports series have read (indexPhases.ts):
 * the near-copies are applied, then the check series and the pairs pages run. `out.loadMs` is the shared load's.
 */
export async function measureDedupeOn(
  log: (msg: string) => void,
  index: RecordIndex,
  input: DedupeInput,
  out: DedupeImplResult,
): Promise<void> {
  const { impl } = out
  const WS = input.workspaceId
  const { accountRows, contactRows } = input
  const rand = prng(20261206)
  const logDir = tempDir('rapport-dedupe-log-')
  try {
    const dupLog = await DuplicateLog.open(join(logDir.path, 'duplicates.json'))
    log(`dedupe: ${impl}, ${input.copies.length} near-copies over the loaded big workspace`)
    const t0 = performance.now()
    for (let i = 0; i < input.copies.length; i += 5_000)
      await index.apply({ records: input.copies.slice(i, i + 5_000) })
    out.copiesMs = Math.round(performance.now() - t0)
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
  } finally {
    logDir.remove()
  }
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1))

/** The report's section (docs/benchmarks.md "Duplicates"). */
export function renderDedupe(r: DedupeResult | { error: string } | null | undefined): string[] {
  if (!r) return ['Not run.']
  if ('error' in r) return [`**Failed**: ${r.error}`]
  const lines = [
    r.copies
      ? `Create-time duplicate check (\`DuplicateService.check\` over the production index, no HTTP) over the big workspace's ${r.accounts.toLocaleString('en')} accounts and ${r.contacts.toLocaleString('en')} contacts in the index the record index and reports phases loaded (people from 10 × 9 names), after ${r.copies.accounts.toLocaleString('en')} accounts and ${r.copies.contacts.toLocaleString('en')} contacts (2 %, fixed seed) were overwritten with near-copies of others; ${RUNS} checks per series after ${WARMUP} warm-up. Target: p99 < 50 ms.`
      : `Create-time duplicate check (\`DuplicateService.check\` over the production index, no HTTP) with ${r.accounts.toLocaleString('en')} accounts and ${r.contacts.toLocaleString('en')} contacts (fixed seed, 2 % near-copies, people from 12 × 10 names); ${RUNS} checks per series after ${WARMUP} warm-up. Target: p99 < 50 ms.`,
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
    const load =
      impl.copiesMs === undefined
        ? `load ${impl.loadMs} ms`
        : `near-copies applied in ${impl.copiesMs} ms (over the shared load, ${impl.loadMs ?? '—'} ms)`
    lines.push(`- ${impl.impl}: ${load}; first page of pairs: ${pairs.join(', ')}.`)
  }
  return lines
}
