import { z } from 'zod'
import { badRequest } from '../errors.ts'
import { RECORD_KINDS } from '../projection/recordKinds.ts'
import { SEARCH_KINDS } from '../projection/SearchIndex.ts'
import {
  type IndexBatch,
  type IndexListQuery,
  MAX_BATCH_CHANGES,
  MAX_NOTES_CHARS,
  MAX_PAGE,
  MAX_PASSED_STAGES,
  MAX_RECORD_BYTES,
  MAX_ROOM_FACTS,
} from './RecordIndex.ts'

/* Validation of everything a RecordIndex is handed: plain-word 400s (`invalid_input`), never a crash. */

const workspaceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a workspace id')
const recordId = z.string().regex(/^\P{Cc}{1,128}$/u, 'must be 1 to 128 characters, no control characters')
const docNameSchema = z.string().min(1).max(300)
const kind = z.enum(RECORD_KINDS)

const recordJson = z.record(z.string(), z.unknown())

export const RecordChangeSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('upsert'),
    workspaceId,
    kind,
    id: recordId,
    doc: docNameSchema,
    record: recordJson,
    passedStages: z
      .array(z.object({ pipelineId: recordId, stage: recordId, at: z.number().finite() }))
      .max(MAX_PASSED_STAGES)
      .optional(),
  }),
  z.object({ op: z.literal('remove'), workspaceId, kind, id: recordId }),
])

export const IndexBatchSchema = z.object({
  records: z.array(RecordChangeSchema).max(MAX_BATCH_CHANGES).optional(),
  notes: z
    .array(z.object({ workspaceId, accountId: recordId, text: z.string().max(MAX_NOTES_CHARS) }))
    .max(MAX_BATCH_CHANGES)
    .optional(),
  roomFacts: z
    .array(
      z.object({
        workspaceId,
        accountId: recordId,
        handoffs: z
          .array(
            z.object({
              id: recordId,
              dealId: recordId.nullable(),
              status: z.enum(['draft', 'sent', 'accepted', 'returned']),
              fromUserId: recordId,
              toUserId: recordId.nullable(),
              createdAt: z.number().finite(),
              sentAt: z.number().finite().nullable(),
              acceptedAt: z.number().finite().nullable(),
            }),
          )
          .max(MAX_ROOM_FACTS),
        activities: z
          .array(
            z.object({
              id: recordId,
              type: z.enum(['call', 'email', 'meeting']),
              at: z.number().finite(),
              actorId: recordId.nullable(),
              dealId: recordId.nullable(),
            }),
          )
          .max(MAX_ROOM_FACTS),
      }),
    )
    .max(MAX_BATCH_CHANGES)
    .optional(),
  docStates: z
    .array(
      z.object({
        doc: docNameSchema,
        stateVector: z.instanceof(Uint8Array).refine((v) => v.byteLength <= 1_000_000, 'is too large'),
      }),
    )
    .max(MAX_BATCH_CHANGES)
    .optional(),
  at: z.number().int().nonnegative().optional(),
})

/** `zod` issues as one plain sentence. */
function plain(error: z.ZodError, what: string): string {
  const first = error.issues[0]
  const path = first?.path.length ? ` (${first.path.join('.')})` : ''
  return `${what}${path}: ${first?.message ?? 'invalid'}`
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw badRequest(plain(parsed.error, what), 'invalid_input')
  return parsed.data
}

/** A checked batch, each upsert with its JSON text (size-checked, id and document agreeing). */
export function checkBatch(batch: unknown): IndexBatch & { json: Map<number, string> } {
  const parsed = parse(IndexBatchSchema, batch, 'Invalid index batch') as IndexBatch
  const json = new Map<number, string>()
  const total =
    (parsed.records?.length ?? 0) +
    (parsed.notes?.length ?? 0) +
    (parsed.docStates?.length ?? 0) +
    (parsed.roomFacts?.length ?? 0)
  if (total > MAX_BATCH_CHANGES)
    throw badRequest(`An index batch holds at most ${MAX_BATCH_CHANGES} changes.`, 'invalid_input')
  parsed.records?.forEach((change, i) => {
    if (change.op !== 'upsert') return
    if (change.record.id !== change.id)
      throw badRequest(`Record ${change.id} of ${change.kind} carries another id.`, 'invalid_input')
    // A record lives in a document of its own workspace: nothing of one workspace is filed under another.
    if (!change.doc.startsWith(`${change.workspaceId}/`))
      throw badRequest(
        `Record ${change.id}: document ${change.doc} is not in its workspace.`,
        'invalid_input',
      )
    let text: string
    try {
      text = JSON.stringify(change.record)
    } catch {
      throw badRequest(`Record ${change.id} of ${change.kind} is not plain JSON.`, 'invalid_input')
    }
    if (Buffer.byteLength(text) > MAX_RECORD_BYTES)
      throw badRequest(`Record ${change.id} of ${change.kind} is larger than 256 KB.`, 'invalid_input')
    json.set(i, text)
  })
  return { ...parsed, json }
}

export const checkWorkspace = (value: unknown): string => parse(workspaceId, value, 'Invalid workspace id')
export const checkKind = (value: unknown) => parse(kind, value, 'Invalid record kind')
export const checkId = (value: unknown): string => parse(recordId, value, 'Invalid record id')
export const checkIds = (value: unknown): string[] =>
  parse(z.array(recordId).max(MAX_PAGE), value, 'Invalid record ids')
export const checkDoc = (value: unknown): string => parse(docNameSchema, value, 'Invalid document name')
export const checkDocs = (value: unknown): string[] =>
  parse(z.array(docNameSchema).max(MAX_PAGE), value, 'Invalid document names')

/**
 * A filter names a field (`accountId`) or one level down (`position.column`, `customFields.<id>`): letters, digits,
 * `_` and `-` (the nested key may hold dots, as `fieldValue` reads everything after the first dot as one key).
 */
const FIELD = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_.-]{1,64})?$/
const filterValue = z.union([z.string().max(2000), z.number().finite(), z.boolean(), z.null(), z.undefined()])

const ListQuerySchema = z.object({
  filters: z
    .record(z.string().regex(FIELD, 'is not a field name'), filterValue)
    .refine((f) => Object.keys(f).length <= 30, 'at most 30 filters')
    .optional(),
  customFields: z
    .array(z.object({ fieldId: z.string().min(1).max(64), text: z.string().max(200) }))
    .max(20)
    .optional(),
  q: z.string().max(200).nullable().optional(),
  sort: z
    .string()
    .regex(/^-?([A-Za-z][A-Za-z0-9_]{0,63}|cf\.[A-Za-z0-9_-]{1,64})$/, 'is not a field name')
    .nullable()
    .optional(),
  customSort: z.enum(['number', 'text', 'member']).optional(),
  memberNames: z
    .record(z.string().min(1).max(64), z.string().max(200))
    .refine((names) => Object.keys(names).length <= 5_000, 'at most 5000 member names')
    .optional(),
  offset: z.number().int().min(0).max(1_000_000_000),
  limit: z.number().int().min(1).max(MAX_PAGE),
  archived: z.enum(['false', 'true', 'all']),
})

export const checkListQuery = (value: unknown): IndexListQuery =>
  parse(ListQuerySchema, value, 'Invalid list query') as IndexListQuery

export const SearchOptionsSchema = z.object({
  kinds: z.array(z.enum(SEARCH_KINDS)).max(SEARCH_KINDS.length).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE).default(20),
})
export const checkSearch = (q: unknown, options: unknown) => ({
  q: parse(z.string().max(200), q, 'Invalid search text'),
  options: parse(SearchOptionsSchema, options ?? {}, 'Invalid search options'),
})

export const checkFeed = (since: unknown, limit: unknown) => ({
  since: parse(z.number().int().min(0), since, 'Invalid feed position'),
  limit: parse(z.number().int().min(1).max(MAX_PAGE).default(1000), limit, 'Invalid feed limit'),
})

const FIELD_NAME = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'is not a field name')
export const checkReportFields = (value: unknown): string[] =>
  parse(z.array(FIELD_NAME).min(1).max(30), value, 'Invalid report fields')
export const checkOwners = (value: unknown) =>
  parse(
    z
      .object({ ownerField: z.enum(['ownerId', 'assigneeId']), owners: z.array(recordId).max(MAX_PAGE) })
      .optional(),
    value,
    'Invalid owner filter',
  )

const REPORT_FIELD = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}(\.[A-Za-z][A-Za-z0-9_]{0,63})?$/, 'is not a field name')
const ReportGroupQuerySchema = z.object({
  groupBy: z.array(REPORT_FIELD).max(8),
  where: z
    .object({
      owners: z
        .object({ field: z.enum(['ownerId', 'assigneeId']), ids: z.array(recordId).max(MAX_PAGE) })
        .optional(),
      equals: z
        .array(
          z.object({
            field: FIELD_NAME,
            value: z.union([z.string().max(300), z.array(z.string().max(300)).min(1).max(20)]),
          }),
        )
        .max(8)
        .optional(),
      createdAt: z
        .object({ from: z.number().finite().nullable(), to: z.number().finite().nullable() })
        .optional(),
      onDeal: z.object({ pipelineId: recordId.nullable(), won: z.boolean() }).optional(),
    })
    .optional(),
  values: z.array(REPORT_FIELD).max(8).optional(),
})
export const checkStageFunnelQuery = (value: unknown) =>
  parse(
    z.object({
      pipelineId: recordId,
      stageIds: z.array(recordId).max(100),
      now: z.number().finite(),
      where: ReportGroupQuerySchema.shape.where.unwrap().omit({ onDeal: true }).optional(),
      reached: z.number().int().nonnegative().max(100).optional(),
    }),
    value,
    'Invalid funnel query',
  )
export const checkReportGroupQuery = (value: unknown) =>
  parse(ReportGroupQuerySchema, value, 'Invalid report query')

/** Custom field ids as the settings give them (letters, digits, `_`, `-`). */
const CUSTOM_FIELD_ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a custom field id')
export const ImportMatchRuleSchema = z.discriminatedUnion('on', [
  z.object({ on: z.enum(['email', 'domain', 'name']) }),
  z.object({ on: z.literal('field'), field: FIELD_NAME }),
  z.object({ on: z.literal('customField'), fieldId: CUSTOM_FIELD_ID }),
])
export const checkImportMatch = (value: unknown) =>
  parse(
    z.object({
      kind: z.enum(['accounts', 'contacts', 'deals', 'tickets']),
      rule: ImportMatchRuleSchema,
      keys: z.array(z.string().max(10_000)).max(MAX_BATCH_CHANGES),
    }),
    value,
    'Invalid import match query',
  )
