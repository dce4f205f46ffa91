import type { Activity } from '@rapport/model'

/** A Yjs item id. */
export interface ItemId {
  client: number
  clock: number
}

/** What the detection needs of one Yjs item in a map key's history: its id, its length and its `origin`. */
export interface KeyItem {
  id: ItemId
  length: number
  /** The last id of the item to its left when it was written: the value its writer had seen and replaced. */
  origin: ItemId | null
}

/** How far back a key's history is followed. */
const MAX_STEPS = 500

const sameId = (a: ItemId, b: ItemId): boolean => a.client === b.client && a.clock === b.clock

export const containsId = (item: KeyItem, id: ItemId): boolean =>
  id.client === item.id.client && id.clock >= item.id.clock && id.clock < item.id.clock + item.length

/**
 * How the field's current value relates to the set we committed (`mine`, the id of our item):
 * - `mine`: still our value;
 * - `knowing`: replaced by a writer who had seen our value (its origin chain leads to our item) — an ordinary edit;
 * - `concurrent`: replaced by a set written without seeing ours (Yjs kept it over ours by client id): our value was
 *   lost without anybody choosing to replace it.
 * `itemAt` finds the item of the key's history that holds an id (undefined when unknown or garbage-collected away).
 */
export function classifyOverwrite(
  mine: ItemId,
  current: KeyItem,
  itemAt: (id: ItemId) => KeyItem | undefined,
): 'mine' | 'knowing' | 'concurrent' {
  if (containsId(current, mine)) return 'mine'
  let item: KeyItem | undefined = current
  for (let steps = 0; item && steps < MAX_STEPS; steps += 1) {
    const origin: ItemId | null = item.origin
    if (!origin) return 'concurrent'
    if (sameId(origin, mine)) return 'knowing'
    // Our own older sets come before ours: the chain went past our item without meeting it.
    if (origin.client === mine.client && origin.clock < mine.clock) return 'concurrent'
    item = itemAt(origin)
  }
  return 'concurrent'
}

/**
 * Who set `field` of the account to `value`, from the server-written timeline (attribution the server took from the
 * connection, never from the data): the newest `field_change` of the account whose change of `field` has that value
 * as `after` and was kept (no `overruledBy`). Null while the entry is not there yet.
 */
export function writerOf(
  timeline: Iterable<Activity>,
  accountId: string,
  field: string,
  value: unknown,
): string | null {
  let found: Activity | null = null
  for (const activity of timeline) {
    if (activity.type !== 'field_change' || activity.subject.kind !== 'account') continue
    if (activity.subject.id !== accountId || !activity.actorId) continue
    const kept = activity.changes.some((c) => c.field === field && c.after === value && !c.overruledBy)
    if (kept && (!found || activity.at > found.at)) found = activity
  }
  return found?.actorId ?? null
}

/** `Sasha Sales changed Industry to 'Retail' — your 'Fintech' was replaced`. */
export function conflictText(who: string | null, label: string, theirs: string, mine: string): string {
  return `${who ?? 'Someone'} changed ${label} to '${theirs}' — your '${mine}' was replaced`
}
