import { generateKeyBetween } from 'fractional-indexing'
import { z } from 'zod'

/**
 * Where a card sits on a board: its column and a fractional order key, stored together as ONE plain value
 * so that column and order always come from the same writer.
 */
export const positionSchema = z.object({
  column: z.string().min(1).max(64),
  key: z.string().min(1).max(1024),
})
export type Position = z.infer<typeof positionSchema>

/** Anything with an id and a position (deals, tickets, checklist items via `{column, key}`). */
export interface Positioned {
  id: string
  position: Position
  archived?: boolean
}

/** Plain code-unit comparison, the order fractional-indexing keys are designed for (never localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Board order: by key, then by id (two clients inserting in the same gap produce equal keys). */
export function compareByPosition(a: Positioned, b: Positioned): number {
  return compareStrings(a.position.key, b.position.key) || compareStrings(a.id, b.id)
}

/** The ordered ids of the non-archived items in `column`. */
export function columnView(items: Iterable<Positioned>, column: string): string[] {
  const inColumn: Positioned[] = []
  for (const item of items) {
    if (item.position.column === column && item.archived !== true) inColumn.push(item)
  }
  return inColumn.sort(compareByPosition).map((item) => item.id)
}

/** `generateKeyBetween` that never throws: falls back to one open side, then to a fresh key. */
export function safeKeyBetween(lower: string | null, upper: string | null): string {
  const attempts: Array<[string | null, string | null]> = [
    [lower, upper],
    [lower, null],
    [null, upper],
  ]
  for (const [a, b] of attempts) {
    try {
      return generateKeyBetween(a, b)
    } catch {
      // invalid or misordered neighbour keys (bad data, equal keys): try a looser bound
    }
  }
  return generateKeyBetween(null, null)
}

/** A key after every key in `keys` (for appending to the end of a column). */
export function keyAfterAll(keys: Iterable<string>): string {
  let max: string | null = null
  for (const key of keys) if (max === null || key > max) max = key
  return safeKeyBetween(max, null)
}

/**
 * A key that places an item at `index` among `orderedKeys` (the keys of the OTHER items of the column, in
 * board order). Never throws.
 *
 * Equal neighbour keys (two clients inserted into the same gap) leave no key strictly between them; the
 * item then goes just before or just after that run of equal keys, whichever is closer to `index`
 * (before on a tie), so the resulting order is still well defined and identical on every replica.
 */
export function keyForIndex(orderedKeys: readonly string[], index: number): string {
  const at = Math.max(0, Math.min(Math.trunc(index), orderedKeys.length))
  const lower = orderedKeys[at - 1] ?? null
  const upper = orderedKeys[at] ?? null
  if (lower === null || upper === null || lower < upper) return safeKeyBetween(lower, upper)
  // lower >= upper: a run of equal (or misordered) keys around the gap.
  let start = at - 1
  while (start > 0 && (orderedKeys[start - 1] ?? '') >= upper) start--
  let end = at
  while (end < orderedKeys.length - 1 && (orderedKeys[end + 1] ?? '') <= lower) end++
  const below = orderedKeys[start - 1] ?? null
  const above = orderedKeys[end + 1] ?? null
  const run = [...orderedKeys.slice(start, end + 1)].sort(compareStrings)
  const minKey = run[0] ?? upper
  const maxKey = run[run.length - 1] ?? lower
  const distanceBefore = at - start
  const distanceAfter = end + 1 - at
  return distanceBefore <= distanceAfter ? safeKeyBetween(below, minKey) : safeKeyBetween(maxKey, above)
}
