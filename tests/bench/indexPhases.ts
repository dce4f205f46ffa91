import { type DedupeImplResult, type DedupeResult, measureDedupeOn, prepareDedupe } from './dedupeBench.ts'
import {
  bulkLoad,
  INDEXES_AFTER,
  type IndexImplResult,
  type IndexQueryCtx,
  type IndexResult,
  measureIndexOn,
  type Opened,
  openPostgres,
  openSqlite,
  readWorkspace,
} from './indexQueries.ts'
import { errorText } from './lib/results.ts'
import { measureReportsOn, prepareReports, type ReportsImplResult, type ReportsResult } from './reports.ts'

/**
 * Phases `index`, `reports` and `dedupe` share one bulk load of the big workspace per RecordIndex implementation: the
 * records are read out of the data dir once, made report-shaped (reports.ts: owners, creation times, lead sources,
 * ticket times; the index series neither filter nor sort on these fields, nor search for their words) and loaded into
 * a fresh index in this order: the earlier stages of every third deal, the records kind by kind, the account note texts, the
 * account rooms' report facts. Then the planner statistics are taken (`Opened.settle`), the index series run, then the
 * reports, then the dedupe phase (dedupeBench.ts: it overwrites 2 % of the accounts and contacts with near-copies, so
 * it runs last), and the index is dropped. The load's time by part goes to the index phase's `loadMsByKind`; its total
 * is each phase's `loadMs`. Whichever of the phases is selected, the load is the same, so their figures are alike
 * across `BENCH_ONLY` selections.
 */
const EARLIER_STAGES = 'deals at an earlier stage (reports)'
const ROOM_FACTS = 'account room facts (reports)'
const BATCH = 5_000

export type IndexPhasesResults = {
  index: IndexResult | { error: string } | null
  reports: ReportsResult | { error: string } | null
  dedupe: DedupeResult | { error: string } | null
}

/**
 * `onResults` gets the result objects at once; they fill in as the phases run (a time-limited run keeps them). A phase
 * not selected stays null. Returns the ms the dedupe phase took of the whole (its series after the shared load), so
 * the caller can report it as a phase of its own.
 */
export async function measureIndexPhases(
  log: (msg: string) => void,
  dataDir: string,
  ctx: Omit<IndexQueryCtx, 'accountIds' | 'accounts'>,
  selected: { index: boolean; reports: boolean; dedupe: boolean },
  onResults: (results: IndexPhasesResults) => void,
): Promise<{ dedupeMs: number }> {
  const r0 = performance.now()
  const { records, notes } = await readWorkspace(dataDir, ctx.workspaceId)
  const readMs = Math.round(performance.now() - r0)
  const { input, result: reports } = await prepareReports(dataDir, ctx.workspaceId, records)
  const index: IndexResult = { records: records.length, notes: notes.length, readMs, impls: [] }
  const { before, records: shaped, rooms } = input.shaped
  const dedupeInput = prepareDedupe(ctx.workspaceId, shaped)
  const dedupe = dedupeInput.result
  onResults({
    index: selected.index ? index : null,
    reports: selected.reports ? reports : null,
    dedupe: selected.dedupe ? dedupe : null,
  })
  let dedupeMs = 0

  for (const [impl, open] of [
    ['sqlite', openSqlite],
    ['postgres', openPostgres],
  ] as const) {
    const indexOut: IndexImplResult = { impl, rows: records.length + notes.length }
    const reportsOut: ReportsImplResult = { impl }
    const dedupeOut: DedupeImplResult = { impl }
    index.impls.push(indexOut)
    reports.impls.push(reportsOut)
    dedupe.impls.push(dedupeOut)
    let opened: Opened | null = null
    try {
      opened = await open()
      if (!opened) {
        indexOut.error = 'not built yet'
        reportsOut.error = 'not built yet'
        dedupeOut.error = 'not built yet'
        continue
      }
      const target = opened.index
      log(
        `index + reports: ${impl}, loading ${before.length} earlier deal stages, ${shaped.length} records, ${notes.length} notes, ${rooms.length} room facts`,
      )
      // Earlier stages first: the later upsert of the same deal records the move in the stage history.
      const d0 = performance.now()
      await opened.bulkLoad?.before()
      const dropMs = performance.now() - d0
      const b0 = performance.now()
      await bulkLoad(target, before, [])
      const beforeMs = Math.round(performance.now() - b0)
      const byKind = await bulkLoad(target, shaped, notes)
      const f0 = performance.now()
      for (let i = 0; i < rooms.length; i += BATCH)
        await target.apply({ roomFacts: rooms.slice(i, i + BATCH) })
      const roomsMs = Math.round(performance.now() - f0)
      const i0 = performance.now()
      await opened.bulkLoad?.after()
      const indexesMs = Math.round(dropMs + performance.now() - i0)
      indexOut.loadMsByKind = {
        [EARLIER_STAGES]: beforeMs,
        ...byKind,
        [ROOM_FACTS]: roomsMs,
        ...(opened.bulkLoad ? { [INDEXES_AFTER]: indexesMs } : {}),
      }
      indexOut.loadMs = Object.values(indexOut.loadMsByKind).reduce((a, b) => a + b, 0)
      reportsOut.loadMs = indexOut.loadMs
      dedupeOut.loadMs = indexOut.loadMs
      const s0 = performance.now()
      await opened.settle()
      indexOut.settleMs = Math.round(performance.now() - s0)
    } catch (error) {
      const text = errorText(error)
      indexOut.error = text
      reportsOut.error = text
      dedupeOut.error = text
      log(`index + reports: ${impl}, load FAILED: ${text}`)
      await opened?.drop().catch(() => {})
      continue
    }
    if (selected.index) {
      try {
        await measureIndexOn(log, opened, indexOut, records, ctx)
      } catch (error) {
        indexOut.error = errorText(error)
        log(`index: ${impl} FAILED: ${indexOut.error}`)
      }
    }
    if (selected.reports) {
      try {
        await measureReportsOn(log, opened.index, input, reportsOut)
      } catch (error) {
        reportsOut.error = errorText(error)
        log(`reports: ${impl} FAILED: ${reportsOut.error}`)
      }
    }
    if (selected.dedupe) {
      const q0 = performance.now()
      try {
        await measureDedupeOn(log, opened.index, dedupeInput, dedupeOut)
      } catch (error) {
        dedupeOut.error = errorText(error)
        log(`dedupe: ${impl} FAILED: ${dedupeOut.error}`)
      }
      dedupeMs += performance.now() - q0
    }
    await opened.drop().catch(() => {})
  }
  return { dedupeMs: Math.round(dedupeMs) }
}
