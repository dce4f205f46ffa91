import type { BoardCardState, Position } from '@rapport/model'

/** A move this tab wrote to a deal document that the board (`W/board/P`) does not show yet. */
export interface OptimisticMove {
  /** The board's place of the card when the first of these moves was made (null: not on the board). */
  from: Position | null
  /** Earlier targets of moves made before the board caught up (the mirror may still show one of them). */
  via: readonly Position[]
  to: Position
}

export const samePosition = (a: Position | null | undefined, b: Position | null | undefined): boolean =>
  !!a && !!b && a.column === b.column && a.key === b.key

/** The optimistic move after another move of the same card to `to` (the card shown at `shown`). */
export function nextMove(
  previous: OptimisticMove | undefined,
  shown: Position | null,
  to: Position,
): OptimisticMove {
  if (!previous) return { from: shown, via: [], to }
  return { from: previous.from, via: [...previous.via, previous.to], to }
}

/**
 * Whether the board's entry (`card`, undefined when the card is not on the board) ends the optimistic move: it shows
 * the move's target, or a place that is none of the places the card went through (someone else moved it since, or
 * it left the board).
 */
export function settles(move: OptimisticMove, card: BoardCardState | undefined): boolean {
  const at = card ? { column: card.stageId, key: card.key } : null
  if (samePosition(at, move.to)) return true
  if (move.from === null) return false
  return ![move.from, ...move.via].some((p) => samePosition(at, p))
}

/** The moves still waiting for the board, or `moves` itself when none ended. */
export function settleMoves(
  moves: ReadonlyMap<string, OptimisticMove>,
  entries: ReadonlyMap<string, BoardCardState>,
): ReadonlyMap<string, OptimisticMove> {
  let next: Map<string, OptimisticMove> | null = null
  for (const [id, move] of moves)
    if (settles(move, entries.get(id))) {
      next ??= new Map(moves)
      next.delete(id)
    }
  return next ?? moves
}
