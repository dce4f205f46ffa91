import { docName, readSettings, type WorkspaceSettings } from '@rapport/model'
import * as Y from 'yjs'
import type { ProjectedRecord } from '../../apps/server/src/projection/recordKinds.ts'
import type {
  RecordChange,
  RecordIndex,
  RoomFactsChange,
} from '../../apps/server/src/recordIndex/RecordIndex.ts'
import type { ReportMember } from '../../apps/server/src/reports/facts.ts'
import { REPORTS } from '../../apps/server/src/reports/figures.ts'
import { ReportService } from '../../apps/server/src/reports/ReportService.ts'
import { openDataDirDocs } from './lib/dataDirStore.ts'
import { type Summary, timeSeries } from './lib/stats.ts'

/**
 * Issue #13's reports over the big workspace, server-side, on both RecordIndex implementations: the big workspace's
 * records are made report-shaped — deterministic owners (8 members in 2 teams), creation times over the past year,
 * expected close dates, lead sources, ticket response / resolution times and CSAT, a stage history for every third
 * deal (an earlier stage, then its current one), and a handoff plus two logged activities for each of the first 2,000
 * accounts — and loaded into a fresh index (one load for this phase and the index phase: indexPhases.ts); then every
 * report of `GET /api/reports` is run through the production ReportService (index read + figures) with no filter (the
 * whole workspace, the worst case), timed p50/p99. Target: p99 < 200 ms per report.
 */

export const REPORT_TARGET_P99_MS = 200
/** Per report and drill-down: 3 untimed calls, then 30 timed ones or 2.5 s of them. */
const SERIES = { warmup: 3, runs: 30, maxMs: 2_500 }

export type ReportTiming = { id: string; latencyMs: Summary; rows: number }
/** One drill-down: the first page (DRILL_LIMIT records) behind one row of a report, asked by the row's key. */
export type DrillTiming = { id: string; row: string; total: number; latencyMs: Summary }
export type ReportsImplResult = {
  impl: 'sqlite' | 'postgres'
  loadMs?: number
  reports?: ReportTiming[]
  drills?: DrillTiming[]
  error?: string
}

/**
 * The drill-downs timed (a few representative rows): per report, its largest row by the first count column (the
 * worst case of the row's id list) — deals by stage, by stage reached, by owner; tickets by priority and all; accounts.
 */
const DRILLS: ReadonlyArray<{ id: string; count: string }> = [
  { id: 'sales.pipeline', count: 'deals' },
  { id: 'sales.funnel', count: 'reached' },
  { id: 'sales.leaderboard', count: 'won' },
  { id: 'service.times', count: 'tickets' },
  { id: 'customers.byOwner', count: 'accounts' },
]
const DRILL_LIMIT = 50
export type ReportsResult = {
  records: number
  stageChanges: number
  roomFacts: number
  targetP99Ms: number
  impls: ReportsImplResult[]
}

const DAY = 86_400_000
const MEMBERS: ReportMember[] = Array.from({ length: 8 }, (_, i) => ({
  userId: `usr_bench${i}`,
  name: `Bench member ${i}`,
  team: i < 5 ? 'sales' : 'support',
}))
const SOURCES = ['web', 'referral', 'event', 'outbound', 'import', 'other'] as const

/** A deterministic number from an id (the records' own ids vary; no randomness in the series). */
function hash(id: string): number {
  let h = 2166136261
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619)
  return h >>> 0
}

/** The big workspace's records, report-shaped (see the file comment), plus the stage moves and room facts. */
function shape(records: RecordChange[], settings: WorkspaceSettings, now: number) {
  const stagesOf = new Map(settings.pipelines.map((p) => [p.id, p.stages]))
  const before: RecordChange[] = []
  const out: RecordChange[] = []
  const rooms: RoomFactsChange[] = []
  let accounts = 0
  for (const change of records) {
    if (change.op !== 'upsert') continue
    const h = hash(change.id)
    const owner = (MEMBERS[h % MEMBERS.length] as ReportMember).userId
    const created = now - (h % 365) * DAY
    const r = { ...change.record } as Record<string, unknown>
    r.createdAt = created
    if (change.kind === 'deals') {
      r.ownerId = owner
      r.currency = h % 5 === 0 ? 'USD' : 'EUR'
      r.expectedCloseDate = new Date(now + ((h % 180) - 60) * DAY).toISOString().slice(0, 10)
      r.stageEnteredAt = created + (h % 30) * DAY
      const stages = stagesOf.get(String(r.pipelineId)) ?? []
      const first = stages[0]
      const current = (r.position as { column: string }).column
      if (h % 3 === 0 && first && first.id !== current)
        before.push({
          ...change,
          record: {
            ...r,
            position: { column: first.id, key: 'a0' },
            stageEnteredAt: created,
          } as unknown as ProjectedRecord,
        })
    } else if (change.kind === 'contacts') {
      r.ownerId = owner
      r.source = SOURCES[h % SOURCES.length]
    } else if (change.kind === 'tickets') {
      r.assigneeId = owner
      r.firstResponseAt = created + (h % 48) * 3_600_000
      const resolved = (r.position as { column: string }).column === 'resolved'
      r.resolvedAt = resolved ? created + (h % 240) * 3_600_000 : null
      r.slaDueAt = created + 72 * 3_600_000
      r.csat = resolved && h % 2 === 0 ? (h % 5) + 1 : null
    } else if (change.kind === 'accounts') {
      r.ownerId = owner
      if (accounts++ < 2_000)
        rooms.push({
          workspaceId: change.workspaceId,
          accountId: change.id,
          handoffs: [
            {
              id: `hof_bench_${change.id}`,
              dealId: null,
              status: h % 3 === 0 ? 'returned' : 'accepted',
              fromUserId: owner,
              toUserId: (MEMBERS[(h + 5) % MEMBERS.length] as ReportMember).userId,
              createdAt: created,
              sentAt: created + DAY,
              acceptedAt: h % 3 === 0 ? null : created + 3 * DAY,
            },
          ],
          activities: [0, 1].map((k) => ({
            id: `act_bench_${change.id}_${k}`,
            type: k === 0 ? ('call' as const) : ('meeting' as const),
            at: created + k * DAY,
            actorId: owner,
            dealId: null,
          })),
        })
    }
    out.push({ ...change, record: r as ProjectedRecord })
  }
  return { before, records: out, rooms }
}

async function readWorkspaceSettings(dataDir: string, workspaceId: string): Promise<WorkspaceSettings> {
  const store = openDataDirDocs(dataDir)
  try {
    const doc = new Y.Doc()
    const state = await store.load(docName({ workspaceId, kind: 'workspace' }))
    if (state) Y.applyUpdate(doc, state)
    return readSettings(doc)
  } finally {
    await store.close()
  }
}

/** What the reports phase loads and asks, prepared once from the big workspace's records (see indexPhases.ts). */
export type ReportsInput = {
  workspaceId: string
  settings: WorkspaceSettings
  now: number
  /** The records, report-shaped; `before`: the earlier stages (loaded first); `rooms`: the account rooms' facts. */
  shaped: ReturnType<typeof shape>
}

export async function prepareReports(
  dataDir: string,
  workspaceId: string,
  records: RecordChange[],
): Promise<{ input: ReportsInput; result: ReportsResult }> {
  const now = Date.UTC(2026, 0, 15)
  const settings = await readWorkspaceSettings(dataDir, workspaceId)
  const shaped = shape(records, settings, now)
  const result: ReportsResult = {
    records: shaped.records.length,
    stageChanges: shaped.before.length,
    roomFacts: shaped.rooms.length,
    targetP99Ms: REPORT_TARGET_P99_MS,
    impls: [],
  }
  return { input: { workspaceId, settings, now, shaped }, result }
}

/** Every report timed on an index the shared load filled (indexPhases.ts); `out.loadMs` is that load's. */
export async function measureReportsOn(
  log: (msg: string) => void,
  index: RecordIndex,
  input: ReportsInput,
  out: ReportsImplResult,
): Promise<void> {
  const { impl } = out
  const { settings, now } = input
  const ctx = { workspaceId: input.workspaceId }
  const service = new ReportService({
    index: () => index,
    settings: async () => settings,
    members: () => MEMBERS,
    now: () => now,
  })
  out.reports = []
  for (const report of REPORTS) {
    log(`reports: ${impl}, ${report.id}`)
    let rows = 0
    const run = async () => {
      rows = (await service.report(ctx.workspaceId, report.id, { period: 'all' })).rows.length
    }
    const latencyMs = await timeSeries(run, SERIES)
    out.reports.push({ id: report.id, latencyMs, rows })
  }
  out.drills = []
  for (const { id, count } of DRILLS) {
    const answer = await service.report(ctx.workspaceId, id, { period: 'all' })
    const row = [...answer.rows].sort(
      (a, b) => Number(b.values[count] ?? 0) - Number(a.values[count] ?? 0),
    )[0]
    if (!row) continue
    log(`reports: ${impl}, drill-down ${id} / ${row.key}`)
    let total = 0
    const run = async () => {
      const query = { period: 'all' as const, offset: 0, limit: DRILL_LIMIT }
      total = (await service.drill(ctx.workspaceId, id, row.key, query)).total
    }
    const latencyMs = await timeSeries(run, SERIES)
    out.drills.push({ id, row: row.key, total, latencyMs })
  }
}

/** The "Reports (issue #13)" section of the bench report. */
export function renderReports(r: ReportsResult | { error: string } | null): string[] {
  if (r === null) return ['Not run (phase `reports`).']
  if ('error' in r) return [`**Phase failed**: ${r.error}`]
  const fmt = (n: number) => (n < 10 ? n.toFixed(2) : Math.round(n).toString())
  const lines = [
    `Every report through the production ReportService (index read + figures), no filter, over the big workspace: ${r.records.toLocaleString('en-US')} records, ${r.stageChanges.toLocaleString('en-US')} extra stage changes, ${r.roomFacts.toLocaleString('en-US')} account rooms with a handoff and two activities. Target p99 < ${r.targetP99Ms} ms per report.`,
    '',
  ]
  const impls = r.impls
  lines.push(
    `| report | ${impls.map((i) => `${i.impl} p50 / p99 ms`).join(' | ')} | target met |`,
    `| --- | ${impls.map(() => '---:').join(' | ')} | --- |`,
  )
  for (const report of REPORTS) {
    const cells = impls.map((i) => {
      const t = i.reports?.find((x) => x.id === report.id)
      return t ? `${fmt(t.latencyMs.p50)} / ${fmt(t.latencyMs.p99)}` : (i.error ?? '—')
    })
    const met = impls.every((i) => {
      const t = i.reports?.find((x) => x.id === report.id)
      return t !== undefined && t.latencyMs.p99 < r.targetP99Ms
    })
    lines.push(`| ${report.id} | ${cells.join(' | ')} | ${met ? 'yes' : '**no**'} |`)
  }
  lines.push(
    '',
    `Drill-down (\`GET /api/reports/:id/rows/:rowKey/records\`, first page of ${DRILL_LIMIT}, by the row's key; the report's largest row):`,
    '',
    `| report / row | records behind | ${impls.map((i) => `${i.impl} p50 / p99 ms`).join(' | ')} | target met |`,
    `| --- | ---: | ${impls.map(() => '---:').join(' | ')} | --- |`,
  )
  for (const { id } of DRILLS) {
    const found = impls.map((i) => i.drills?.find((x) => x.id === id))
    const first = found.find((t) => t !== undefined)
    if (!first) continue
    const cells = found.map((t, k) =>
      t ? `${fmt(t.latencyMs.p50)} / ${fmt(t.latencyMs.p99)}` : (impls[k]?.error ?? '—'),
    )
    const met = found.every((t) => t !== undefined && t.latencyMs.p99 < r.targetP99Ms)
    lines.push(
      `| ${id} / ${first.row} | ${first.total.toLocaleString('en-US')} | ${cells.join(' | ')} | ${met ? 'yes' : '**no**'} |`,
    )
  }
  const load = impls.map(
    (i) => `${i.impl} ${i.loadMs === undefined ? '—' : `${i.loadMs.toLocaleString('en-US')} ms`}`,
  )
  lines.push(
    '',
    `Load into a fresh index (one load for this phase and the record index phase): ${load.join(', ')}.`,
  )
  return lines
}
