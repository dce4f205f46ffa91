import type * as Y from 'yjs'
import { z } from 'zod'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { collectionMap, createRecord, type RecordCollection, readRecord, updateRecord } from './recordMap.ts'

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
  /** How the field is named to people when it is not a record field: a custom field (`cf:<fieldId>`) has its label. */
  label: z.string().max(100).optional(),
  before: z.unknown(),
  after: z.unknown(),
  /**
   * Present when this set lost to a concurrent set of the same field (Yjs resolves those by client id): `after` never
   * became the field's value; `value`, written by `actorId` (null = unknown or the system), was kept.
   */
  overruledBy: z.object({ actorId: userId.nullable(), value: z.unknown() }).optional(),
})
export type FieldChange = z.infer<typeof FieldChange>

/** The kinds of activity a member logs by hand (the others are written by the server, §7 of docs/schema.md). */
export const LOGGED_ACTIVITY_TYPES = ['call', 'email', 'meeting'] as const
export type LoggedActivityType = (typeof LOGGED_ACTIVITY_TYPES)[number]

/** What a logged call, email or meeting adds to its timeline entry: how long, with whom, about which deal. */
export const ActivityDetails = z.object({
  durationMins: z.number().int().min(0).max(1440).nullable(),
  contactIds: z.array(idString).max(50),
  dealId: idString.nullable(),
})
export type ActivityDetails = z.infer<typeof ActivityDetails>

const activityFields = {
  type: z.enum(ACTIVITY_TYPES),
  at: timestamp,
  /** `null` = the system (automation, server repairs). */
  actorId: userId.nullable(),
  subject: ActivitySubject,
  text: z.string().max(10_000),
  changes: z.array(FieldChange).max(200),
  /** Only on logged calls, emails and meetings. */
  details: ActivityDetails.optional(),
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
  details: activityFields.details,
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

/**
 * A call, email or meeting as a member logs it. `at` is when it happened; `outcome` becomes the entry's `text`.
 * The messages are plain words: the web form shows them beside the field (`path[0]` names the field).
 */
export const LogActivityInput = z.object({
  type: z.enum(LOGGED_ACTIVITY_TYPES, { error: 'Choose call, email or meeting.' }),
  at: z
    .number({ error: 'Pick the date it happened.' })
    .int({ error: 'Pick the date it happened.' })
    .nonnegative({ error: 'Pick the date it happened.' }),
  durationMins: z
    .number({ error: 'Enter the duration in whole minutes.' })
    .int({ error: 'Enter the duration in whole minutes.' })
    .min(0, { error: 'A duration cannot be negative.' })
    .max(1440, { error: 'A duration is at most 24 hours (1,440 minutes).' })
    .nullable()
    .default(null),
  outcome: z
    .string({ error: 'Say what happened.' })
    .trim()
    .min(1, { error: 'Say what happened.' })
    .max(2000, { error: 'Keep the outcome under 2,000 characters.' }),
  contactIds: z.array(idString).max(50, { error: 'Pick at most 50 contacts.' }).default([]),
  dealId: idString.nullable().default(null),
})
export type LogActivityInput = z.input<typeof LogActivityInput>

/** A change to a logged entry: any of its fields, or `archived` to take it off the timeline. */
export const LogActivityPatch = LogActivityInput.partial().extend({ archived: z.boolean().optional() })
export type LogActivityPatch = z.input<typeof LogActivityPatch>

/** Plain-words problems of a log input, keyed by field (`type`, `at`, `durationMins`, `outcome`, …); empty = valid. */
export function logActivityProblems(input: unknown): Record<string, string> {
  const parsed = LogActivityInput.safeParse(input)
  if (parsed.success) return {}
  const problems: Record<string, string> = {}
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    problems[field] ??= issue.message
  }
  return problems
}

const detailsOf = (input: z.output<typeof LogActivityInput>): ActivityDetails => ({
  durationMins: input.durationMins,
  contactIds: [...new Set(input.contactIds)],
  dealId: input.dealId,
})

/**
 * Logs a call, email or meeting on account `accountId`'s timeline (`W/account/A`). `actorId` is the member who
 * logs it — the server passes its authenticated caller, never a value a client sent.
 */
export function logActivity(
  doc: Y.Doc,
  accountId: string,
  actorId: string,
  input: LogActivityInput,
  origin: unknown,
  options?: CommandOptions,
): Activity {
  const parsed = parseInput(LogActivityInput, input)
  return appendActivity(
    doc,
    {
      type: parsed.type,
      at: parsed.at,
      actorId,
      subject: { kind: 'account', id: accountId },
      text: parsed.outcome,
      details: detailsOf(parsed),
    },
    origin,
    options,
  )
}

/** True for a timeline entry a member logged by hand (call, email, meeting) — the only ones that can be edited. */
export function isLoggedActivity(activity: Activity): boolean {
  return (LOGGED_ACTIVITY_TYPES as readonly string[]).includes(activity.type)
}

/** Edits (or archives) a logged call, email or meeting; every other timeline entry is history and refuses. */
export function updateLoggedActivity(
  doc: Y.Doc,
  id: string,
  patch: LogActivityPatch,
  origin: unknown,
  options?: CommandOptions,
): Activity {
  const current = readRecord(collectionMap(doc, TIMELINE), id, Activity)
  if (current === null) throw new ModelError('not_found', `activity ${id} not found`)
  if (!isLoggedActivity(current))
    throw new ModelError('conflict', 'Only logged calls, emails and meetings can be changed')
  const { archived, ...fields } = parseInput(LogActivityPatch, patch)
  const merged = parseInput(LogActivityInput, {
    type: current.type,
    at: current.at,
    outcome: current.text,
    durationMins: current.details?.durationMins ?? null,
    contactIds: current.details?.contactIds ?? [],
    dealId: current.details?.dealId ?? null,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  })
  return updateRecord(
    doc,
    TIMELINE,
    id,
    {
      type: merged.type,
      at: merged.at,
      text: merged.outcome,
      details: detailsOf(merged),
      ...(archived === undefined ? {} : { archived }),
    },
    origin,
    options,
  )
}

/** A page of a timeline: newest first, entries strictly older than `before` (an entry's `timelineCursor`). */
export function timelinePage(
  entries: Iterable<Activity>,
  options: { before?: string | null; limit: number; includeArchived?: boolean },
): { items: Activity[]; nextBefore: string | null } {
  const sorted = [...entries].filter((a) => options.includeArchived || !a.archived).sort(compareActivities)
  const cursor = options.before ? parseTimelineCursor(options.before) : null
  const start =
    cursor === null
      ? 0
      : sorted.findIndex((a) => compareActivities(a, { at: cursor.at, id: cursor.id } as Activity) > 0)
  const from = start === -1 ? sorted.length : start
  const items = sorted.slice(from, from + options.limit)
  const last = items[items.length - 1]
  return { items, nextBefore: from + options.limit < sorted.length && last ? timelineCursor(last) : null }
}

/** The paging cursor of an entry: `<at>~<id>`. */
export function timelineCursor(activity: { at: number; id: string }): string {
  return `${activity.at}~${activity.id}`
}

/** Parses `<at>~<id>`; throws `invalid_input` for anything else. */
export function parseTimelineCursor(cursor: string): { at: number; id: string } {
  const match = /^(\d{1,16})~([A-Za-z0-9_-]{1,64})$/.exec(cursor)
  if (!match) throw new ModelError('invalid_input', 'before is not a cursor returned as nextBefore')
  return { at: Number(match[1]), id: match[2] as string }
}
