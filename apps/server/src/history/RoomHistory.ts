import { createHash } from 'node:crypto'
import type { Extension, Hocuspocus } from '@hocuspocus/server'
import { appendActivity, authorsMap, docName, NOTES_FIELD, newId, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import { type Actor, writeDocument } from '../collab/directWrites.ts'
import { originActor } from '../collab/originActor.ts'
import type { Logger } from '../log/logger.ts'
import { notesFieldDoc, notesFieldText } from '../notes/roomNotes.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import type { PmNode } from './notesJson.ts'
import { restoreNotesField } from './restoreNotes.ts'
import type { StoredVersion, VersionStore } from './VersionStore.ts'

export interface HistoryTiming {
  /** A version is saved when a room's notes and fields rest this long after an edit (2 min). */
  pauseMs: number
  /** …or this long after the first unsaved edit while editing goes on (10 min). */
  everyMs: number
}
export const DEFAULT_HISTORY_TIMING: HistoryTiming = { pauseMs: 2 * 60_000, everyMs: 10 * 60_000 }

export type VersionSummary = Pick<StoredVersion, 'id' | 'at' | 'reason' | 'editors'>
export interface RoomState {
  notes: { json: PmNode; text: string }
  fields: Record<string, unknown> | null
}
export interface VersionDetail extends RoomState {
  version: VersionSummary
  current: RoomState
}

interface Pending {
  firstAt: number
  editors: Set<string>
  timer: ReturnType<typeof setTimeout> | null
}

const summary = ({ id, at, reason, editors }: StoredVersion): VersionSummary => ({ id, at, reason, editors })

/** The notes of a room state in either layout (its v2 text when it holds content, else the fragment). */
const stateOf = (doc: Y.Doc, fields: Record<string, unknown> | null): RoomState => ({
  notes: { json: notesFieldDoc(doc, NOTES_FIELD) as PmNode, text: notesFieldText(doc, NOTES_FIELD) },
  fields,
})

const hashOf = (state: RoomState): string =>
  createHash('sha1')
    .update(JSON.stringify([state.notes.json, state.fields]))
    .digest('base64url')

/**
 * Versions of account rooms (notes + the account's fields). Edits are seen through the projection (notes of
 * `W/account/A`, the record `A` of `W/accounts`); a version is saved when editing pauses, at least every
 * `everyMs` while it goes on, when a changed room is opened, before a restore and on shutdown; an unchanged room
 * makes no version. Restore writes the old notes as a NEW edit on top of the live document (never a rollback).
 */
export class RoomHistory {
  private readonly pending = new Map<string, Pending>()
  /** Deleted workspaces (`forgetWorkspace`): none of their rooms is saved again. */
  private readonly removed = new Set<string>()
  private readonly running = new Set<Promise<unknown>>()
  private readonly saving = new Map<string, Promise<unknown>>()
  private scheduled: Promise<unknown> = Promise.resolve()
  private hocuspocus: Hocuspocus | null = null
  private readonly log: Logger
  private readonly unsubscribe: () => void

  constructor(
    private readonly deps: {
      store: VersionStore
      projection: Projection
      logger: Logger
      now: () => number
      timing?: Partial<HistoryTiming>
      /** The record index: the fields of an account whose document is not loaded. */
      index?: () => Pick<IndexWorker, 'index'> | null
    },
  ) {
    this.log = deps.logger.child('history')
    this.unsubscribe = deps.projection.on((event) => this.onEvent(event))
  }

  private get timing(): HistoryTiming {
    return { ...DEFAULT_HISTORY_TIMING, ...this.deps.timing }
  }

  attach(hocuspocus: Hocuspocus): void {
    this.hocuspocus = hocuspocus
  }

  /** The account's fields: from its loaded document, else the record index (its document is not loaded). */
  private async fieldsOf(workspaceId: string, accountId: string): Promise<Record<string, unknown> | null> {
    const loaded = this.deps.projection.workspace(workspaceId).records.accounts.get(accountId)
    if (loaded) return loaded
    const worker = this.deps.index?.() ?? null
    return worker ? ((await worker.index.get(workspaceId, 'accounts', accountId))?.record ?? null) : null
  }

  private onEvent(event: ProjectionEvent): void {
    if (event.type === 'invalid' || event.type === 'roomFacts') return
    // A new account's room has nothing to go back to: creations (imports of thousands) make no version.
    if (event.type === 'record' && (event.kind !== 'accounts' || !event.before)) return
    const actor = originActor(event.origin)
    if (!actor || actor.internal) return
    if (this.removed.has(event.workspaceId)) return
    const accountId = event.type === 'notes' ? event.accountId : event.id
    const name = docName({ workspaceId: event.workspaceId, kind: 'account', accountId })
    const now = this.deps.now()
    let pending = this.pending.get(name)
    if (!pending) {
      pending = { firstAt: now, editors: new Set(), timer: null }
      this.pending.set(name, pending)
    }
    if (actor.actorId) pending.editors.add(actor.actorId)
    if (pending.timer) clearTimeout(pending.timer)
    const { pauseMs, everyMs } = this.timing
    if (now - pending.firstAt >= everyMs) {
      this.track(this.queued(name, 'interval'))
      return
    }
    pending.timer = setTimeout(() => this.track(this.queued(name, 'pause')), pauseMs)
    pending.timer.unref?.()
  }

  /** Scheduled saves run one at a time, so a burst of edited rooms (a bulk update) loads one room at a time. */
  private queued(name: string, reason: StoredVersion['reason']): Promise<VersionSummary | null> {
    const run = () => this.saveNow(name, reason)
    const next = this.scheduled.then(run, run)
    this.scheduled = next.catch(() => null)
    return next
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.catch((error: unknown) => this.log.error('could not save a version', { error }))
    this.running.add(settled)
    void settled.then(() => this.running.delete(settled))
    return work
  }

  /**
   * A deleted workspace: drops its rooms' pending saves, saves none of them from now on, and removes every stored
   * version of them (after the saves under way).
   */
  async forgetWorkspace(workspaceId: string): Promise<void> {
    this.removed.add(workspaceId)
    const prefix = `${workspaceId}/`
    for (const [name, pending] of [...this.pending]) {
      if (!name.startsWith(prefix)) continue
      if (pending.timer) clearTimeout(pending.timer)
      this.pending.delete(name)
    }
    await Promise.all([...this.saving].filter(([name]) => name.startsWith(prefix)).map(([, s]) => s))
    await this.deps.store.removePrefix(prefix)
  }

  /** Saves a version of a loaded room document when it differs from the last one. */
  saveLoaded(name: string, doc: Y.Doc, reason: StoredVersion['reason']): Promise<VersionSummary | null> {
    const ref = parseDocName(name)
    if (ref?.kind !== 'account' || this.removed.has(ref.workspaceId)) return Promise.resolve(null)
    const pending = this.pending.get(name)
    if (pending?.timer) clearTimeout(pending.timer)
    this.pending.delete(name)
    const at = this.deps.now()
    // The notes and the state as they are now; the fields may come from the index (read in the save).
    const notes = stateOf(doc, null).notes
    const loadedFields = this.deps.projection.workspace(ref.workspaceId).records.accounts.get(ref.accountId)
    const state = Y.encodeStateAsUpdate(doc)
    const editors = [...(pending?.editors ?? [])]
    const save = async (): Promise<VersionSummary | null> => {
      const fields = loadedFields ?? (await this.fieldsOf(ref.workspaceId, ref.accountId))
      const room: RoomState = { notes, fields }
      const version: StoredVersion = {
        id: newId('ver'),
        at,
        reason,
        editors,
        fields: room.fields,
        hash: hashOf(room),
      }
      const last = (await this.deps.store.list(name)).at(-1)
      if (last?.hash === version.hash) return null
      await this.deps.store.add(name, version, state, at)
      this.log.debug('saved version', { docName: name, reason, id: version.id })
      return summary(version)
    }
    // One save of a room at a time, so two saves of the same state make one version.
    const next = (this.saving.get(name) ?? Promise.resolve()).then(save, save)
    const settled = next.catch(() => null)
    this.saving.set(name, settled)
    void settled.then(() => {
      if (this.saving.get(name) === settled) this.saving.delete(name)
    })
    return this.track(next)
  }

  /** The extension that saves a version when a changed room is opened and gives this service Hocuspocus. */
  get extension(): Extension {
    return {
      extensionName: 'rapport-history',
      onConfigure: async ({ instance }) => this.attach(instance),
      afterLoadDocument: async ({ documentName, document }) => {
        // A room loaded to save its pending edits is saved as that (with its editors), not as "opened".
        if (this.pending.has(documentName)) return
        void this.saveLoaded(documentName, document, 'opened').catch(() => {})
      },
    }
  }

  /** Saves a version of room `name` now (loading it if needed). */
  async saveNow(name: string, reason: StoredVersion['reason']): Promise<VersionSummary | null> {
    const hocuspocus = this.requireHocuspocus()
    const connection = await hocuspocus.openDirectConnection(name, { system: true })
    try {
      const doc = connection.document
      return doc ? await this.saveLoaded(name, doc, reason) : null
    } finally {
      await connection.disconnect()
    }
  }

  async list(workspaceId: string, accountId: string): Promise<VersionSummary[]> {
    const name = docName({ workspaceId, kind: 'account', accountId })
    return (await this.deps.store.list(name)).map(summary).reverse()
  }

  /** The version of this room and a replica holding its state, or null. */
  private async find(
    workspaceId: string,
    accountId: string,
    versionId: string,
  ): Promise<{ version: StoredVersion; old: Y.Doc } | null> {
    const name = docName({ workspaceId, kind: 'account', accountId })
    const version = (await this.deps.store.list(name)).find((v) => v.id === versionId)
    const state = version ? await this.deps.store.state(name, version.id) : null
    if (!version || !state) return null
    const old = new Y.Doc()
    Y.applyUpdate(old, state)
    return { version, old }
  }

  /** The version's notes and fields beside the current ones, or null when this room has no such version. */
  async get(workspaceId: string, accountId: string, versionId: string): Promise<VersionDetail | null> {
    const found = await this.find(workspaceId, accountId, versionId)
    if (!found) return null
    const { version, old } = found
    const name = docName({ workspaceId, kind: 'account', accountId })
    const connection = await this.requireHocuspocus().openDirectConnection(name, { system: true })
    try {
      const doc = connection.document
      const current = doc
        ? stateOf(doc, await this.fieldsOf(workspaceId, accountId))
        : stateOf(new Y.Doc(), null)
      return { version: summary(version), ...stateOf(old, version.fields), current }
    } finally {
      await connection.disconnect()
    }
  }

  /**
   * Writes the version's notes over the current ones as a NEW edit by `actor` (one server update, then a timeline
   * entry): the current state is saved as a version first; the rest of the room and the account's fields are not
   * touched, nor are the notes' blocks that read the same in both. The new blocks get a fresh Yjs clientID
   * attributed to `actor`.
   */
  async restore(
    workspaceId: string,
    accountId: string,
    versionId: string,
    actor: Actor,
  ): Promise<{ restored: VersionSummary; before: VersionSummary | null } | null> {
    const found = await this.find(workspaceId, accountId, versionId)
    if (!found) return null
    const { version, old } = found
    const name = docName({ workspaceId, kind: 'account', accountId })
    const before = await this.saveNow(name, 'before-restore')
    await writeDocument(this.requireHocuspocus(), name, 'rest', actor, (doc, origin) => {
      // The new content is written by a scratch replica with its own clientID, then applied as one update.
      let scratch = new Y.Doc()
      while (Y.getState(doc.store, scratch.clientID) > 0) scratch = new Y.Doc()
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
      const stateVector = Y.encodeStateVector(scratch)
      // Only what differs is replaced: the rest keeps its items, authors and concurrent edits.
      const replaced = scratch.transact(() => restoreNotesField(scratch, old))
      const at = this.deps.now()
      // Its own transaction: Yjs marks a transaction that applies an update as remote, and the server's own writes
      // below must stay local (else Yjs thinks another replica uses the server's clientID).
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(scratch, stateVector), origin)
      doc.transact(() => {
        if (replaced > 0)
          authorsMap(doc).set(String(scratch.clientID), { userId: actor.userId, at, marks: [[0, at]] })
        appendActivity(
          doc,
          {
            type: 'note',
            actorId: actor.userId,
            subject: { kind: 'notes', id: accountId },
            text: `restored the notes of ${new Date(version.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          },
          origin,
          { now: at },
        )
      }, origin)
    })
    this.log.info('restored notes', { docName: name, versionId, userId: actor.userId })
    return { restored: summary(version), before }
  }

  private requireHocuspocus(): Hocuspocus {
    if (!this.hocuspocus) throw new Error('history is not attached to Hocuspocus')
    return this.hocuspocus
  }

  /** Saves every room with unsaved edits (shutdown) and waits for the saves under way. */
  async close(): Promise<void> {
    this.unsubscribe()
    for (const [name, pending] of [...this.pending]) {
      if (pending.timer) clearTimeout(pending.timer)
      await this.saveNow(name, 'shutdown').catch((error: unknown) =>
        this.log.error('could not save a version on shutdown', { docName: name, error }),
      )
    }
    while (this.running.size > 0) await Promise.all([...this.running])
  }
}
