import type * as Y from 'yjs'
import { z } from 'zod'
import { positionSchema } from '../board/position.ts'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { endOfColumn } from './boardRecords.ts'
import { customFieldValues } from './customFields.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, calendarDate, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { collectionMap, createRecord, type RecordCollection, readRecord, updateRecord } from './recordMap.ts'
import type { Stage } from './workspaceSettings.ts'

export const DealId = idString.brand<'DealId'>()
export type DealId = z.infer<typeof DealId>
export function newDealId(): DealId {
  return newId('deal') as DealId
}

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const
export const currency = z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter upper-case currency code')

const dealFields = {
  pipelineId: idString,
  title: z.string().trim().min(1).max(200),
  accountId: idString.nullable(),
  contactIds: z.array(idString).max(100),
  amount: z.number().nonnegative().finite(),
  currency,
  ownerId: userId.nullable(),
  expectedCloseDate: calendarDate.nullable(),
  status: z.enum(DEAL_STATUSES),
  lostReason: z.string().max(500).nullable(),
  /** `{column: stageId, key}`: set as one value, only by `createDeal`/`moveDeal`. */
  position: positionSchema,
  /** When the deal entered its current stage (for rotting). */
  stageEnteredAt: timestamp,
}

/** A deal of pipeline P (`W/pipeline/P`, map `deals`). */
export const Deal = z.object({
  id: DealId,
  ...recordBase,
  ...dealFields,
  customFields: customFieldValues.default({}),
})
export type Deal = z.infer<typeof Deal>

export const DealCreate = z.object({
  id: idString.optional(),
  pipelineId: dealFields.pipelineId,
  title: dealFields.title,
  /** The column the deal starts in; it goes to the end of it. */
  stageId: idString,
  accountId: dealFields.accountId.default(null),
  contactIds: dealFields.contactIds.default([]),
  amount: dealFields.amount.default(0),
  currency: dealFields.currency.default('USD'),
  ownerId: dealFields.ownerId.default(null),
  expectedCloseDate: dealFields.expectedCloseDate.default(null),
  status: dealFields.status.default('open'),
  lostReason: dealFields.lostReason.default(null),
  customFields: customFieldValues.default({}),
})
export type DealCreate = z.input<typeof DealCreate>

/** Editable fields; position, stage time and pipeline change only through `moveDeal`. */
export const DealPatch = z
  .object({ ...dealFields, customFields: customFieldValues })
  .omit({ position: true, stageEnteredAt: true, pipelineId: true })
  .partial()
export type DealPatch = z.input<typeof DealPatch>

export const DEALS: RecordCollection<Deal> = { name: COLLECTION.deals, schema: Deal }

/** Options of deal commands: with `stages` (the pipeline's), status follows the stage's outcome. */
export interface DealOptions extends CommandOptions {
  stages?: readonly Stage[]
}

/** Options of `moveDeal`: with `stages`, `lostReason` (≤ 500 characters) is written when the deal becomes lost. */
export interface MoveDealOptions extends DealOptions {
  lostReason?: string | null
}

function stageOf(stages: readonly Stage[], stageId: string): Stage {
  const stage = stages.find((s) => s.id === stageId)
  if (stage === undefined) throw new ModelError('invalid_input', `unknown stage ${stageId}`)
  return stage
}

/** Creates a deal at the end of its stage's column. */
export function createDeal(doc: Y.Doc, input: DealCreate, origin: unknown, options?: DealOptions): Deal {
  const { id, stageId, ...fields } = parseInput(DealCreate, input)
  const now = nowOf(options)
  const status = options?.stages === undefined ? fields.status : stageOf(options.stages, stageId).outcome
  let created: Deal | undefined
  doc.transact(() => {
    created = createRecord(
      doc,
      DEALS,
      {
        id: id ?? newDealId(),
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...fields,
        status,
        position: endOfColumn(collectionMap(doc, DEALS), stageId),
        stageEnteredAt: now,
      },
      origin,
    )
  }, origin)
  return created as Deal
}

export function updateDeal(
  doc: Y.Doc,
  id: string,
  patch: DealPatch,
  origin: unknown,
  options?: CommandOptions,
): Deal {
  return updateRecord(doc, DEALS, id, parseInput(DealPatch, patch), origin, options)
}

/**
 * Moves a deal to `position` (from `resolveDrop`/`moveByKeyboard`) in one transaction: sets the position as
 * one value, `stageEnteredAt` when the column changes, and — given `stages` — `status` from the target
 * stage's outcome (clearing `lostReason` unless lost; `options.lostReason` sets it). Position,
 * `stageEnteredAt`, `status` and `lostReason` are always written together, so concurrent moves resolve to one
 * writer's values for all of them.
 */
export function moveDeal(
  doc: Y.Doc,
  dealId: string,
  position: { column: string; key: string },
  origin: unknown,
  options?: MoveDealOptions,
): Deal {
  const target = parseInput(positionSchema, position)
  const current = readRecord(collectionMap(doc, DEALS), dealId, Deal)
  if (current === null) throw new ModelError('not_found', `deal ${dealId} not found or invalid`)
  const patch: Partial<Record<keyof Deal, unknown>> = {
    position: target,
    stageEnteredAt: current.position.column === target.column ? current.stageEnteredAt : nowOf(options),
  }
  if (options?.stages !== undefined) {
    const status = stageOf(options.stages, target.column).outcome
    patch.status = status
    const reason = options.lostReason === undefined ? current.lostReason : options.lostReason
    patch.lostReason = status === 'lost' ? parseInput(dealFields.lostReason, reason) : null
  }
  // Written as a group even when unchanged: a concurrent move must not leave one writer's column with the
  // other writer's status (regression seed 20250101, run 3445).
  return updateRecord(doc, DEALS, dealId, patch, origin, { ...options, writeTogether: Object.keys(patch) })
}

/** Whether a deal has sat in its stage longer than the stage's `rotAfterDays`. */
export function isRotting(deal: Deal, stage: Stage | undefined, now: number): boolean {
  if (stage === undefined || stage.rotAfterDays === null || deal.status !== 'open') return false
  return now - deal.stageEnteredAt > stage.rotAfterDays * 24 * 60 * 60 * 1000
}
