import { type Activity, customFieldKey, jsonEqual, LEGACY_CUSTOM_FIELDS_KEY } from '@rapport/model'
import type * as Y from 'yjs'

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
    const kept = activity.changes.some(
      (c) => c.field === field && jsonEqual(c.after, value) && !c.overruledBy,
    )
    if (kept && (!found || activity.at > found.at)) found = activity
  }
  return found?.actorId ?? null
}

/** `Sasha Sales changed Industry to 'Retail' — your 'Fintech' was replaced`. */
export function conflictText(who: string | null, label: string, theirs: string, mine: string): string {
  return `${who ?? 'Someone'} changed ${label} to '${theirs}' — your '${mine}' was replaced`
}

/**
 * The record-map keys a patch of a record writes, i.e. the keys whose sets we committed: each key as is, except
 * `customFields: { [fieldId]: value }`, whose values the model writes as one `cf:<fieldId>` entry each.
 */
export function committedKeys(patch: Readonly<Record<string, unknown>>): string[] {
  const keys: string[] = []
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === LEGACY_CUSTOM_FIELDS_KEY &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      for (const fieldId of Object.keys(value)) keys.push(customFieldKey(fieldId))
    } else keys.push(key)
  }
  return keys
}

/** A set we committed: the value and the id of its Yjs item. */
export interface CommittedSet {
  value: unknown
  item: ItemId
}

/** A value we committed that a concurrent set replaced (raw values, as stored). */
export interface ReplacedSet {
  mine: unknown
  theirs: unknown
}

const HISTORY = 500

const keyItem = (item: Y.Item): KeyItem => ({ id: item.id, length: item.length, origin: item.origin })

/** The key's history, newest first, as far back as HISTORY items. */
const historyOf = (record: Y.Map<unknown>, field: string): Y.Item[] => {
  const items: Y.Item[] = []
  for (let item = record._map.get(field) ?? null; item && items.length < HISTORY; item = item.left)
    items.push(item)
  return items
}

/** Our sets of `fields` of `record`, just committed locally (fields without a live value are skipped). */
export function committedSets(
  record: Y.Map<unknown>,
  fields: Iterable<string>,
): Array<[string, CommittedSet]> {
  const out: Array<[string, CommittedSet]> = []
  for (const field of fields) {
    const item = record._map.get(field)
    if (item && !item.deleted) out.push([field, { value: record.get(field), item: item.id }])
  }
  return out
}

/**
 * After a REMOTE change of `keys` of `record`: which of our committed sets were replaced by a concurrent set
 * (`conflicts`), and which are no longer ours to follow (`settled`: replaced, knowingly or not). A key we did not
 * commit, or whose value is still ours, is in neither.
 */
export function replacedSets(
  record: Y.Map<unknown>,
  keys: Iterable<string>,
  committed: ReadonlyMap<string, CommittedSet>,
): { conflicts: Map<string, ReplacedSet>; settled: string[] } {
  const conflicts = new Map<string, ReplacedSet>()
  const settled: string[] = []
  for (const field of keys) {
    const mine = committed.get(field)
    const current = record._map.get(field)
    if (!mine || !current || current.deleted) continue
    const items = historyOf(record, field).map(keyItem)
    const itemAt = (id: ItemId) => items.find((item) => containsId(item, id))
    const how = classifyOverwrite(mine.item, keyItem(current), itemAt)
    if (how === 'mine') continue
    settled.push(field)
    if (how === 'concurrent') conflicts.set(field, { mine: mine.value, theirs: record.get(field) })
  }
  return { conflicts, settled }
}
