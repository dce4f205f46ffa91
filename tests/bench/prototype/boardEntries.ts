import type * as Y from 'yjs'
import { z } from 'zod'

/**
 * Prototype of a live board document for issue #12 (`W/board/P`): ONE small entry per open card, nothing else.
 *
 * `pos` : Y.Map<dealId, [stageId, key, status, enteredAtMinute]> — a plain tuple, written whole by a client's
 * move (stage, order key and status always come from the same writer) and by the server (eviction, reopen,
 * repairs). The card's face (title, amount, owner, account name) and the column totals come from the index
 * (REST board snapshot + change feed), not from this document: with the face inside, 20k open cards measured
 * 3.3 MB; as tuples alone 0.93 MB (`boardVariants.ts`).
 *
 * A concurrent `set` beats a `delete` of the same key in a Y.Map (the delete only removes the item it saw), so a
 * move racing with the server's eviction of a closed card keeps the card on the board.
 */
export const CardPos = z.tuple([z.string(), z.string(), z.enum(['o', 'w', 'l']), z.number().int()])
export type CardPos = z.infer<typeof CardPos>
export type Status = 'open' | 'won' | 'lost'

export const POS_MAP = 'pos'
export const CLOSED_TTL_MS = 7 * 86_400_000
const STATUS_CODE = { open: 'o', won: 'w', lost: 'l' } as const

export function posMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(POS_MAP)
}

export function encodePos(stageId: string, key: string, status: Status, enteredAt: number): CardPos {
  return [stageId, key, STATUS_CODE[status], Math.floor(enteredAt / 60_000)]
}

/** A card's position, or undefined when absent or malformed (validated at the boundary, like every Y.Map read). */
export function readPos(doc: Y.Doc, id: string): CardPos | undefined {
  const parsed = CardPos.safeParse(posMap(doc).get(id))
  return parsed.success ? parsed.data : undefined
}

/** A client's move (drag, keyboard, Won/Lost button): one value, one transaction. */
export function moveCard(doc: Y.Doc, id: string, pos: CardPos, origin: unknown): void {
  doc.transact(() => posMap(doc).set(id, pos), origin)
}

/** The server removes cards closed for longer than the TTL; they stay in the index (search, reports, reopen). */
export function evictClosed(doc: Y.Doc, now: number, origin: unknown): string[] {
  const gone: string[] = []
  for (const id of posMap(doc).keys()) {
    const pos = readPos(doc, id)
    if (pos !== undefined && pos[2] !== 'o' && now - pos[3] * 60_000 > CLOSED_TTL_MS) gone.push(id)
  }
  if (gone.length === 0) return gone
  doc.transact(() => {
    for (const id of gone) posMap(doc).delete(id)
  }, origin)
  return gone
}

/** Cards of one column in board order: sort by (key, id), because two writers can pick the same key. */
export function columnOf(doc: Y.Doc, stageId: string): string[] {
  const rows: Array<[string, string]> = []
  for (const id of posMap(doc).keys()) {
    const pos = readPos(doc, id)
    if (pos !== undefined && pos[0] === stageId) rows.push([pos[1], id])
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return rows.map(([, id]) => id)
}
