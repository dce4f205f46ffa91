import { z } from 'zod'

/**
 * The order of the values in each card of `GET /api/pipelines/:pipelineId/board/faces` (`BoardFaces.cards`): one
 * array per card instead of an object, so 20,000 cards stay one compact response (docs/schema.md §5).
 */
export const BOARD_FACE_FIELDS = [
  'id',
  'title',
  'amount',
  'currency',
  'accountId',
  'ownerId',
  'stageId',
  'key',
  'status',
  'stageEnteredAt',
] as const

/** A card's status as the board document writes it (§4.2): open, won, lost. */
export const BoardFaceStatus = z.enum(['o', 'w', 'l'])

/** One card: `[id, title, amount, currency, accountId, ownerId, stageId, key, status, stageEnteredAt]`. */
export const BoardFaceRow = z.tuple([
  z.string(),
  z.string(),
  z.number(),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
  z.string(),
  z.string(),
  BoardFaceStatus,
  z.number(),
])
export type BoardFaceRow = z.infer<typeof BoardFaceRow>

/**
 * Every card of a pipeline board with what it shows (its face) and its place, from the record index in one
 * response: the cards of `W/board/P` (§4.2). `accounts` names the cards' accounts (absent for a role that may not
 * read accounts).
 */
export const BoardFaces = z.object({
  pipelineId: z.string(),
  fields: z.array(z.string()),
  cards: z.array(BoardFaceRow),
  accounts: z.record(z.string(), z.string()),
})
export type BoardFaces = z.infer<typeof BoardFaces>

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isNullableText = (v: unknown): v is string | null => v === null || typeof v === 'string'

/** Whether `value` is a card row: exactly what `BoardFaceRow` accepts (property test in boardFaces.test.ts). */
export function isBoardFaceRow(value: unknown): value is BoardFaceRow {
  if (!Array.isArray(value) || value.length !== 10) return false
  const [id, title, amount, currency, accountId, ownerId, stageId, key, status, enteredAt] =
    value as unknown[]
  return (
    typeof id === 'string' &&
    typeof title === 'string' &&
    isNumber(amount) &&
    typeof currency === 'string' &&
    isNullableText(accountId) &&
    isNullableText(ownerId) &&
    typeof stageId === 'string' &&
    typeof key === 'string' &&
    (status === 'o' || status === 'w' || status === 'l') &&
    isNumber(enteredAt)
  )
}

/**
 * `BoardFaces.safeParse(body)` by hand: the same answer (the four known fields; `null` where the schema fails), for a
 * body of 20,000 cards in a fraction of the time (zod's tuple parse cost ~150 ms of a first visit's main thread, before
 * the board could be laid out).
 */
export function parseBoardFaces(body: unknown): BoardFaces | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null
  const { pipelineId, fields, cards, accounts } = body as Record<string, unknown>
  if (typeof pipelineId !== 'string') return null
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) return null
  if (!Array.isArray(cards)) return null
  for (const card of cards) if (!isBoardFaceRow(card)) return null
  if (typeof accounts !== 'object' || accounts === null || Array.isArray(accounts)) return null
  for (const name of Object.values(accounts)) if (typeof name !== 'string') return null
  return {
    pipelineId,
    fields: fields as string[],
    cards: cards as BoardFaceRow[],
    accounts: accounts as Record<string, string>,
  }
}

/** A card of `BoardFaces` as an object. */
export interface BoardFace {
  id: string
  title: string
  amount: number
  currency: string
  accountId: string | null
  ownerId: string | null
  position: { column: string; key: string }
  status: 'open' | 'won' | 'lost'
  stageEnteredAt: number
}

const STATUS = { o: 'open', w: 'won', l: 'lost' } as const
const CODE = { open: 'o', won: 'w', lost: 'l' } as const

export function boardFaceOfRow(row: BoardFaceRow): BoardFace {
  const [id, title, amount, currency, accountId, ownerId, column, key, status, stageEnteredAt] = row
  return {
    id,
    title,
    amount,
    currency,
    accountId,
    ownerId,
    position: { column, key },
    status: STATUS[status],
    stageEnteredAt,
  }
}

export function boardFaceRow(face: BoardFace): BoardFaceRow {
  return [
    face.id,
    face.title,
    face.amount,
    face.currency,
    face.accountId,
    face.ownerId,
    face.position.column,
    face.position.key,
    CODE[face.status],
    face.stageEnteredAt,
  ]
}
