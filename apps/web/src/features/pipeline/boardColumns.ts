import { compareByPosition, type Position } from '@rapport/model'

/** The fields of a deal the board needs (structurally a subset of the model's `Deal`). */
export interface BoardDeal {
  id: string
  title: string
  accountId: string | null
  amount: number
  currency: string
  ownerId: string | null
  position: Position
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
  total: number
  /** Sum of amount × stage probability. */
  weighted: number
  currency: string | null
}

export interface Board {
  /** Stage id → ordered deal ids, in stage order (the shape `resolveDrop` and `moveByKeyboard` take). */
  columns: Record<string, string[]>
  /** Deal id → its fractional key. */
  keys: Record<string, string>
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
 * Columns, order and per-stage figures of a pipeline board. Deals whose stage no longer exists are shown in the
 * first column so they stay reachable; archived deals are hidden.
 */
export function buildBoard(
  deals: Iterable<BoardDeal>,
  stages: readonly BoardStage[],
  filter: BoardFilter,
  accountNames: ReadonlyMap<string, string>,
): Board {
  const known = new Set(stages.map((s) => s.id))
  const firstStage = stages[0]?.id
  const buckets = new Map<string, BoardDeal[]>(stages.map((s) => [s.id, []]))
  const keys: Record<string, string> = {}
  for (const deal of deals) {
    if (deal.archived) continue
    if (!matchesFilter(deal, filter, deal.accountId ? accountNames.get(deal.accountId) : undefined)) continue
    const column = known.has(deal.position.column) ? deal.position.column : firstStage
    if (column === undefined) continue
    buckets.get(column)?.push(deal)
    keys[deal.id] = deal.position.key
  }
  const columns: Record<string, string[]> = {}
  const summaries: ColumnSummary[] = []
  for (const stage of stages) {
    const list = (buckets.get(stage.id) ?? []).sort(compareByPosition)
    columns[stage.id] = list.map((d) => d.id)
    const currencies = new Set(list.map((d) => d.currency))
    const total = list.reduce((sum, d) => sum + d.amount, 0)
    summaries.push({
      stage,
      count: list.length,
      total,
      weighted: Math.round(total * stage.probability * 100) / 100,
      currency: currencies.size === 1 ? ([...currencies][0] ?? null) : null,
    })
  }
  return { columns, keys, summaries }
}

/** The column holding `id`, or `null`. */
export function columnOf(columns: Record<string, readonly string[]>, id: string): string | null {
  for (const [column, ids] of Object.entries(columns)) if (ids.includes(id)) return column
  return null
}

/**
 * Moves `id` to `column` at `index` in a local copy of the columns (the optimistic order shown while dragging).
 * Nothing is written to the document.
 */
export function moveInColumns(
  columns: Record<string, readonly string[]>,
  id: string,
  column: string,
  index: number,
): Record<string, string[]> {
  const next: Record<string, string[]> = {}
  for (const [c, ids] of Object.entries(columns)) next[c] = ids.filter((x) => x !== id)
  const target = next[column]
  if (!target) return next
  target.splice(Math.max(0, Math.min(index, target.length)), 0, id)
  return next
}

/**
 * The drop target that reproduces the optimistic placement of `id` in `columns`: after its predecessor, before
 * its successor, or the column itself when it is alone. Feed this to `resolveDrop` with the REAL columns.
 */
export function dropTargetFor(
  columns: Record<string, readonly string[]>,
  id: string,
): { over: { type: 'card' | 'column'; id: string }; placement: 'before' | 'after' } | null {
  const column = columnOf(columns, id)
  if (column === null) return null
  const ids = columns[column] ?? []
  const index = ids.indexOf(id)
  const prev = ids[index - 1]
  if (prev !== undefined) return { over: { type: 'card', id: prev }, placement: 'after' }
  const next = ids[index + 1]
  if (next !== undefined) return { over: { type: 'card', id: next }, placement: 'before' }
  return { over: { type: 'column', id: column }, placement: 'before' }
}

/** Applies a position to a local board copy (keyboard mode), keeping the (key, id) order. */
export function applyPosition(
  board: Pick<Board, 'columns' | 'keys'>,
  id: string,
  position: Position,
): Pick<Board, 'columns' | 'keys'> {
  const keys = { ...board.keys, [id]: position.key }
  const columns: Record<string, string[]> = {}
  for (const [c, ids] of Object.entries(board.columns)) columns[c] = ids.filter((x) => x !== id)
  const target = columns[position.column]
  if (target) {
    target.push(id)
    target.sort((a, b) => {
      const ka = keys[a] ?? ''
      const kb = keys[b] ?? ''
      return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0
    })
  }
  return { columns, keys }
}

export function formatMoney(amount: number, currency: string | null): string {
  if (currency === null) return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(amount)
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      amount,
    )
  } catch {
    return `${Math.round(amount)} ${currency}`
  }
}
