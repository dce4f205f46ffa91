import type * as Y from 'yjs'
import { z } from 'zod'
import { AUTHORS_MAP } from './layout.ts'

/**
 * Who wrote what in an account room. Every Yjs item carries `id.client`, the Yjs clientID of the replica that
 * created it. The SERVER records, in the room's `authors` map (key = clientID in decimal), which authenticated user's
 * connection first sent that clientID, and coarse time marks: `[clock, at]` = items of this clientID from `clock` on
 * were received at `at` (until the next mark). Clients only read this map; the server reverts client writes to it.
 */
export const AUTHOR_MARK_MS = 60_000
export const AUTHOR_MARKS_MAX = 240
/** At most this many relayed ranges per clientID; the server refuses further relays under it (spoofed-author). */
export const AUTHOR_RELAYS_MAX = 240

export const AuthorMark = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
export type AuthorMark = z.infer<typeof AuthorMark>

/**
 * `[from, to, userId, at]`: the items `[from, to)` of this clientID were sent by `userId`'s connection (not the
 * entry's user) at `at` — content the server had lost in a crash and another client re-sent (relayed) before its
 * author did, or a live writer of a clientID first sent by someone else. The server vouches only for the sender.
 */
export const AuthorRelay = z.tuple([
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.string().min(1).max(64),
  z.number().int().nonnegative(),
])
export type AuthorRelay = z.infer<typeof AuthorRelay>

export const AuthorEntry = z.object({
  /** The user whose connection first sent this clientID; null = written by the server itself. */
  userId: z.string().min(1).max(64).nullable(),
  /** When the server first received an item of this clientID (epoch ms). */
  at: z.number().int().nonnegative(),
  /** Ascending by clock; the first mark is the first clock seen. At most AUTHOR_MARKS_MAX. */
  marks: z.array(AuthorMark).max(AUTHOR_MARKS_MAX),
  /** Ranges of this clientID sent by another user's connection (ascending by `from`); absent = none. */
  relays: z.array(AuthorRelay).max(AUTHOR_RELAYS_MAX).optional(),
})
export type AuthorEntry = z.infer<typeof AuthorEntry>

/** The room's `authors` map. */
export function authorsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(AUTHORS_MAP)
}

/** Every valid entry of the map by clientID; invalid entries are skipped. */
export function readAuthors(map: Y.Map<unknown>): Map<number, AuthorEntry> {
  const out = new Map<number, AuthorEntry>()
  for (const key of map.keys()) {
    const client = Number(key)
    const entry = Number.isSafeInteger(client) ? readAuthor(map, client) : null
    if (entry) out.set(client, entry)
  }
  return out
}

/** The valid entry of one clientID, or `null` (one lookup: for the server's per-update checks). */
export function readAuthor(map: Y.Map<unknown>, client: number): AuthorEntry | null {
  const parsed = AuthorEntry.safeParse(map.get(String(client)))
  return parsed.success ? parsed.data : null
}

/** When the item at `clock` of this clientID was received (the last mark at or before it; else first seen). */
export function authorTimeAt(entry: AuthorEntry, clock: number): number {
  let at = entry.at
  for (const [from, markAt] of entry.marks) {
    if (from > clock) break
    at = markAt
  }
  return at
}

/** Who sent the item at `clock` of this clientID, and when: a relayed range's sender, else the entry's user. */
export function authorAt(entry: AuthorEntry, clock: number): { userId: string | null; at: number } {
  for (const [from, to, userId, at] of entry.relays ?? []) {
    if (clock >= from && clock < to) return { userId, at }
  }
  return { userId: entry.userId, at: authorTimeAt(entry, clock) }
}

/**
 * The entry after items `[from, to)` arrived from `userId`'s connection, another user than the entry's: a new relay
 * range, or the last one extended when it is the same user's and ends at `from`. Null when the entry already holds
 * AUTHOR_RELAYS_MAX ranges (the server then refuses the update rather than attribute it wrongly).
 */
export function withAuthorRelay(
  entry: AuthorEntry,
  from: number,
  to: number,
  userId: string,
  at: number,
): AuthorEntry | null {
  const relays = entry.relays ?? []
  const last = relays.at(-1)
  if (last && last[2] === userId && last[1] === from) {
    return { ...entry, relays: [...relays.slice(0, -1), [last[0], to, userId, last[3]]] }
  }
  if (relays.length >= AUTHOR_RELAYS_MAX) return null
  return { ...entry, relays: [...relays, [from, to, userId, at]] }
}

/**
 * The entry after items `[clock, …)` of the same clientID arrived at `at`: a new mark when the last one is at least
 * AUTHOR_MARK_MS older; past AUTHOR_MARKS_MAX every other older mark is dropped (times get coarser, never wrong by
 * more than the dropped span). Returns the same object when nothing changes.
 */
export function withAuthorMark(entry: AuthorEntry, clock: number, at: number): AuthorEntry {
  const last = entry.marks.at(-1)
  if (last && (at - last[1] < AUTHOR_MARK_MS || clock <= last[0])) return entry
  let marks: AuthorMark[] = [...entry.marks, [clock, at]]
  if (marks.length > AUTHOR_MARKS_MAX) marks = marks.filter((_, i) => i % 2 === 0 || i === marks.length - 1)
  return { ...entry, marks }
}
