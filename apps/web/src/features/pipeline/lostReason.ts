import type { Position, Stage } from '@rapport/model'

/** A move into a lost stage waiting for its reason: shown on the board, not written yet. */
export interface PendingLoss {
  dealId: string
  /** Where the deal was when the move was asked for (a change meanwhile means someone else moved it). */
  from: Position
  to: Position
}

/** What these checks need of a deal (structurally a subset of `Deal`). */
export interface PlacedDeal {
  position: Position
  status: 'open' | 'won' | 'lost'
  archived?: boolean
}

/** A move asks why the deal was lost when it takes a deal that is not lost yet into a lost stage. */
export function asksLostReason(
  stages: readonly Pick<Stage, 'id' | 'outcome'>[],
  deal: PlacedDeal,
  to: Position,
) {
  const stage = stages.find((s) => s.id === to.column)
  return stage?.outcome === 'lost' && deal.status !== 'lost'
}

/** The reason as written: trimmed, `null` when left empty. */
export function lostReasonOf(text: string): string | null {
  const reason = text.trim()
  return reason === '' ? null : reason
}

/** The deals as shown while a loss waits for its reason: that deal already in its new place. */
export function withPendingLoss<T extends PlacedDeal>(
  deals: ReadonlyMap<string, T>,
  pending: PendingLoss | null,
): ReadonlyMap<string, T> {
  const deal = pending ? deals.get(pending.dealId) : undefined
  if (!pending || !deal) return deals
  return new Map(deals).set(pending.dealId, { ...deal, position: pending.to })
}

/** Whether the deal is still where it was when the loss was asked for (nobody else moved or removed it). */
export function stillAt(deal: PlacedDeal | null | undefined, pending: PendingLoss): boolean {
  if (!deal || deal.archived) return false
  return deal.position.column === pending.from.column && deal.position.key === pending.from.key
}
