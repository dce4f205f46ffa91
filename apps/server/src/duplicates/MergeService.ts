import type { Hocuspocus } from '@hocuspocus/server'
import {
  ACCOUNTS,
  appendActivity,
  appendDocToText,
  archiveRecord,
  CONTACTS,
  collectionMap,
  createRecord,
  type DocRef,
  docName,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  newTaskId,
  notesTextToDoc,
  parseDocName,
  type RecordCollection,
  readRecord,
  readRecords,
  TASKS,
  TIMELINE,
  updateAccount,
  updateContact,
  updateDeal,
  updateTask,
  updateTicket,
} from '@rapport/model'
import * as Y from 'yjs'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { AppError, badRequest, notFound } from '../errors.ts'
import { indexedRecord } from '../http/routes/records.ts'
import { docToXmlNodes, fragmentToDoc, isEmptyDoc, liveNotesText } from '../notes/roomNotes.ts'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import type { DuplicateKind } from '../recordIndex/duplicateKeys.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'
import { modelErrorToApp, requireAccess, restWrite } from '../tasks/restWrites.ts'
import type { DuplicateLog } from './DuplicateLog.ts'
import { labelOf } from './DuplicateService.ts'

/** The fields a merge chooses between, per kind (plus each custom field as `cf.<fieldId>`). */
export const MERGE_FIELDS: Record<DuplicateKind, readonly string[]> = {
  accounts: [
    'name',
    'domain',
    'industry',
    'size',
    'tier',
    'ownerId',
    'team',
    'phone',
    'website',
    'city',
    'country',
  ],
  contacts: [
    'firstName',
    'lastName',
    'email',
    'phone',
    'title',
    'accountId',
    'leadStatus',
    'source',
    'score',
    'ownerId',
  ],
}

const id = z.string().min(1).max(64)
export const MergeBody = z
  .object({
    kind: z.enum(['accounts', 'contacts']),
    survivorId: id,
    mergedId: id,
    fields: z.record(z.string().max(80), z.enum(['survivor', 'merged'])).default({}),
  })
  .refine((b) => b.survivorId !== b.mergedId, {
    message: 'survivorId and mergedId must be two different records',
  })
export type MergeBody = z.infer<typeof MergeBody>

// biome-ignore lint/suspicious/noExplicitAny: one table of differently typed collections
const COLLECTIONS: Record<DuplicateKind, RecordCollection<any>> = { accounts: ACCOUNTS, contacts: CONTACTS }

const isEmpty = (value: unknown): boolean =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)

type Record_ = Record<string, unknown>

/**
 * Merges two accounts or two contacts (docs/schema.md §5.5). Every write goes through the records' documents with the
 * model's commands (direct connections, attributed to the caller), so edits others make meanwhile merge as Yjs edits:
 *   1. the survivor gets, per field, the value chosen (`fields`; a field not named keeps the survivor's value, or
 *      takes the merged record's when the survivor's is empty), read from the merged record's document;
 *   2. what pointed at the merged record points at the survivor: contacts: its tickets (`contactId`), deals
 *      (`contactIds`) and tasks (`contactId`); accounts: its contacts, deals and tickets (`accountId`), and from its
 *      room its tasks (copied with new ids, then removed), timeline entries (copied) and notes (appended after a
 *      "Notes merged from …" paragraph);
 *   3. the merged record is archived in one transaction with a last read of its fields: a chosen field edited during
 *      the merge is written to the survivor again; edits arriving at the merged record after that stay on the
 *      archived record (it can be restored from the Trash, and its room keeps its own notes and timeline);
 *   4. a `field_change` entry in the survivor's account room records the merge and the fields taken, and the
 *      merge is remembered (`mergedInto`, `GET /api/merges/:id`): merging the archived record again answers 409.
 */
export class MergeService {
  constructor(
    private readonly hocuspocus: Hocuspocus,
    private readonly worker: Pick<IndexWorker, 'index' | 'flush'>,
    private readonly log: DuplicateLog,
  ) {}

  private async locate(session: SessionInfo, kind: RecordKind, recordId: string) {
    await this.worker.flush()
    const found = await indexedRecord(this.worker.index, session.workspaceId, kind, recordId)
    const ref = found ? parseDocName(found.doc) : null
    if (!found || !ref || ref.workspaceId !== session.workspaceId)
      throw notFound(`There is no ${kind.slice(0, -1)} ${recordId}`)
    return { record: found.record, ref }
  }

  private async all(session: SessionInfo, kind: RecordKind, filters: Record<string, string>) {
    const rows: Array<{ record: ProjectedRecord }> = []
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await this.worker.index.list(session.workspaceId, kind, {
        filters,
        offset,
        limit: MAX_PAGE,
        archived: 'all',
      })
      for (const record of page.items) rows.push({ record })
      offset = page.nextOffset
    }
    return rows
  }

  /**
   * A link of another record (a ticket's contact, a deal's account …) written as part of the merge, attributed to the
   * caller: the merge needs write access to the two merged records, not to every kind that points at them (a sales
   * member merging two contacts moves their support tickets too, rather than leaving them on an archived contact).
   */
  private async relink<T>(
    session: SessionInfo,
    ref: DocRef,
    write: (doc: Y.Doc, origin: unknown) => T,
  ): Promise<T> {
    try {
      return await writeDocument(
        this.hocuspocus,
        docName(ref),
        'rest',
        { userId: session.userId, name: session.name },
        write,
      )
    } catch (error) {
      modelErrorToApp(error)
    }
  }

  private async docOf(session: SessionInfo, kind: RecordKind, recordId: string): Promise<DocRef | null> {
    const found = await indexedRecord(this.worker.index, session.workspaceId, kind, recordId)
    const ref = found ? parseDocName(found.doc) : null
    return ref && ref.workspaceId === session.workspaceId ? ref : null
  }

  /** Records in a merge right now (`workspace\0id`): a second merge touching one of them meanwhile is refused (409). */
  private readonly inFlight = new Set<string>()

  async merge(session: SessionInfo, body: MergeBody): Promise<ProjectedRecord> {
    const keys = [body.survivorId, body.mergedId].map((id) => `${session.workspaceId}\u0000${id}`)
    if (keys.some((key) => this.inFlight.has(key)))
      throw new AppError(
        409,
        'conflict',
        'One of these records is being merged right now; try again in a moment.',
      )
    for (const key of keys) this.inFlight.add(key)
    try {
      return await this.mergeNow(session, body)
    } finally {
      for (const key of keys) this.inFlight.delete(key)
    }
  }

  private async mergeNow(session: SessionInfo, body: MergeBody): Promise<ProjectedRecord> {
    const { kind, survivorId, mergedId } = body
    const collection = COLLECTIONS[kind]
    const allowed = new Set(MERGE_FIELDS[kind])
    for (const field of Object.keys(body.fields)) {
      if (!allowed.has(field) && !/^cf\.[A-Za-z0-9_-]{1,64}$/.test(field))
        throw badRequest(
          `fields: ${field} is not a field of ${kind} (use one of ${MERGE_FIELDS[kind].join(', ')}, or cf.<fieldId>)`,
          'invalid_input',
        )
    }
    const survivor = await this.locate(session, kind, survivorId)
    const merged = await this.locate(session, kind, mergedId)
    for (const [what, side] of [
      ['survivor', survivor],
      ['merged', merged],
    ] as const) {
      if (side.record.archived !== true) continue
      // A merged record is archived; restored from the Trash it is a live record again and may be merged anew.
      const into = this.log.mergedInto(session.workspaceId, side.record.id)
      throw new AppError(
        409,
        'conflict',
        into
          ? `The ${what} record ${side.record.id} was already merged into ${into.survivorId}; merge that one instead.`
          : `The ${what} record ${side.record.id} is archived; restore it before merging.`,
      )
    }
    requireAccess(session, survivor.ref, 'write')
    requireAccess(session, merged.ref, 'write')

    // 1. The merged record as its document holds it now, and the survivor's chosen fields.
    const mergedNow = await restWrite(this.hocuspocus, session, merged.ref, (doc) =>
      readRecord(collectionMap(doc, collection), mergedId, collection.schema),
    )
    if (!mergedNow) throw notFound(`There is no ${kind.slice(0, -1)} ${mergedId}`)
    const taken: Array<{ field: string; before: unknown; after: unknown }> = []
    const patchFrom = (current: Record_, from: Record_): Record_ => {
      const patch: Record_ = {}
      const custom: Record_ = {}
      const currentCf = (current.customFields ?? {}) as Record_
      const fromCf = (from.customFields ?? {}) as Record_
      const choose = (key: string, mine: unknown, theirs: unknown): boolean => {
        const choice = body.fields[key] ?? (isEmpty(mine) && !isEmpty(theirs) ? 'merged' : 'survivor')
        return choice === 'merged' && JSON.stringify(mine) !== JSON.stringify(theirs)
      }
      for (const field of MERGE_FIELDS[kind]) {
        if (!choose(field, current[field], from[field])) continue
        patch[field] = from[field] ?? null
        taken.push({ field, before: current[field] ?? null, after: from[field] ?? null })
      }
      for (const fieldId of new Set([...Object.keys(currentCf), ...Object.keys(fromCf)])) {
        if (!choose(`cf.${fieldId}`, currentCf[fieldId], fromCf[fieldId])) continue
        custom[fieldId] = fromCf[fieldId] ?? null
        taken.push({
          field: `cf:${fieldId}`,
          before: currentCf[fieldId] ?? null,
          after: fromCf[fieldId] ?? null,
        })
      }
      if (Object.keys(custom).length > 0) patch.customFields = custom
      return patch
    }
    const update = kind === 'accounts' ? updateAccount : updateContact
    const writeSurvivor = (from: Record_) =>
      restWrite(this.hocuspocus, session, survivor.ref, (doc, origin) => {
        const current = readRecord(
          collectionMap(doc, collection),
          survivorId,
          collection.schema,
        ) as Record_ | null
        if (!current) throw notFound(`There is no ${kind.slice(0, -1)} ${survivorId}`)
        const patch = patchFrom(current, from)
        // biome-ignore lint/suspicious/noExplicitAny: the patch holds only fields of this kind (MERGE_FIELDS)
        if (Object.keys(patch).length > 0) update(doc, survivorId, patch as any, origin)
      })
    await writeSurvivor(mergedNow as Record_)

    // 2. What pointed at the merged record.
    if (kind === 'contacts') await this.moveContactLinks(session, mergedId, survivorId)
    else await this.moveAccountContent(session, mergedNow as Record_, survivorId, merged.ref, survivor.ref)

    // 3. Archive the merged record with a last read: a chosen field edited meanwhile is taken again.
    const last = await restWrite(this.hocuspocus, session, merged.ref, (doc, origin) => {
      const record = readRecord(collectionMap(doc, collection), mergedId, collection.schema)
      archiveRecord(doc, collection, mergedId, origin)
      return record
    })
    if (last && JSON.stringify(last) !== JSON.stringify(mergedNow)) await writeSurvivor(last as Record_)

    // 4. The survivor's timeline and the merge log.
    await this.worker.flush()
    const after = (await indexedRecord(this.worker.index, session.workspaceId, kind, survivorId))?.record
    const room = kind === 'accounts' ? survivorId : (after?.accountId as string | null | undefined)
    if (typeof room === 'string') {
      const text = `Merged ${kind === 'accounts' ? 'account' : 'contact'} ${labelOf(kind, merged.record)} (${mergedId}) into ${labelOf(kind, after ?? survivor.record)}`
      const ref: DocRef = { workspaceId: session.workspaceId, kind: 'account', accountId: room }
      await restWrite(this.hocuspocus, session, ref, (doc, origin) =>
        appendActivity(
          doc,
          {
            type: 'field_change',
            actorId: session.userId,
            subject: { kind: kind === 'accounts' ? 'account' : 'contact', id: survivorId },
            text,
            changes: taken.slice(0, 200),
          },
          origin,
        ),
      )
    }
    await this.log.recordMerge(session.workspaceId, {
      kind,
      survivorId,
      mergedId,
      at: Date.now(),
      by: session.userId,
    })
    return after ?? survivor.record
  }

  /** A contact's tickets, deals and tasks name the survivor instead. */
  private async moveContactLinks(session: SessionInfo, mergedId: string, survivorId: string) {
    const ws = session.workspaceId
    for (const { record } of await this.all(session, 'tickets', { contactId: mergedId })) {
      const ref = await this.docOf(session, 'tickets', record.id)
      if (ref)
        await this.relink(session, ref, (doc, origin) =>
          updateTicket(doc, record.id, { contactId: survivorId }, origin),
        )
    }
    for (const { record } of await this.all(session, 'deals', {})) {
      const ids = Array.isArray(record.contactIds) ? (record.contactIds as string[]) : []
      if (!ids.includes(mergedId)) continue
      const ref = await this.docOf(session, 'deals', record.id)
      const next = [...new Set(ids.map((c) => (c === mergedId ? survivorId : c)))]
      if (ref)
        await this.relink(session, ref, (doc, origin) =>
          updateDeal(doc, record.id, { contactIds: next }, origin),
        )
    }
    for (const { record: task } of await this.all(session, 'tasks', { contactId: mergedId })) {
      const ref: DocRef = { workspaceId: ws, kind: 'account', accountId: String(task.accountId) }
      await this.relink(session, ref, (doc, origin) =>
        updateTask(doc, task.id, { contactId: survivorId }, origin),
      )
    }
  }

  /** An account's contacts, deals and tickets, and its room's tasks, timeline and notes, go to the survivor. */
  private async moveAccountContent(
    session: SessionInfo,
    mergedRecord: Record_,
    survivorId: string,
    mergedRoom: DocRef,
    survivorRoom: DocRef,
  ) {
    const mergedId = String(mergedRecord.id)
    const moves: Array<[RecordKind, typeof updateContact | typeof updateDeal | typeof updateTicket]> = [
      ['contacts', updateContact],
      ['deals', updateDeal],
      ['tickets', updateTicket],
    ]
    for (const [kind, command] of moves) {
      for (const { record } of await this.all(session, kind, { accountId: mergedId })) {
        const ref = await this.docOf(session, kind, record.id)
        if (ref)
          await this.relink(session, ref, (doc, origin) =>
            command(doc, record.id, { accountId: survivorId }, origin),
          )
      }
    }
    if (mergedRoom.kind !== 'account' || survivorRoom.kind !== 'account') return
    // The merged room's tasks, timeline and a copy of its notes (read in one go; unattached clones of the notes).
    const content = await restWrite(this.hocuspocus, session, mergedRoom, (doc) => {
      const tasks = readRecords(collectionMap(doc, TASKS), TASKS.schema).records
      const timeline = readRecords(collectionMap(doc, TIMELINE), TIMELINE.schema).records
      // Either layout: the v2 text when it holds content (its document), else the fragment (clones, and its document
      // for a survivor on v2).
      const text = liveNotesText(doc, NOTES_FIELD)
      const fragment = doc.getXmlFragment(NOTES_FIELD)
      const notes = text ? [] : fragment.toArray().map((node) => (node as Y.XmlElement | Y.XmlText).clone())
      const notesDoc = text ? notesTextToDoc(text) : fragmentToDoc(fragment)
      return { tasks, timeline, notes, notesDoc }
    })
    const headerText = `Notes merged from ${String(mergedRecord.name ?? mergedId)}:`
    const header = new Y.XmlElement('paragraph')
    header.insert(0, [new Y.XmlText(headerText)])
    const mergedBlocks = isEmptyDoc(content.notesDoc) ? [] : (content.notesDoc.content ?? [])
    const copied = await restWrite(this.hocuspocus, session, survivorRoom, (doc, origin) => {
      const ids: string[] = []
      doc.transact(() => {
        const timeline = collectionMap(doc, TIMELINE)
        for (const entry of content.timeline)
          if (!timeline.has(entry.id)) createRecord(doc, TIMELINE, entry, origin)
        // New ids: a task id removed from the merged room would otherwise remove the survivor's copy from the index.
        for (const task of content.tasks) {
          createRecord(doc, TASKS, { ...task, id: newTaskId() }, origin)
          ids.push(task.id)
        }
        // The survivor's layout decides: its v2 text gets the merged blocks appended as new blocks (no text of its
        // own is rewritten) — also a survivor with no notes at all (rooms are moved to the text when they load) —,
        // else its fragment (a room stored before the move) gets them as elements.
        const emptyFragment = !doc.share.has(NOTES_FIELD) || doc.getXmlFragment(NOTES_FIELD).length === 0
        const survivorText =
          liveNotesText(doc, NOTES_FIELD) ?? (emptyFragment ? doc.getText(NOTES_TEXT_FIELD) : null)
        if (survivorText) {
          if (mergedBlocks.length > 0)
            appendDocToText(survivorText, {
              type: 'doc',
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: headerText }] },
                ...mergedBlocks,
              ],
            })
        } else if (content.notes.length > 0 || mergedBlocks.length > 0) {
          const fragment = doc.getXmlFragment(NOTES_FIELD)
          const blocks = content.notes.length > 0 ? content.notes : docToXmlNodes(mergedBlocks)
          fragment.insert(fragment.length, [header, ...blocks])
        }
      }, origin)
      return ids
    })
    if (copied.length > 0)
      await restWrite(this.hocuspocus, session, mergedRoom, (doc, origin) => {
        const tasks = collectionMap(doc, TASKS)
        doc.transact(() => {
          for (const taskId of copied) tasks.delete(taskId)
        }, origin)
      })
  }
}
