import {
  type BoardLayout,
  type CurrencyTotal,
  layoutDeals,
  type Position,
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
