import type { Extension, Hocuspocus } from '@hocuspocus/server'
import {
  type ActivityCreate,
  appendActivity,
  docName,
  type FieldChange,
  jsonEqual,
  parseDocName,
} from '@rapport/model'
import type { Logger } from '../log/logger.ts'
import { kindsOfDoc } from '../projection/docKinds.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import { accountIdOf, KIND_SPECS, type ProjectedRecord, type RecordKind } from '../projection/recordKinds.ts'
import { customFieldChanges, customFieldOfEntry } from './customFieldChanges.ts'
import { writeDocument } from './directWrites.ts'
import type { LostSet } from './lostSets.ts'
import { type LostSetsListener, watchLostSets } from './lostSetWatch.ts'
import { type OriginActor, originActor } from './originActor.ts'

/** One "edited notes" activity per user and account within this window. */
export const NOTES_COALESCE_MS = 5 * 60_000
/**
 * Consecutive changes of the same fields of one record by one user within this window make one activity (first
 * before, last after): typing a title is one entry, not one per keystroke. Activities are written this long after the
 * first one buffered, in one transaction per account room.
 */
export const FIELD_COALESCE_MS = 250

const SUBJECT: Record<RecordKind, ActivityCreate['subject']['kind']> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
  tasks: 'task',
}
const IGNORED_FIELDS = new Set(['updatedAt', 'createdAt', 'accountId'])

type RecordEvent = Extract<ProjectionEvent, { type: 'record' }>

interface Pending {
  activity: ActivityCreate
  /** Coalescing key of a field change (record, actor, fields), null for activities never merged. */
  key: string | null
  at: number
}

interface RoomBuffer {
  pending: Pending[]
  timer: ReturnType<typeof setTimeout> | null
}

export interface Audit {
  extension: Extension
  /** Resolves once every activity queued so far is written. */
  flush(): Promise<void>
}

/** How the audit names a record in the timeline: its name, title or subject, else the person's name, else its id. */
export function titleOf(record: ProjectedRecord): string {
  for (const key of ['name', 'title', 'subject']) {
    const value = record[key]
    if (typeof value === 'string' && value) return value
  }
  const first = record.firstName
  const last = record.lastName
  if (typeof first === 'string' || typeof last === 'string') return `${first ?? ''} ${last ?? ''}`.trim()
  return record.id
}

function changedText(changes: readonly FieldChange[], title: string): string {
  return `changed ${changes.map((c) => c.label ?? c.field).join(', ')} of ${title}`
}

/** `earlier` then `later` as one change per field (first before, last after); fields back to their start drop out. */
function mergeChanges(earlier: readonly FieldChange[], later: readonly FieldChange[]): FieldChange[] {
  const merged = new Map<string, FieldChange>()
  for (const change of earlier) merged.set(change.field, { ...change })
  for (const change of later) {
    const first = merged.get(change.field)
    merged.set(change.field, first ? { ...first, after: change.after } : { ...change })
  }
  return [...merged.values()].filter((c) => !jsonEqual(c.before, c.after))
}

const shown = (value: unknown): string => {
  const text = value === undefined ? 'nothing' : JSON.stringify(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/** `set industry of Acme to "Fintech" at the same time as Sasha Sales set it to "Retail", which was kept`. */
function lostText(set: LostSet, title: string, keptBy: OriginActor | null, label?: string): string {
  const who = keptBy?.name ?? 'another change'
  return `set ${label ?? set.field} of ${title} to ${shown(set.value)} at the same time as ${who} set it to ${shown(set.keptValue)}, which was kept`
}

function columnOf(record: ProjectedRecord | null): string | null {
  const column = (record?.position as { column?: unknown } | undefined)?.column
  return typeof column === 'string' ? column : null
}

/**
 * Attribution and the audit trail. Every record change the projection sees carries its Yjs transaction origin; the
 * actor is derived from it ON THE SERVER (the Hocuspocus connection's context, or the REST caller of a server write),
 * never from record fields. Before values come from the projection (the last valid version). Activities go to the
 * account room's timeline (`W/account/A`) through direct connections, queued and written in order per room.
 */
export function createAudit(deps: {
  projection: Projection
  logger: Logger
  now?: () => number
  hocuspocus?: Hocuspocus
}): Audit {
  const log = deps.logger.child('audit')
  const now = deps.now ?? Date.now
  let hocuspocus = deps.hocuspocus ?? null
  const queues = new Map<string, Promise<void>>()
  const lastNotes = new Map<string, number>()

  const rooms = new Map<string, RoomBuffer>()

  const write = (name: string, activities: ActivityCreate[]): void => {
    const run = async (): Promise<void> => {
      if (!hocuspocus) throw new Error('audit is not attached to Hocuspocus')
      await writeDocument(hocuspocus, name, 'audit', null, (doc, origin) => {
        // One transaction (one update to broadcast and store) for every activity of the batch.
        doc.transact(() => {
          for (const activity of activities)
            appendActivity(doc, activity, origin, { now: activity.at ?? now() })
        }, origin)
      })
    }
    const previous = queues.get(name) ?? Promise.resolve()
    const next = previous.then(run).catch((error: unknown) => {
      log.error('could not write activity', { docName: name, count: activities.length, error })
    })
    queues.set(name, next)
    void next.then(() => {
      if (queues.get(name) === next) queues.delete(name)
    })
  }

  const flushRoom = (name: string): void => {
    const room = rooms.get(name)
    if (!room) return
    rooms.delete(name)
    if (room.timer) clearTimeout(room.timer)
    const activities = room.pending.map((p) => p.activity)
    if (activities.length > 0) write(name, activities)
  }

  /**
   * Buffers an activity of an account room; the room's buffer is written in one transaction after
   * FIELD_COALESCE_MS (or on `flush`), off the update that caused it. A field change with the same `key`
   * (record, user, fields) as the LAST buffered activity of the room, within the window, merges into it:
   * first before, last after.
   */
  const enqueue = (
    workspaceId: string,
    accountId: string,
    activity: ActivityCreate,
    merge: { key: string; title: string } | null = null,
  ): void => {
    const name = docName({ workspaceId, kind: 'account', accountId })
    let room = rooms.get(name)
    if (!room) {
      room = { pending: [], timer: null }
      rooms.set(name, room)
    }
    const last = room.pending.at(-1)
    const at = activity.at ?? now()
    if (merge && last?.key === merge.key && at - last.at < FIELD_COALESCE_MS) {
      const changes = mergeChanges(last.activity.changes ?? [], activity.changes ?? [])
      if (changes.length === 0) room.pending.pop()
      else last.activity = { ...last.activity, changes, text: changedText(changes, merge.title) }
    } else {
      room.pending.push({ activity, key: merge?.key ?? null, at })
    }
    if (!room.timer) {
      const timer = setTimeout(() => flushRoom(name), FIELD_COALESCE_MS)
      timer.unref?.()
      room.timer = timer
    }
  }

  const customFieldLabelOf =
    (workspaceId: string) =>
    (fieldId: string): string | undefined =>
      deps.projection.workspace(workspaceId).customFieldLabels.get(fieldId)

  const onRecord = (event: RecordEvent, actor: OriginActor): void => {
    const { before, after, kind } = event
    const record = after ?? before
    if (!record) return
    const accountId = accountIdOf(kind, record)
    if (!accountId) return
    const at = now()
    const subject = { kind: SUBJECT[kind], id: event.id }
    const title = titleOf(record)
    if (!before || !after) {
      const verb = before ? 'deleted' : 'created'
      enqueue(event.workspaceId, accountId, {
        type: 'field_change',
        at,
        actorId: actor.actorId,
        subject,
        text: `${verb} ${subject.kind} ${title}`,
      })
      return
    }
    if (kind === 'deals' && columnOf(before) !== columnOf(after)) {
      const pipeline = event.workspaceId
        ? deps.projection.workspace(event.workspaceId).pipelines.get(String(after.pipelineId))
        : undefined
      const stageName = (id: string | null): string =>
        pipeline?.stages.find((s) => s.id === id)?.name ?? String(id)
      enqueue(event.workspaceId, accountId, {
        type: 'stage_change',
        at,
        actorId: actor.actorId,
        subject,
        text: `moved ${title} from ${stageName(columnOf(before))} to ${stageName(columnOf(after))}`,
        changes: [{ field: 'stage', before: columnOf(before), after: columnOf(after) }],
      })
    }
    const changes: FieldChange[] = []
    const labelOf = customFieldLabelOf(event.workspaceId)
    for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (IGNORED_FIELDS.has(field) || field === 'position' || field === 'stageEnteredAt') continue
      // One change per custom field, named by its label (docs/schema.md §3.9).
      if (field === 'customFields') changes.push(...customFieldChanges(before[field], after[field], labelOf))
      else if (!jsonEqual(before[field], after[field]))
        changes.push({ field, before: before[field], after: after[field] })
    }
    if (kind === 'tickets' && columnOf(before) !== columnOf(after)) {
      changes.push({ field: 'status', before: columnOf(before), after: columnOf(after) })
    }
    if (changes.length === 0) return
    const fields = changes.map((c) => c.field)
    enqueue(
      event.workspaceId,
      accountId,
      {
        type: 'field_change',
        at,
        actorId: actor.actorId,
        subject,
        text: changedText(changes, title),
        changes,
      },
      { key: `${kind}:${event.id}|${actor.actorId ?? ''}|${[...fields].sort().join(',')}`, title },
    )
  }

  const onEvent = (event: ProjectionEvent): void => {
    // `roomFacts` (handoffs or timeline changed) is the index's, not an edit of the notes.
    if (event.type === 'invalid' || event.type === 'roomFacts') return
    const actor = originActor(event.origin)
    if (!actor || actor.internal) return
    if (event.type === 'record') {
      onRecord(event, actor)
      return
    }
    const key = `${event.docName}|${actor.actorId ?? ''}`
    const at = now()
    const last = lastNotes.get(key)
    if (last !== undefined && at - last < NOTES_COALESCE_MS) return
    lastNotes.set(key, at)
    enqueue(event.workspaceId, event.accountId, {
      type: 'note',
      at,
      actorId: actor.actorId,
      subject: { kind: 'notes', id: event.accountId },
      text: 'edited notes',
    })
  }

  /**
   * Sets that lost at once to a concurrent set of the same field never change the projection: audit them here, with
   * the kept value and its writer (`overruledBy`). Runs before the projection sees the transaction, so the
   * projected record still holds the field's value from before it.
   */
  const onLostSets = (
    workspaceId: string,
    kind: RecordKind,
    ...[lost, actor, writerOf]: Parameters<LostSetsListener>
  ): void => {
    const byRecord = new Map<string, LostSet[]>()
    for (const set of lost) {
      if (IGNORED_FIELDS.has(set.field) || set.field === 'position' || set.field === 'stageEnteredAt')
        continue
      byRecord.set(set.recordId, [...(byRecord.get(set.recordId) ?? []), set])
    }
    for (const [id, sets] of byRecord) {
      const record = deps.projection.workspace(workspaceId).records[kind].get(id)
      const accountId = record ? accountIdOf(kind, record) : null
      if (!record || !accountId) continue
      const title = titleOf(record)
      const labelOf = customFieldLabelOf(workspaceId)
      enqueue(workspaceId, accountId, {
        type: 'field_change',
        at: now(),
        actorId: actor.actorId,
        subject: { kind: SUBJECT[kind], id },
        text: sets
          .map((set) =>
            lostText(
              set,
              title,
              writerOf(set.keptClient),
              customFieldOfEntry(set.field, record, labelOf)?.label,
            ),
          )
          .join('; '),
        changes: sets.map((set) => {
          const custom = customFieldOfEntry(set.field, record, labelOf)
          return {
            field: set.field,
            ...(custom ? { label: custom.label } : {}),
            before: custom ? custom.before : record[set.field],
            after: set.value,
            overruledBy: { actorId: writerOf(set.keptClient)?.actorId ?? null, value: set.keptValue },
          }
        }),
      })
    }
  }
  const watches = new Map<string, () => void>()

  const unsubscribe = deps.projection.on(onEvent)
  const flush = async (): Promise<void> => {
    for (const name of [...rooms.keys()]) flushRoom(name)
    while (queues.size > 0) await Promise.all([...queues.values()])
  }
  return {
    flush,
    extension: {
      extensionName: 'rapport-audit',
      async onConfigure({ instance }) {
        hocuspocus ??= instance
      },
      async afterLoadDocument({ documentName, document }) {
        const ref = parseDocName(documentName)
        const kinds = ref ? kindsOfDoc(ref) : []
        if (!ref || kinds.length === 0) return
        watches.get(documentName)?.()
        // Every record map of the document (an account room: its account and its tasks).
        const stops = kinds.map((kind) =>
          watchLostSets(document, document.getMap<unknown>(KIND_SPECS[kind].collection), (...args) =>
            onLostSets(ref.workspaceId, kind, ...args),
          ),
        )
        watches.set(documentName, () => {
          for (const stop of stops) stop()
        })
      },
      async afterUnloadDocument({ documentName }) {
        watches.get(documentName)?.()
        watches.delete(documentName)
      },
      async onDestroy() {
        for (const stop of watches.values()) stop()
        watches.clear()
        unsubscribe()
        await flush()
      },
    },
  }
}
