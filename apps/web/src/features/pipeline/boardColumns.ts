import {
  type BoardLayout,
  type CurrencyTotal,
  compareByPosition,
  layoutDeals,
  lowerBound,
  type Position,
  placeDeal,
  totalsByCurrency,
} from '@rapport/model'

/** The fields of a deal the board needs (structurally a subset of the model's `Deal`). */
export interface BoardDeal {
  id: string
  title: string
  accountId: string | null
  amount: number
  currency: string
  ownerId: string | null
  position: Position
  /** With `position`, decides the column (the model's `placeDeal`). */
  status: 'open' | 'won' | 'lost'
  stageEnteredAt: number
  archived: boolean
}

export interface BoardStage {
  id: string
  name: string
  probability: number
  rotAfterDays: number | null
  outcome: 'open' | 'won' | 'lost'
}

export interface BoardFilter {
  /** `null` = everybody; `'none'` = unassigned. */
  ownerId: string | null
  text: string
}

export interface ColumnSummary {
  stage: BoardStage
  count: number
  /** One entry per currency present, largest total first (ties by currency code). */
  totals: CurrencyTotal[]
}

/** The live layout of a pipeline (stage id → ordered deal ids) with per-stage figures. */
export interface Board extends BoardLayout {
  summaries: ColumnSummary[]
}

const DAY_MS = 86_400_000

export function daysInStage(deal: Pick<BoardDeal, 'stageEnteredAt'>, now: number): number {
  return Math.max(0, Math.floor((now - deal.stageEnteredAt) / DAY_MS))
}

/** A deal rots when it sat in an open stage longer than the stage's `rotAfterDays`. */
export function isStale(
  deal: Pick<BoardDeal, 'stageEnteredAt'>,
  stage: BoardStage | undefined,
  now: number,
): boolean {
  if (stage?.outcome !== 'open' || stage.rotAfterDays === null) return false
  return daysInStage(deal, now) > stage.rotAfterDays
}

export function matchesFilter(
  deal: BoardDeal,
  filter: BoardFilter,
  accountName: string | undefined,
): boolean {
  if (filter.ownerId === 'none' && deal.ownerId !== null) return false
  if (filter.ownerId !== null && filter.ownerId !== 'none' && deal.ownerId !== filter.ownerId) return false
  const text = filter.text.trim().toLowerCase()
  if (!text) return true
  return deal.title.toLowerCase().includes(text) || (accountName ?? '').toLowerCase().includes(text)
}

/**
 * Columns, order and per-stage figures of a pipeline board. Every deal is in the column the model's `placeDeal`
 * gives (a deal whose stage no longer exists goes to the first stage of its status), like the server's board
 * snapshot; archived deals are hidden.
 */
export function buildBoard(
  deals: Iterable<BoardDeal>,
  stages: readonly BoardStage[],
  filter: BoardFilter,
  accountNames: ReadonlyMap<string, string>,
): Board {
  const { columns, keys, records } = layoutDeals(deals, stages, (deal) =>
    matchesFilter(deal, filter, deal.accountId ? accountNames.get(deal.accountId) : undefined),
  )
  const summaries: ColumnSummary[] = stages.map((stage) => {
    const list = records[stage.id] ?? []
    return { stage, count: list.length, totals: totalsByCurrency(list, stage.probability) }
  })
  return { columns, keys, summaries }
}

const compactFormatters = new Map<string, Intl.NumberFormat | null>()

/** A short amount with its symbol: `€1.2M`, `$300K`, `£950`. */
export function formatCompactMoney(amount: number, currency: string): string {
  let f = compactFormatters.get(currency)
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        notation: 'compact',
        minimumFractionDigits: 0,
        maximumFractionDigits: 1,
      })
    } catch {
      f = null
    }
    compactFormatters.set(currency, f)
  }
  return f ? f.format(amount) : `${Math.round(amount)} ${currency}`
}

/** Per-currency figures joined with a middle dot (`€1.2M · $300K`); `—` for an empty column. */
export function formatTotals(totals: readonly CurrencyTotal[], which: 'total' | 'weighted'): string {
  if (totals.length === 0) return '—'
  return totals.map((t) => formatCompactMoney(t[which], t.currency)).join(' · ')
}

const formatters = new Map<string, Intl.NumberFormat | null>()

/** Intl.NumberFormat is costly to build (it showed in board render profiles): one per currency, reused. */
function formatterFor(currency: string | null): Intl.NumberFormat | null {
  const key = currency ?? ''
  let f = formatters.get(key)
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(
        'en-US',
        currency === null
          ? { maximumFractionDigits: 0 }
          : { style: 'currency', currency, maximumFractionDigits: 0 },
      )
    } catch {
      f = null
    }
    formatters.set(key, f)
  }
  return f
}

export function formatMoney(amount: number, currency: string | null): string {
  const f = formatterFor(currency)
  return f ? f.format(amount) : `${Math.round(amount)} ${currency}`
}

interface BoardInputs {
  deals: ReadonlyMap<string, BoardDeal>
  stages: readonly BoardStage[]
  filter: BoardFilter
  names: ReadonlyMap<string, string>
}

/** Changed deals above this share of the board rebuild it whole (a sort is then cheaper than one splice each). */
const INCREMENTAL_MAX_SHARE = 0.05

/**
 * `buildBoard` over a live map of deals, kept between calls: when the stages, the filter and the account names are
 * the same as last time, only the deals whose objects changed (added, removed or replaced in the map) leave and enter
 * their columns, by binary search; the other columns, their figures and the unchanged deals are kept. A remote move
 * on a 20,000-card board re-places one card instead of sorting every column. Always equal to `buildBoard` over the
 * same inputs (property test in boardColumns.test.ts); callers must replace a deal's object when it changes, never
 * mutate it. Successive boards share their `keys` object, which holds the current keys (read it, do not keep it as a
 * snapshot of an earlier board).
 */
export class LiveBoard {
  private last: (BoardInputs & { board: Board; buckets: Record<string, BoardDeal[]> }) | null = null

  build(
    deals: ReadonlyMap<string, BoardDeal>,
    stages: readonly BoardStage[],
    filter: BoardFilter,
    names: ReadonlyMap<string, string>,
  ): Board {
    const last = this.last
    const inputs = { deals, stages, filter, names }
    const changed =
      last && last.stages === stages && last.names === names && sameFilter(last.filter, filter)
        ? changedIds(last.deals, deals, Math.max(16, Math.floor(deals.size * INCREMENTAL_MAX_SHARE)))
        : null
    if (last && changed) {
      if (changed.length === 0) {
        this.last = { ...last, ...inputs }
        return last.board
      }
      const next = applyChanges(last, inputs, changed)
      this.last = { ...inputs, ...next }
      return next.board
    }
    const { columns, keys, records } = layoutDeals(deals.values(), stages, (deal) =>
      matchesFilter(deal, filter, deal.accountId ? names.get(deal.accountId) : undefined),
    )
    const board: Board = {
      columns,
      keys,
      summaries: stages.map((stage) => summaryOf(stage, records[stage.id] ?? [])),
    }
    this.last = { ...inputs, board, buckets: records }
    return board
  }
}

const sameFilter = (a: BoardFilter, b: BoardFilter): boolean => a.ownerId === b.ownerId && a.text === b.text

function summaryOf(stage: BoardStage, list: readonly BoardDeal[]): ColumnSummary {
  return { stage, count: list.length, totals: totalsByCurrency(list, stage.probability) }
}

/** Ids whose deal object differs between the two maps (added, removed, replaced), or `null` when more than `max`. */
function changedIds(
  before: ReadonlyMap<string, BoardDeal>,
  after: ReadonlyMap<string, BoardDeal>,
  max: number,
): string[] | null {
  const out: string[] = []
  let added = 0
  for (const [id, deal] of after) {
    const old = before.get(id)
    if (old === deal) continue
    if (old === undefined) added++
    out.push(id)
    if (out.length > max) return null
  }
  // Removed ids: only looked for when the sizes say some are gone.
  if (before.size > after.size - added) {
    for (const id of before.keys()) {
      if (after.has(id)) continue
      out.push(id)
      if (out.length > max) return null
    }
  }
  return out
}

function applyChanges(
  last: BoardInputs & { board: Board; buckets: Record<string, BoardDeal[]> },
  inputs: BoardInputs,
  changed: readonly string[],
): { board: Board; buckets: Record<string, BoardDeal[]> } {
  const { stages, filter, names } = inputs
  const columnOf = (deal: BoardDeal | undefined): string | null => {
    if (!deal || deal.archived) return null
    if (!matchesFilter(deal, filter, deal.accountId ? names.get(deal.accountId) : undefined)) return null
    return placeDeal(deal, stages)
  }
  const buckets = { ...last.buckets }
  const touched = new Set<string>()
  const bucket = (column: string): BoardDeal[] => {
    if (!touched.has(column)) {
      touched.add(column)
      buckets[column] = [...(last.buckets[column] ?? [])]
    }
    return buckets[column] as BoardDeal[]
  }
  // The keys object is updated in place (a copy of 20,000 keys cost more than the whole rebuild): successive boards of
  // one LiveBoard share it, so it always holds the current keys.
  const keys = last.board.keys
  for (const id of changed) {
    const old = last.deals.get(id)
    const from = columnOf(old)
    if (old && from !== null) {
      const list = bucket(from)
      const at = lowerBound(list, old, compareByPosition)
      const index = list[at] === old ? at : list.findIndex((d) => d.id === id)
      if (index >= 0) list.splice(index, 1)
      delete keys[id]
    }
    const deal = inputs.deals.get(id)
    const to = columnOf(deal)
    if (deal && to !== null) {
      const list = bucket(to)
      list.splice(lowerBound(list, deal, compareByPosition), 0, deal)
      keys[id] = deal.position.key
    }
  }
  const columns = { ...last.board.columns }
  for (const column of touched) columns[column] = (buckets[column] ?? []).map((d) => d.id)
  const summaries = last.board.summaries.map((summary) =>
    touched.has(summary.stage.id) ? summaryOf(summary.stage, buckets[summary.stage.id] ?? []) : summary,
  )
  return { board: { columns, keys, summaries }, buckets }
}
