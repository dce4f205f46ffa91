import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { createRecord, type RecordCollection } from './recordMap.ts'

export const ActivityId = idString.brand<'ActivityId'>()
export type ActivityId = z.infer<typeof ActivityId>
export function newActivityId(): ActivityId {
  return newId('act') as ActivityId
}

export const ACTIVITY_TYPES = [
  'call',
  'email',
  'meeting',
  'note',
  'stage_change',
  'field_change',
  'handoff',
] as const
export const SUBJECT_KINDS = ['account', 'contact', 'deal', 'ticket', 'task', 'handoff', 'notes'] as const

export const ActivitySubject = z.object({ kind: z.enum(SUBJECT_KINDS), id: idString })
export type ActivitySubject = z.infer<typeof ActivitySubject>

export const FieldChange = z.object({
  field: z.string().min(1).max(100),
  before: z.unknown(),
  after: z.unknown(),
  /**
   * Present when this set lost to a concurrent set of the same field (Yjs resolves those by client id): `after` never
   * became the field's value; `value`, written by `actorId` (null = unknown or the system), was kept.
   */
  overruledBy: z.object({ actorId: userId.nullable(), value: z.unknown() }).optional(),
})
export type FieldChange = z.infer<typeof FieldChange>

const activityFields = {
  type: z.enum(ACTIVITY_TYPES),
  at: timestamp,
  /** `null` = the system (automation, server repairs). */
  actorId: userId.nullable(),
  subject: ActivitySubject,
  text: z.string().max(10_000),
  changes: z.array(FieldChange).max(200),
}

/** An entry of an account room's timeline (`W/account/A`, map `timeline`). Append-only. */
export const Activity = z.object({ id: ActivityId, ...recordBase, ...activityFields })
export type Activity = z.infer<typeof Activity>

export const ActivityCreate = z.object({
  id: idString.optional(),
  type: activityFields.type,
  at: activityFields.at.optional(),
  actorId: activityFields.actorId,
  subject: activityFields.subject,
  text: activityFields.text.default(''),
  changes: activityFields.changes.default([]),
})
export type ActivityCreate = z.input<typeof ActivityCreate>

export const TIMELINE: RecordCollection<Activity> = { name: COLLECTION.timeline, schema: Activity }

/** Appends an activity to the timeline; `at` defaults to now. */
export function appendActivity(
  doc: Y.Doc,
  input: ActivityCreate,
  origin: unknown,
  options?: CommandOptions,
): Activity {
  const { id, at, ...fields } = parseInput(ActivityCreate, input)
  const now = nowOf(options)
  return createRecord(
    doc,
    TIMELINE,
    { id: id ?? newActivityId(), createdAt: now, updatedAt: now, archived: false, at: at ?? now, ...fields },
    origin,
  )
}

/** Timeline order: newest first by `at`, then by id. */
export function compareActivities(a: Activity, b: Activity): number {
  return b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
