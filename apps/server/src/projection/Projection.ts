import {
  CLOSED_DAYS_DEFAULT,
  ClosedDays,
  COLLECTION,
  type DocRef,
  docName,
  isCustomFieldKey,
  isOwnRecord,
  isRecordDocRef,
  jsonEqual,
  LOGGED_ACTIVITY_TYPES,
  type Pipeline,
  parseDocName,
  plainPipeline,
  RECORD_DOC_COLLECTION,
  recordJSON,
  SETTINGS_KEY,
  SETTINGS_MAP,
  StoredPipeline,
} from '@rapport/model'
import * as Y from 'yjs'
import { z } from 'zod'
import type { Logger } from '../log/logger.ts'
import { isNotesField, notesFieldsOf, notesFieldText } from '../notes/roomNotes.ts'
import { type DocumentStore, storedWorkspaceIds } from '../storage/DocumentStore.ts'
import { kindsOfDoc } from './docKinds.ts'
import { RecordViews } from './RecordViews.ts'
import { KIND_SPECS, type ProjectedRecord, RECORD_KINDS, type RecordKind } from './recordKinds.ts'

/*
 * Design: the projection is plain data (records parsed by their schemas, note text, pipelines) per workspace, derived
 * from the Y.Docs loaded NOW (issue #12: nothing decodes every stored document at start). It keeps no search index:
 * lists, search and every read of many records go to the persisted record index; the projection only gives the
 * synchronous before/after of changes to loaded documents (audit, validation, automation, the IndexWorker):
 *  - at startup `bootstrap(store)` reads only the `W/workspace` documents (pipelines, custom field labels, settings);
 *  - `attach(name, doc)` (projectionExtension, afterLoadDocument) reads the loaded document's records WITHOUT events
 *    (they are "before" of later changes; the index already holds them, or the start-up catch-up re-indexed them)
 *    and listens to its `update` events (one batch per transaction, with the transaction for attribution); records
 *    failing their schema get their `invalid` event then, so validation repairs them. Hocuspocus' `Document`
 *    registers its broadcast on `update` when it is constructed, before any attach, so an edit reaches the other
 *    clients before the projection, audit and index work it causes: that work is not on the edit's latency path;
 *  - `detach(name)` (afterUnloadDocument) stops listening and FORGETS the document's records and note text (the
 *    `W/workspace` settings stay): an unloaded document cannot change until it is loaded (and attached) again.
 * Records failing their schema are never projected: the previous valid version stays, and an `invalid` event lets the
 * validation extension repair the document. An edit of some fields of a clean record checks only those fields
 * (`checkChangedFields`); anything else parses the whole record. Listeners run synchronously inside the transaction's cleanup (still within
 * `transact`, so a REST write reads its own projection): a transaction they start runs right after the current one
 * (Yjs queues it), so repairs and audit see a consistent projection.
 */

export type ProjectionEvent =
  | {
      type: 'record'
      workspaceId: string
      docName: string
      kind: RecordKind
      id: string
      before: ProjectedRecord | null
      after: ProjectedRecord | null
      origin: unknown
    }
  | {
      type: 'invalid'
      workspaceId: string
      docName: string
      kind: RecordKind
      id: string
      doc: Y.Doc
      collection: Y.Map<unknown>
      lastValid: ProjectedRecord | null
      /** Top-level fields of the record that fail the schema (issue paths). */
      badFields: string[]
      unknownFields: string[]
      issues: string
      origin: unknown
    }
  | { type: 'notes'; workspaceId: string; docName: string; accountId: string; origin: unknown }
  /** An account room's handoffs or timeline changed (the index's report facts, issue #13). */
  | {
      type: 'roomFacts'
      workspaceId: string
      docName: string
      accountId: string
      doc: Y.Doc
      origin: unknown
    }

export type ProjectionListener = (event: ProjectionEvent) => void

export class WorkspaceProjection {
  readonly records: Record<RecordKind, Map<string, ProjectedRecord>> = {
    accounts: new Map(),
    contacts: new Map(),
    deals: new Map(),
    tickets: new Map(),
    tasks: new Map(),
  }
  /** Cached sorted/filtered list views per kind, updated on every record change (see RecordViews). */
  readonly views = Object.fromEntries(
    RECORD_KINDS.map((kind) => [kind, new RecordViews(this.records[kind])]),
  ) as Record<RecordKind, RecordViews>
  readonly pipelines = new Map<string, Pipeline>()
  /** Days a closed card stays on the board (workspace setting `closedDays`, default 7). */
  closedDays = CLOSED_DAYS_DEFAULT
  /** Custom field id → its label (workspace settings), for the timeline's wording. */
  readonly customFieldLabels = new Map<string, string>()
  /** accountId → plain text of the notes and every handoff brief of the account room (read by the IndexWorker). */
  readonly notes = new Map<string, string>()
  /** `kind:id` → the document the record lives in. */
  readonly sources = new Map<string, string>()
  /**
   * document name → ids of the records projected from it (for full re-index of one document). An account room holds
   * two kinds (its account and its tasks): `idsFrom` gives one kind's.
   */
  readonly sourceIds = new Map<string, Set<string>>()
  /**
   * `kind:id` of records whose last check failed or found unknown fields: the projection holds their last valid
   * version, not what the document holds, so their next change is checked in full (see `checkChangedFields`).
   */
  readonly unclean = new Set<string>()

  constructor(readonly workspaceId: string) {}

  /** Ids of the records of `kind` projected from document `name`. */
  idsFrom(name: string, kind: RecordKind): string[] {
    return [...(this.sourceIds.get(name) ?? [])].filter((id) => this.sources.get(`${kind}:${id}`) === name)
  }
}

type Root = Y.AbstractType<unknown>

/** A record entry checked against its kind's schema: `record` (null when invalid) and what is wrong with it. */
interface CheckedRecord {
  record: ProjectedRecord | null
  badFields: string[]
  unknownFields: string[]
  issues: string[]
}

function checkRecord(ref: DocRef, kind: RecordKind, id: string, value: unknown): CheckedRecord {
  const spec = KIND_SPECS[kind]
  const raw = value instanceof Y.Map ? recordJSON(value as Y.Map<unknown>) : null
  const parsed = raw ? spec.schema.safeParse(raw) : null
  const unknownFields = raw && spec.fields.size > 0 ? Object.keys(raw).filter((f) => !spec.fields.has(f)) : []
  const valid = parsed?.success === true && (parsed.data as { id?: unknown }).id === id
  const zodIssues = parsed && !parsed.success ? parsed.error.issues : []
  const badFields = [...new Set(zodIssues.map((i) => String(i.path[0] ?? '')).filter(Boolean))]
  if (parsed?.success && (parsed.data as { id?: unknown }).id !== id) badFields.push('id')
  const issues = zodIssues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
  if (!valid) return { record: null, badFields, unknownFields, issues }
  const data = parsed?.data as ProjectedRecord
  // An account room's tasks carry the room's account; the room's own account record is left as it is.
  const record: ProjectedRecord =
    ref.kind === 'account' && kind === 'tasks' ? { ...data, accountId: ref.accountId } : data
  return { record, badFields, unknownFields, issues }
}

/** Per kind: the schema's field parsers when one field can be checked alone (an object schema without checks of
 * the whole record, e.g. a contact's "first or last name"), else null. */
const FIELD_PARSERS: Readonly<Record<RecordKind, Readonly<Record<string, z.ZodType>> | null>> =
  Object.fromEntries(
    RECORD_KINDS.map((kind) => {
      const schema = KIND_SPECS[kind].schema
      const whole = schema instanceof z.ZodObject && (schema.def.checks?.length ?? 0) === 0
      return [kind, whole ? (schema as z.ZodObject).shape : null]
    }),
  ) as Record<RecordKind, Readonly<Record<string, z.ZodType>> | null>

/**
 * A record of which only `fields` changed since `before` (its last valid, clean version): each changed field is
 * checked with its own parser and replaces `before`'s, which gives what a full parse would (every other field is as
 * `before` parsed it) at a fraction of the cost — an edit of one field no longer reads and parses the whole record.
 * Null (check the whole record) when that is not sure: a field the schema does not know, a custom field (read into
 * `customFields`), the id, a task's `accountId` (the room's), a removed field, a kind with whole-record checks, or a
 * value that fails (the full check names every issue).
 */
function checkChangedFields(
  kind: RecordKind,
  before: ProjectedRecord,
  value: unknown,
  fields: ReadonlySet<string>,
): CheckedRecord | null {
  const parsers = FIELD_PARSERS[kind]
  if (!parsers || !(value instanceof Y.Map) || fields.size === 0) return null
  const record: ProjectedRecord = { ...before }
  for (const field of fields) {
    const parser = parsers[field]
    if (
      !parser ||
      field === 'id' ||
      field === 'accountId' ||
      field === 'customFields' ||
      isCustomFieldKey(field)
    )
      return null
    if (!value.has(field)) return null
    const raw = value.get(field)
    const parsed = parser.safeParse(raw instanceof Y.AbstractType ? raw.toJSON() : raw)
    if (!parsed.success) return null
    record[field] = parsed.data
  }
  return { record, badFields: [], unknownFields: [], issues: [] }
}

/** The top-level field of its record that `target` (a type nested in a record of `collection`) sits under. */
function fieldOf(collection: Root, target: Root): string | null {
  let type: Root = target
  while (type._item && (type._item.parent as Root)._item?.parent !== collection)
    type = type._item.parent as Root
  return type._item?.parentSub ?? null
}

/** Plain text of an account room's notes and every handoff brief (search kind `notes`). */
export function notesText(doc: Y.Doc): string {
  // Either layout (a field's v2 text wins when it holds content): see notes/roomNotes.ts.
  return notesFieldsOf(doc)
    .map((field) => notesFieldText(doc, field))
    .filter(Boolean)
    .join('\n')
}

/** The records a stored document holds, as the projection would read them (index catch-up and rebuild). */
export interface DocumentRecords {
  /** Every record kind the document holds, each with its valid records by id (invalid ones are left out, as the
   * projection leaves them out). */
  kinds: Array<{ kind: RecordKind; records: Map<string, ProjectedRecord> }>
  /** An account room's note text (`''` when empty), null for other documents. */
  notes: string | null
}

/** Reads a document's records without keeping anything (null for documents that hold no records). */
export function readDocumentRecords(name: string, doc: Y.Doc): DocumentRecords | null {
  const ref = parseDocName(name)
  const kinds = ref ? kindsOfDoc(ref) : []
  if (!ref || kinds.length === 0) return null
  const out: DocumentRecords = { kinds: [], notes: ref.kind === 'account' ? notesText(doc) : null }
  for (const kind of kinds) {
    const records = new Map<string, ProjectedRecord>()
    for (const [id, value] of doc.getMap<unknown>(KIND_SPECS[kind].collection).entries()) {
      if (!ownEntry(ref, kind, id)) continue
      const { record } = checkRecord(ref, kind, id, value)
      if (record) records.set(id, record)
    }
    out.kinds.push({ kind, records })
  }
  return out
}

/**
 * A per-record document holds its own record only: a foreign entry is never projected (validation drops it). An
 * account room's other record map (tasks) holds many.
 */
function ownEntry(ref: DocRef, kind: RecordKind, id: string): boolean {
  return !(
    isRecordDocRef(ref) &&
    RECORD_DOC_COLLECTION[ref.kind].name === KIND_SPECS[kind].collection &&
    !isOwnRecord(ref, id)
  )
}

/** The key under `root` of the branch `target` sits in (the record id), or null when target is the root. */
function topKey(root: Root, target: Root): string | null {
  let type: Root = target
  while (type._item && type._item.parent !== root) type = type._item.parent as Root
  return type._item?.parentSub ?? null
}

/** A timeline entry that is (or may be) a logged call, email or meeting: anything but a known other type. */
function mayBeLoggedActivity(value: unknown): boolean {
  const type = value instanceof Y.Map ? value.get('type') : (value as { type?: unknown } | null)?.type
  return typeof type !== 'string' || (LOGGED_ACTIVITY_TYPES as readonly string[]).includes(type)
}

/**
 * Whether a transaction's changes to an account room's `timeline` can change the room's report facts (its logged
 * calls, emails and meetings, `recordIndex/roomFacts.ts`): an entry that is or may be one was added, changed or
 * removed. The audit's own entries (field and stage changes, notes), added about every 250 ms while someone edits, are
 * not: reading the room's facts again for them parsed its whole timeline and rewrote its facts for nothing.
 */
function timelineFactsChanged(timeline: Y.Map<unknown>, events: Array<Y.YEvent<Root>>): boolean {
  for (const event of events) {
    if (event.target === timeline) {
      const mapEvent = event as unknown as Y.YMapEvent<unknown>
      for (const key of mapEvent.keysChanged) {
        // Replaced or removed: what was there before may have been a logged activity.
        if (mapEvent.changes.keys.get(key)?.action !== 'add') return true
        if (mayBeLoggedActivity(timeline.get(key))) return true
      }
      continue
    }
    const key = topKey(timeline as unknown as Root, event.target as Root)
    if (key === null) return true
    // A changed `type` may turn a logged activity into another entry.
    const entryChanged = event.target._item?.parent === (timeline as unknown as Root)
    if (entryChanged && (event as unknown as Y.YMapEvent<unknown>).keysChanged.has('type')) return true
    if (mayBeLoggedActivity(timeline.get(key))) return true
  }
  return false
}

export class Projection {
  private readonly workspaces = new Map<string, WorkspaceProjection>()
  private readonly attached = new Map<string, { doc: Y.Doc; stop: () => void }>()
  private readonly listeners = new Set<ProjectionListener>()
  /** While attach reads a document: collects the ids of invalid records (their events follow the read). */
  private invalidSink: Set<string> | null = null
  /** Record documents read since start (attach); the start-up test checks an untouched restart reads none. */
  private recordDocsRead = 0

  constructor(private readonly logger: Logger) {}

  workspace(workspaceId: string): WorkspaceProjection {
    let ws = this.workspaces.get(workspaceId)
    if (!ws) {
      ws = new WorkspaceProjection(workspaceId)
      this.workspaces.set(workspaceId, ws)
    }
    return ws
  }

  /** Forgets a deleted workspace: its records, and every document of it followed. */
  dropWorkspace(workspaceId: string): void {
    const prefix = `${workspaceId}/`
    for (const [name, entry] of [...this.attached]) {
      if (!name.startsWith(prefix)) continue
      entry.stop()
      this.attached.delete(name)
    }
    this.workspaces.delete(workspaceId)
  }

  /** Ids of the workspaces projected so far. */
  workspaceIds(): string[] {
    return [...this.workspaces.keys()]
  }

  on(listener: ProjectionListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  isAttached(name: string): boolean {
    return this.attached.has(name)
  }

  /** How many documents holding records were read (attached) since start: only loaded ones. */
  stats(): { attached: number; recordDocsRead: number } {
    return { attached: this.attached.size, recordDocsRead: this.recordDocsRead }
  }

  /**
   * Reads the `W/workspace` document of every workspace (pipelines, custom field labels, settings; small) —
   * nothing else: records are read from the index, or from their document once it is loaded. Returns the number read.
   */
  async bootstrap(store: DocumentStore): Promise<number> {
    let count = 0
    for (const workspaceId of await storedWorkspaceIds(store)) {
      const name = docName({ workspaceId, kind: 'workspace' })
      if (this.attached.has(name)) continue
      const state = await store.load(name)
      if (!state || this.attached.has(name)) continue
      const doc = new Y.Doc({ guid: name })
      Y.applyUpdate(doc, state)
      this.fullIndex(name, doc, false)
      doc.destroy()
      count += 1
    }
    return count
  }

  /** Re-indexes a whole document without emitting events (a document just loaded). */
  indexDocument(name: string, doc: Y.Doc): void {
    this.fullIndex(name, doc, false)
  }

  /**
   * Reads `doc`'s records (no `record` events: they are the "before" of later changes) and follows its transactions
   * until `detach(name)`. Records failing their schema get their `invalid` event now (validation repairs them).
   */
  attach(name: string, doc: Y.Doc): void {
    const ref = parseDocName(name)
    if (!ref) return
    this.detach(name)
    const kinds = kindsOfDoc(ref)
    const invalid = new Set<string>()
    this.invalidSink = invalid
    try {
      this.fullIndex(name, doc, false)
    } finally {
      this.invalidSink = null
    }
    if (kinds.length > 0) this.recordDocsRead += 1
    for (const kind of kinds) {
      const collection = doc.getMap<unknown>(KIND_SPECS[kind].collection)
      for (const key of [...invalid].sort()) {
        const [k, id] = key.split('\u0000') as [string, string]
        if (k === kind) this.updateRecord(ref, name, doc, kind, collection, id, null, true)
      }
    }
    const handler = (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, txn: Y.Transaction): void => {
      if (txn.changedParentTypes.size === 0 && txn.changed.size === 0) return
      try {
        this.applyTransaction(ref, name, doc, txn)
      } catch (error) {
        this.logger.error('projection update failed', { docName: name, error })
      }
    }
    doc.on('update', handler)
    this.attached.set(name, { doc, stop: () => doc.off('update', handler) })
  }

  /** Stops following `name` and forgets its records and note text (`W/workspace` settings stay). */
  detach(name: string): void {
    const entry = this.attached.get(name)
    if (!entry) return
    entry.stop()
    this.attached.delete(name)
    const ref = parseDocName(name)
    const kinds = ref ? kindsOfDoc(ref) : []
    if (!ref || kinds.length === 0) return
    const ws = this.workspace(ref.workspaceId)
    for (const kind of kinds) for (const id of ws.idsFrom(name, kind)) this.removeRecord(ws, kind, id)
    ws.sourceIds.delete(name)
    if (ref.kind === 'account') ws.notes.delete(ref.accountId)
  }

  private emit(event: ProjectionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.logger.error('projection listener failed', { type: event.type, error })
      }
    }
  }

  private fullIndex(name: string, doc: Y.Doc, live: boolean): void {
    const ref = parseDocName(name)
    if (!ref) return
    const ws = this.workspace(ref.workspaceId)
    if (ref.kind === 'workspace') {
      this.indexPipelines(ws, doc)
      return
    }
    for (const kind of kindsOfDoc(ref)) {
      const collection = doc.getMap<unknown>(KIND_SPECS[kind].collection)
      const present = new Set(collection.keys())
      for (const id of ws.idsFrom(name, kind)) {
        if (!present.has(id)) this.removeRecord(ws, kind, id)
      }
      for (const id of present) this.updateRecord(ref, name, doc, kind, collection, id, null, live)
    }
    if (ref.kind === 'account') this.indexNotes(ws, ref.accountId, doc)
  }

  private applyTransaction(ref: DocRef, name: string, doc: Y.Doc, txn: Y.Transaction): void {
    const ws = this.workspace(ref.workspaceId)
    const roots = new Map<Root, string>()
    for (const [key, type] of doc.share) roots.set(type as Root, key)
    let notesChanged = false
    let factsChanged = false
    if (ref.kind === 'account') {
      // A root type only received (never asked for by name) is an untyped AbstractType that calls no observers, so
      // it is not among changedParentTypes: its items still list it in `changed` (every notes text item is a child).
      for (const type of txn.changed.keys()) {
        const rootName = type._item === null ? roots.get(type as Root) : undefined
        if (rootName !== undefined && isNotesField(rootName)) notesChanged = true
      }
    }
    for (const [type, events] of txn.changedParentTypes) {
      const rootName = roots.get(type as Root)
      if (rootName === undefined) continue
      if (ref.kind === 'workspace') {
        if (rootName === SETTINGS_MAP) this.indexPipelines(ws, doc)
        continue
      }
      if (ref.kind === 'account' && isNotesField(rootName)) {
        notesChanged = true
        continue
      }
      if (ref.kind === 'account' && rootName === COLLECTION.handoffs) {
        factsChanged = true
        continue
      }
      if (ref.kind === 'account' && rootName === COLLECTION.timeline) {
        factsChanged ||= timelineFactsChanged(type as unknown as Y.Map<unknown>, events)
        continue
      }
      const kind = kindsOfDoc(ref).find((k) => KIND_SPECS[k].collection === rootName)
      if (!kind) continue
      const collection = type as unknown as Y.Map<unknown>
      // Record id → its top-level fields this transaction changed, or null when the entry itself was added, replaced
      // or removed (or a change is not under a named field): then the whole record is parsed again.
      const ids = new Map<string, Set<string> | null>()
      for (const event of events) {
        if (event.target === collection) {
          for (const key of (event as Y.YMapEvent<unknown>).keysChanged) ids.set(key, null)
          continue
        }
        const key = topKey(collection as Root, event.target as Root)
        if (key === null) continue
        const fields = ids.has(key) ? ids.get(key) : new Set<string>()
        if (!fields) continue
        const target = event.target as Root
        if (target._item?.parent === (collection as unknown as Root)) {
          for (const field of (event as Y.YMapEvent<unknown>).keysChanged) fields.add(field)
        } else {
          const field = fieldOf(collection as unknown as Root, target)
          if (field === null) {
            ids.set(key, null)
            continue
          }
          fields.add(field)
        }
        ids.set(key, fields)
      }
      for (const id of [...ids.keys()].sort())
        this.updateRecord(ref, name, doc, kind, collection, id, txn.origin, true, ids.get(id) ?? null)
    }
    if (factsChanged && ref.kind === 'account') {
      this.emit({
        type: 'roomFacts',
        workspaceId: ref.workspaceId,
        docName: name,
        accountId: ref.accountId,
        doc,
        origin: txn.origin,
      })
    }
    if (notesChanged && ref.kind === 'account') {
      this.indexNotes(ws, ref.accountId, doc)
      this.emit({
        type: 'notes',
        workspaceId: ref.workspaceId,
        docName: name,
        accountId: ref.accountId,
        origin: txn.origin,
      })
    }
  }

  private updateRecord(
    ref: DocRef,
    name: string,
    doc: Y.Doc,
    kind: RecordKind,
    collection: Y.Map<unknown>,
    id: string,
    origin: unknown,
    live: boolean,
    changedFields: ReadonlySet<string> | null = null,
  ): void {
    if (!ownEntry(ref, kind, id)) return
    const ws = this.workspace(ref.workspaceId)
    const before = ws.records[kind].get(id) ?? null
    const value = collection.get(id)
    const key = `${kind}:${id}`
    if (value === undefined) {
      ws.unclean.delete(key)
      if (!before) return
      this.removeRecord(ws, kind, id)
      if (live) this.emitRecord(ws, name, kind, id, before, null, origin)
      return
    }
    const fast =
      before && changedFields && !ws.unclean.has(key)
        ? checkChangedFields(kind, before, value, changedFields)
        : null
    const checked = fast ?? checkRecord(ref, kind, id, value)
    if (checked.record && checked.unknownFields.length === 0) ws.unclean.delete(key)
    else ws.unclean.add(key)
    if (!checked.record || checked.unknownFields.length > 0) {
      const { issues, badFields, unknownFields } = checked
      this.logger.debug('invalid record', { docName: name, kind, id, issues })
      this.invalidSink?.add(`${kind}\u0000${id}`)
      if (live) {
        this.emit({
          type: 'invalid',
          workspaceId: ws.workspaceId,
          docName: name,
          kind,
          id,
          doc,
          collection,
          lastValid: before,
          badFields,
          unknownFields,
          issues: issues.join('; '),
          origin,
        })
      }
      if (!checked.record) return
    }
    const after = checked.record
    if (before && jsonEqual(before, after)) return
    ws.records[kind].set(id, after)
    ws.views[kind].changed(before, after)
    this.setSource(ws, kind, id, name)
    if (live) this.emitRecord(ws, name, kind, id, before, after, origin)
  }

  private emitRecord(
    ws: WorkspaceProjection,
    docName: string,
    kind: RecordKind,
    id: string,
    before: ProjectedRecord | null,
    after: ProjectedRecord | null,
    origin: unknown,
  ): void {
    this.emit({ type: 'record', workspaceId: ws.workspaceId, docName, kind, id, before, after, origin })
  }

  private removeRecord(ws: WorkspaceProjection, kind: RecordKind, id: string): void {
    const before = ws.records[kind].get(id)
    if (before && ws.records[kind].delete(id)) ws.views[kind].changed(before, null)
    const key = `${kind}:${id}`
    const source = ws.sources.get(key)
    if (source !== undefined) ws.sourceIds.get(source)?.delete(id)
    ws.sources.delete(key)
    ws.unclean.delete(key)
  }

  private setSource(ws: WorkspaceProjection, kind: RecordKind, id: string, name: string): void {
    const key = `${kind}:${id}`
    const previous = ws.sources.get(key)
    if (previous === name) return
    if (previous !== undefined) ws.sourceIds.get(previous)?.delete(id)
    ws.sources.set(key, name)
    let ids = ws.sourceIds.get(name)
    if (!ids) {
      ids = new Set()
      ws.sourceIds.set(name, ids)
    }
    ids.add(id)
  }

  private indexNotes(ws: WorkspaceProjection, accountId: string, doc: Y.Doc): void {
    const text = notesText(doc)
    if (text) ws.notes.set(accountId, text)
    else ws.notes.delete(accountId)
  }

  private indexPipelines(ws: WorkspaceProjection, doc: Y.Doc): void {
    const closedDays = ClosedDays.safeParse(doc.getMap<unknown>(SETTINGS_MAP).get(SETTINGS_KEY.closedDays))
    ws.closedDays = closedDays.success ? closedDays.data : CLOSED_DAYS_DEFAULT
    const value = doc.getMap<unknown>(SETTINGS_MAP).get(SETTINGS_KEY.pipelines)
    ws.pipelines.clear()
    if (!(value instanceof Y.Map)) return
    for (const [id, raw] of value.entries()) {
      const parsed = StoredPipeline.safeParse(plainPipeline(raw))
      if (parsed.success && parsed.data.id === id) ws.pipelines.set(id, parsed.data)
    }
    this.indexCustomFieldLabels(ws, doc)
  }

  private indexCustomFieldLabels(ws: WorkspaceProjection, doc: Y.Doc): void {
    const value = doc.getMap<unknown>(SETTINGS_MAP).get(SETTINGS_KEY.customFields)
    ws.customFieldLabels.clear()
    if (!(value instanceof Y.Map)) return
    for (const [id, raw] of value.entries()) {
      const label = raw instanceof Y.Map ? raw.get('label') : (raw as { label?: unknown } | null)?.label
      if (typeof label === 'string') ws.customFieldLabels.set(id, label)
    }
  }
}
