import * as Y from 'yjs'
import { z } from 'zod'
import { BOARD_POS_MAP } from '../layout.ts'
import type { BoardLayout } from './columns.ts'
import { layoutDeals, type PlacementStage } from './placement.ts'
import { positionSchema } from './position.ts'

/**
 * The derived board of pipeline P (`W/board/P`, issue #12). The deal documents (`W/deal/D`) are the only truth; the
 * server mirrors each deal's converged state into ONE small entry per card and is the only writer (board connections
 * are read-only for every role). Map `pos`: dealId → `[stageId, key, status, enteredAtMinute]`
 * - `stageId`, `key`: the deal's `position` (column + fractional order key);
 * - `status`: `'o'` open, `'w'` won, `'l'` lost;
 * - `enteredAtMinute`: `floor(stageEnteredAt / 60000)`, when the deal entered its stage (closed cards leave the
 *   board `closedDays` after it).
 * A plain tuple measured 0.93 MB for 20k cards (objects 1.6 MB, with card faces 3.3 MB): faces and totals come from
 * the index. Entries are only ever written whole, so stage, key and status always come from one deal state.
 */

export const BOARD_STATUS_CODES = { open: 'o', won: 'w', lost: 'l' } as const
export type DealStatus = keyof typeof BOARD_STATUS_CODES
const STATUS_OF_CODE = { o: 'open', w: 'won', l: 'lost' } as const

/** One stored board entry, validated at every read (a malformed entry is ignored, never thrown). */
export const BoardEntry = z.tuple([
  positionSchema.shape.column,
  positionSchema.shape.key,
  z.enum(['o', 'w', 'l']),
  z.number().int().nonnegative(),
])
export type BoardEntry = z.infer<typeof BoardEntry>

/** A board entry decoded: where the card is and since when (ms, minute precision). */
export interface BoardCardState {
  stageId: string
  key: string
  status: DealStatus
  enteredAt: number
}

/** How long a closed card stays on the board by default (the workspace setting `closedDays`). */
export const CLOSED_DAYS_DEFAULT = 7
const MINUTE = 60_000
const DAY = 86_400_000

/** What the mirror needs of a deal (structurally a subset of `Deal`). */
export interface MirroredDeal {
  pipelineId: string
  position: { column: string; key: string }
  status: DealStatus
  stageEnteredAt: number
  archived: boolean
}

export function encodeBoardEntry(card: BoardCardState): BoardEntry {
  return [card.stageId, card.key, BOARD_STATUS_CODES[card.status], Math.floor(card.enteredAt / MINUTE)]
}

const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max
const isCode = (v: unknown): v is keyof typeof STATUS_OF_CODE => v === 'o' || v === 'w' || v === 'l'

/**
 * Whether `value` is a valid stored entry: exactly what `BoardEntry` accepts (property test in boardEntries.test.ts),
 * checked by hand — every card of a board is decoded at the sync of `W/board/P` and at each board read of the server,
 * and zod's tuple parse cost ~8 µs per entry (~160 ms for 20,000 cards in the browser's profile of a first visit).
 */
export function isBoardEntry(value: unknown): value is BoardEntry {
  if (!Array.isArray(value) || value.length !== 4) return false
  const [stageId, key, code, minute] = value as unknown[]
  return (
    isText(stageId, 64) &&
    isText(key, 1024) &&
    isCode(code) &&
    typeof minute === 'number' &&
    Number.isSafeInteger(minute) &&
    minute >= 0
  )
}

/** The card a stored value describes, or `null` when the value is not a valid entry. */
export function decodeBoardEntry(value: unknown): BoardCardState | null {
  if (!isBoardEntry(value)) return null
  const [stageId, key, code, minute] = value
  return { stageId, key, status: STATUS_OF_CODE[code], enteredAt: minute * MINUTE }
}

/** The board document's map. */
export function boardPosMap(boardDoc: Y.Doc): Y.Map<unknown> {
  return boardDoc.getMap<unknown>(BOARD_POS_MAP)
}

/** Every valid entry of a board document (malformed entries are skipped). */
export function readBoardEntries(boardDoc: Y.Doc): Map<string, BoardCardState> {
  const entries = new Map<string, BoardCardState>()
  for (const [id, value] of boardPosMap(boardDoc)) {
    const card = decodeBoardEntry(value)
    if (card) entries.set(id, card)
  }
  return entries
}

/**
 * `previous` (what `readBoardEntries` gave before a change of the board document) with the entries of `changedIds`
 * read again (deleted or malformed: left out); every other entry keeps its object. A remote move re-reads one entry
 * instead of validating all 20,000 of a big board.
 */
export function updateBoardEntries(
  previous: ReadonlyMap<string, BoardCardState>,
  boardDoc: Y.Doc,
  changedIds: Iterable<string>,
): Map<string, BoardCardState> {
  const map = boardPosMap(boardDoc)
  const entries = new Map(previous)
  for (const id of changedIds) {
    const card = map.has(id) ? decodeBoardEntry(map.get(id)) : null
    if (card) entries.set(id, card)
    else entries.delete(id)
  }
  return entries
}

/** Whether a closed card that entered its stage at `enteredAt` has stayed on the board long enough. */
function expired(card: BoardCardState, now: number, closedDays: number): boolean {
  return card.status !== 'open' && now - card.enteredAt > closedDays * DAY
}

/**
 * The entry deal `deal` should have on the board of `pipelineId` at `now`, or `null` when it has none: no deal
 * (deleted or unreadable), archived, of another pipeline, or closed for longer than `closedDays`.
 */
export function boardEntryOf(
  deal: MirroredDeal | null,
  pipelineId: string,
  now: number,
  closedDays: number,
): BoardEntry | null {
  if (deal === null || deal.archived || deal.pipelineId !== pipelineId) return null
  const entry = encodeBoardEntry({
    stageId: deal.position.column,
    key: deal.position.key,
    status: deal.status,
    enteredAt: deal.stageEnteredAt,
  })
  const card = decodeBoardEntry(entry)
  return card === null || expired(card, now, closedDays) ? null : entry
}

const sameEntry = (a: unknown, b: BoardEntry | null): boolean =>
  b === null ? a === undefined : Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i])

/**
 * Upserts or removes deal `dealId`'s entry on the board of `pipelineId` (the board document `boardDoc`) from the deal's
 * converged state (`null`: deleted or unreadable): open → entry; closed → entry until `closedDays` after entering
 * the closed stage, then removed; archived, deleted or moved to another pipeline → removed. Writes nothing when the
 * entry is already right (a malformed stored value is replaced or removed). One transaction with `origin`.
 */
export function mirrorDeal(
  boardDoc: Y.Doc,
  dealId: string,
  deal: MirroredDeal | null,
  now: number,
  closedDays: number,
  origin: unknown,
  pipelineId: string,
): 'set' | 'removed' | 'unchanged' {
  const want = boardEntryOf(deal, pipelineId, now, closedDays)
  const map = boardPosMap(boardDoc)
  const have = map.get(dealId)
  if (sameEntry(have, want)) return 'unchanged'
  if (want === null && !map.has(dealId)) return 'unchanged'
  boardDoc.transact(() => {
    if (want === null) map.delete(dealId)
    else map.set(dealId, want)
  }, origin)
  return want === null ? 'removed' : 'set'
}

/**
 * Catch-up (the server at start, after a crash): makes the board of `pipelineId` equal the mirror of `deals` — every
 * deal of that pipeline as an index holds them — in one transaction: each given deal mirrored (`mirrorDeal`), every
 * other entry removed, except the deals `live` names (mirrored from their loaded document instead). Returns how many
 * entries changed.
 */
export function reconcileBoard(
  boardDoc: Y.Doc,
  deals: ReadonlyMap<string, MirroredDeal>,
  now: number,
  closedDays: number,
  origin: unknown,
  pipelineId: string,
  live: (dealId: string) => boolean = () => false,
): number {
  const map = boardPosMap(boardDoc)
  const ids = [...new Set([...deals.keys(), ...map.keys()])].sort()
  let changed = 0
  boardDoc.transact(() => {
    for (const dealId of ids) {
      if (live(dealId)) continue
      if (
        mirrorDeal(boardDoc, dealId, deals.get(dealId) ?? null, now, closedDays, origin, pipelineId) !==
        'unchanged'
      )
        changed += 1
    }
  }, origin)
  return changed
}

/**
 * The hourly sweep: removes every closed card that entered its stage more than `closedDays` ago, and every malformed
 * entry, in one transaction. Returns the removed ids (sorted). The cards stay in the index (search, reports, reopen).
 */
export function evictClosed(boardDoc: Y.Doc, now: number, closedDays: number, origin?: unknown): string[] {
  const map = boardPosMap(boardDoc)
  const gone: string[] = []
  for (const [id, value] of map) {
    const card = decodeBoardEntry(value)
    if (card === null || expired(card, now, closedDays)) gone.push(id)
  }
  gone.sort()
  if (gone.length > 0)
    boardDoc.transact(() => {
      for (const id of gone) map.delete(id)
    }, origin)
  return gone
}

/**
 * The board's cards per column in board order (by key, then id — `compareByPosition`), each card in the column
 * `placeDeal` gives it (its stage, else the first stage of its outcome, else the first open stage), plus each card's
 * key: the layout `resolveDrop` and `moveByKeyboard` take.
 */
export function boardColumns(boardDoc: Y.Doc, pipeline: { stages: readonly PlacementStage[] }): BoardLayout {
  const cards = [...readBoardEntries(boardDoc)].map(([id, card]) => ({
    id,
    position: { column: card.stageId, key: card.key },
    status: card.status,
    archived: false,
  }))
  const { columns, keys } = layoutDeals(cards, pipeline.stages)
  return { columns, keys }
}

/**
 * A fresh board document state holding exactly `entries` (no history, no tombstones): what the server stores when a
 * board passes its size limit. Malformed entries are dropped.
 */
export function regenerateBoard(entries: Iterable<readonly [string, unknown]>): Uint8Array {
  const doc = new Y.Doc()
  const map = boardPosMap(doc)
  doc.transact(() => {
    for (const [id, value] of entries) {
      const parsed = BoardEntry.safeParse(value)
      if (parsed.success) map.set(id, parsed.data)
    }
  })
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}
