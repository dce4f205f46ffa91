import * as Y from 'yjs'
import { compareStrings, safeKeyBetween } from '../board/position.ts'

/**
 * Diff writes for the per-field settings structures (docs/schema.md §3.8): set a field only when it changed, and give
 * fractional order keys to an ordered list of ids so that only the moved and new ones get a new key.
 */

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof Y.AbstractType || b instanceof Y.AbstractType) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Sets `map[field]` to `value` only when it differs (a plain deep compare); `undefined` deletes it. */
export function setIfChanged(map: Y.Map<unknown>, field: string, value: unknown): void {
  if (value === undefined) {
    if (map.has(field)) map.delete(field)
    return
  }
  if (!map.has(field) || !sameValue(map.get(field), value)) map.set(field, value)
}

/**
 * The entry map under `id` in `parent` with each of `fields` of `value` set where it changed, for the caller's further
 * diff writes; when `parent` holds no map there (none yet, or an old plain value) `fresh()` takes its place and the
 * answer is null (nothing more to write).
 */
export function diffEntry<T extends object>(
  parent: Y.Map<unknown>,
  id: string,
  fresh: () => Y.Map<unknown>,
  value?: T,
  fields: readonly (keyof T & string)[] = [],
): Y.Map<unknown> | null {
  const current = parent.get(id)
  if (!(current instanceof Y.Map)) {
    parent.set(id, fresh())
    return null
  }
  const map = current as Y.Map<unknown>
  if (value !== undefined) for (const field of fields) setIfChanged(map, field, value[field])
  return map
}

/** Indexes (into `ranks`) of a longest strictly increasing subsequence of `ranks` (null = not a candidate). */
function longestIncreasing(ranks: Array<number | null>): Set<number> {
  const tails: number[] = [] // index into ranks of the smallest tail of each length
  const previous = new Map<number, number>()
  for (let i = 0; i < ranks.length; i++) {
    const rank = ranks[i]
    if (rank === null || rank === undefined) continue
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((ranks[tails[mid] as number] as number) < rank) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) previous.set(i, tails[lo - 1] as number)
    tails[lo] = i
  }
  const out = new Set<number>()
  let at = tails[tails.length - 1]
  while (at !== undefined) {
    out.add(at)
    at = previous.get(at)
  }
  return out
}

/**
 * The order keys for `ids` (the desired stage order): stages whose relative order is unchanged (a longest run in
 * the current order) keep their key; moved and new stages get a key between their kept neighbours. Falls back to
 * fresh keys for all when equal keys leave no room.
 */
export function orderKeys(ids: readonly string[], current: ReadonlyMap<string, string>): string[] {
  const currentOrder = [...current.entries()]
    .sort(([ia, ka], [ib, kb]) => compareStrings(ka, kb) || compareStrings(ia, ib))
    .map(([id]) => id)
  const rankOf = new Map(currentOrder.map((id, i) => [id, i]))
  const kept = longestIncreasing(ids.map((id) => rankOf.get(id) ?? null))
  const keys: string[] = []
  let lower: string | null = null
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string
    if (kept.has(i)) {
      lower = current.get(id) as string
      keys.push(lower)
      continue
    }
    let upper: string | null = null
    for (let j = i + 1; j < ids.length; j++) {
      if (kept.has(j)) {
        upper = current.get(ids[j] as string) as string
        break
      }
    }
    lower = safeKeyBetween(lower, upper)
    keys.push(lower)
  }
  const ordered = ids
    .map((id, i) => ({ id, key: keys[i] as string }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id))
  if (ordered.every((entry, i) => entry.id === ids[i])) return keys
  const fresh: string[] = []
  let last: string | null = null
  for (let i = 0; i < ids.length; i++) {
    last = safeKeyBetween(last, null)
    fresh.push(last)
  }
  return fresh
}
