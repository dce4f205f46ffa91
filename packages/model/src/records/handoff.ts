import type * as Y from 'yjs'
import { z } from 'zod'
import { compareStrings, keyAfterAll, keyForIndex } from '../board/position.ts'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { briefTextField, COLLECTION } from '../layout.ts'
import type { NotesNode } from '../notes/notesSchema.ts'
import { writeDocToText } from '../notes/notesText.ts'
import { Team } from '../roles.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import {
  collectionMap,
  createRecord,
  type RecordCollection,
  type RecordMap,
  readRecord,
  readRecords,
  updateRecord,
} from './recordMap.ts'

export const HandoffId = idString.brand<'HandoffId'>()
export type HandoffId = z.infer<typeof HandoffId>
export function newHandoffId(): HandoffId {
  return newId('hof') as HandoffId
}

export const HANDOFF_STATUSES = ['draft', 'sent', 'accepted', 'returned'] as const
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number]

const handoffFields = {
  accountId: idString,
  dealId: idString.nullable(),
  fromUserId: userId,
  toUserId: userId.nullable(),
  toTeam: Team,
  status: z.enum(HANDOFF_STATUSES),
  returnComment: z.string().max(2000).nullable(),
  sentAt: timestamp.nullable(),
  acceptedAt: timestamp.nullable(),
}

/** A handoff of an account to another team (`W/account/A`, map `handoffs`); brief in `brief:<id>`. */
export const Handoff = z.object({ id: HandoffId, ...recordBase, ...handoffFields })
export type Handoff = z.infer<typeof Handoff>

export const HandoffCreate = z.object({
  id: idString.optional(),
  accountId: handoffFields.accountId,
  dealId: handoffFields.dealId.default(null),
  fromUserId: handoffFields.fromUserId,
  toUserId: handoffFields.toUserId.default(null),
  toTeam: handoffFields.toTeam,
})
export type HandoffCreate = z.input<typeof HandoffCreate>

/** Editable while the handoff is a draft or returned; status changes go through `setHandoffStatus`. */
export const HandoffPatch = z
  .object(handoffFields)
  .pick({ dealId: true, toUserId: true, toTeam: true })
  .partial()
export type HandoffPatch = z.input<typeof HandoffPatch>

export const HANDOFFS: RecordCollection<Handoff> = { name: COLLECTION.handoffs, schema: Handoff }

export const ChecklistItemId = idString.brand<'ChecklistItemId'>()
export type ChecklistItemId = z.infer<typeof ChecklistItemId>

const checklistFields = {
  handoffId: idString,
  text: z.string().trim().min(1).max(500),
  done: z.boolean(),
  /** Fractional order key within the handoff's checklist. */
  key: z.string().min(1),
}

/** A checklist item of a handoff (`W/account/A`, map `checklist`, all handoffs of the account together). */
export const ChecklistItem = z.object({ id: ChecklistItemId, ...recordBase, ...checklistFields })
export type ChecklistItem = z.infer<typeof ChecklistItem>
export const ChecklistItemPatch = z
  .object(checklistFields)
  .pick({ text: true, done: true, key: true })
  .partial()
export type ChecklistItemPatch = z.input<typeof ChecklistItemPatch>

export const CHECKLIST: RecordCollection<ChecklistItem> = {
  name: COLLECTION.checklist,
  schema: ChecklistItem,
}

/** The headings a new brief starts with, each followed by an empty paragraph. */
export const BRIEF_TEMPLATE = ['Goals', 'Stakeholders', 'Promises made', 'Risks', 'Open issues'] as const

/** The brief template as a notes document: `heading{level: 2}` + an empty `paragraph` per section. */
export function briefTemplateDoc(): NotesNode {
  return {
    type: 'doc',
    content: BRIEF_TEMPLATE.flatMap((title) => [
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: title }] },
      { type: 'paragraph' },
    ]),
  }
}

/**
 * Writes `BRIEF_TEMPLATE` into an empty brief text (notes text v2, `briefText:<handoffId>`, docs/schema.md §3.5.1).
 * Does nothing if the text already has content.
 */
export function writeBriefTemplate(text: Y.Text): void {
  if (text.length > 0) return
  writeDocToText(text, briefTemplateDoc())
}

/** Creates a draft handoff and its brief (from the template), in one transaction. */
export function createHandoff(
  doc: Y.Doc,
  input: HandoffCreate,
  origin: unknown,
  options?: CommandOptions,
): Handoff {
  const { id, ...fields } = parseInput(HandoffCreate, input)
  const now = nowOf(options)
  let created: Handoff | undefined
  doc.transact(() => {
    created = createRecord(
      doc,
      HANDOFFS,
      {
        id: id ?? newHandoffId(),
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...fields,
        status: 'draft',
        returnComment: null,
        sentAt: null,
        acceptedAt: null,
      },
      origin,
    )
    writeBriefTemplate(doc.getText(briefTextField(created.id)))
  }, origin)
  return created as Handoff
}

export function updateHandoff(
  doc: Y.Doc,
  id: string,
  patch: HandoffPatch,
  origin: unknown,
  options?: CommandOptions,
): Handoff {
  return updateRecord(doc, HANDOFFS, id, parseInput(HandoffPatch, patch), origin, options)
}

/** Allowed status transitions: draft→sent, returned→sent, sent→accepted, sent→returned (with a comment). */
export const HANDOFF_TRANSITIONS: Readonly<Record<HandoffStatus, readonly HandoffStatus[]>> = {
  draft: ['sent'],
  sent: ['accepted', 'returned'],
  returned: ['sent'],
  accepted: [],
}

/** Changes a handoff's status; throws `ModelError('invalid_transition')` for a disallowed change. */
export function setHandoffStatus(
  doc: Y.Doc,
  id: string,
  status: HandoffStatus,
  origin: unknown,
  options?: CommandOptions & { comment?: string },
): Handoff {
  const current = readRecord(collectionMap(doc, HANDOFFS), id, Handoff)
  if (current === null) throw new ModelError('not_found', `handoff ${id} not found or invalid`)
  if (!HANDOFF_TRANSITIONS[current.status].includes(status)) {
    throw new ModelError('invalid_transition', `handoff ${id}: ${current.status} → ${status} is not allowed`)
  }
  const now = nowOf(options)
  const patch: Partial<Record<keyof Handoff, unknown>> = {
    status,
    sentAt: current.sentAt,
    acceptedAt: current.acceptedAt,
    returnComment: current.returnComment,
  }
  if (status === 'sent') {
    patch.sentAt = now
    patch.returnComment = null
  }
  if (status === 'accepted') patch.acceptedAt = now
  if (status === 'returned') {
    const comment = options?.comment?.trim() ?? ''
    if (comment === '') throw new ModelError('invalid_input', 'returning a handoff needs a comment')
    patch.returnComment = comment
  }
  // Status and its timestamps are written as a group even when unchanged: two concurrent transitions (accept and
  // return of one sent handoff) must not leave one writer's status with the other's `acceptedAt` or
  // `returnComment` (regression seed 20250101#9 of the handoff transitions property).
  return updateRecord(doc, HANDOFFS, id, patch, origin, { ...options, writeTogether: Object.keys(patch) })
}

/** The valid, non-archived checklist items of a handoff, ordered by `(key, id)`. */
export function checklistFor(map: RecordMap, handoffId: string): ChecklistItem[] {
  return readRecords(map, ChecklistItem)
    .records.filter((item) => item.handoffId === handoffId && !item.archived)
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id))
}

/** Appends a checklist item to a handoff's list. */
export function addChecklistItem(
  doc: Y.Doc,
  input: { id?: string; handoffId: string; text: string },
  origin: unknown,
  options?: CommandOptions,
): ChecklistItem {
  const map = collectionMap(doc, CHECKLIST)
  const now = nowOf(options)
  const key = keyAfterAll(checklistFor(map, input.handoffId).map((item) => item.key))
  return createRecord(
    doc,
    CHECKLIST,
    {
      id: input.id ?? newId('chk'),
      createdAt: now,
      updatedAt: now,
      archived: false,
      handoffId: input.handoffId,
      text: input.text,
      done: false,
      key,
    },
    origin,
  )
}

export function updateChecklistItem(
  doc: Y.Doc,
  id: string,
  patch: ChecklistItemPatch,
  origin: unknown,
  options?: CommandOptions,
): ChecklistItem {
  return updateRecord(doc, CHECKLIST, id, parseInput(ChecklistItemPatch, patch), origin, options)
}

/**
 * Moves a checklist item to `index` among the OTHER non-archived items of its handoff: a new fractional key
 * between its new neighbours, never rewriting the others' keys (the list is a `Y.Map` of records, not a `Y.Array`,
 * so a concurrent move and remove can never duplicate or lose an item).
 */
export function moveChecklistItem(
  doc: Y.Doc,
  id: string,
  index: number,
  origin: unknown,
  options?: CommandOptions,
): ChecklistItem {
  const map = collectionMap(doc, CHECKLIST)
  const item = readRecord(map, id, ChecklistItem)
  if (item === null) throw new ModelError('not_found', `checklist item ${id} not found or invalid`)
  const others = checklistFor(map, item.handoffId).filter((other) => other.id !== id)
  const key = keyForIndex(
    others.map((other) => other.key),
    index,
  )
  return updateChecklistItem(doc, id, { key }, origin, options)
}
