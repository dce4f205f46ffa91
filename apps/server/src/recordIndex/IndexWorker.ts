import { type DocRef, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import { isAppError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import { kindsOfDoc } from '../projection/docKinds.ts'
import {
  type DocumentRecords,
  type Projection,
  type ProjectionEvent,
  readDocumentRecords,
} from '../projection/Projection.ts'
import { type ProjectedRecord, RECORD_KINDS, type RecordKind } from '../projection/recordKinds.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { BulkApplierCrashed } from './BulkApplier.ts'
import {
  type AppliedChange,
  type DocStateChange,
  type IndexBatch,
  MAX_BATCH_CHANGES,
  MAX_PAGE,
  MAX_PASSED_STAGES,
  type NotesChange,
  type PassedStage,
  type RecordChange,
  type RecordIndex,
  type RoomFactsChange,
} from './RecordIndex.ts'
import { roomFactsOf } from './roomFacts.ts'

/*
 * The IndexWorker keeps the persisted record index current (docs/ARCHITECTURE.md "The index — built"). It follows the
 * projection's synchronous events but never writes inside them: an event only queues the change (the latest state of
 * a record wins; a deal keeps the stages its coalesced moves passed through, `coalesce`), and one `apply` per tick
 * (setImmediate, after Hocuspocus has broadcast the update) commits what is queued, in batches sized to ≤ maxWorkMs
 * of work each, so the broadcast path never pays for the index. Each apply also
 * stores the state vector of every document it covers (`doc_state`), read from the loaded document when the batch is
 * built — every change up to that instant is in the batch, so the index holds at least that state.
 *
 * After a commit the applied changes (with the index's seq) go to `onCommitted` (the change feed). A failing apply is
 * logged and retried with backoff (never thrown); a change the index refuses as invalid (400) is isolated by halving
 * the batch and, alone, dropped with an error log. `flush()` resolves once everything queued before the call is
 * committed: a REST write awaits it to read its own write from the index.
 */

/** What one committed change carried: the record (upserts) and its document, for the feed. */
export interface CommittedRow {
  row: ProjectedRecord | null
  doc: string
}

export interface IndexWorkerOptions {
  index: RecordIndex
  projection: Projection
  logger: Logger
  /** The loaded Y.Doc of a document (for its state vector), or undefined when it is not loaded. */
  docOf?: (name: string) => Y.Doc | undefined
  /** After each commit: the feed events of the batch (seq order) and what each change carried. */
  onCommitted?: (applied: AppliedChange[], rows: ReadonlyMap<string, CommittedRow>) => void
  /**
   * How long a live change waits for more before an apply starts (default 0: the next tick). Every apply has a fixed
   * cost (~2 ms of CPU: a transaction, the seq, the feed prune) on the event loop the broadcasts share; a short window
   * folds the edits arriving meanwhile (the same record's keystrokes, other documents' edits) into one apply. Bulk
   * work, a `flush()` and a backlog still run at the next tick.
   */
  coalesceMs?: number
  /** Target time of one apply (default 10 ms): the batch size adapts to it. */
  maxWorkMs?: number
  /** The clock an apply is timed with (default `performance.now`; a test drives it). */
  now?: () => number
  /** Backoff of a failed apply: base doubles per failure up to max (defaults 50 ms / 5000 ms). */
  retryMs?: { base: number; max: number }
}

export interface IndexWorkerStats {
  /** Changes queued and not yet committed (records, notes, document states). */
  lag: number
  batches: number
  committedChanges: number
  failures: number
  /** Changes the index refused as invalid (dropped, logged). */
  dropped: number
  /** Times the index's bulk thread died under an apply (BulkApplier.ts): that batch was applied again. */
  bulkCrashes: number
  lastError: string | null
}

export interface CatchUpResult {
  /** Documents compared. */
  documents: number
  /** Documents whose state vector differed from the index's `doc_state` (re-indexed). */
  reindexed: number
  /** Record rows upserted and removed, account note texts written. */
  upserts: number
  removals: number
  notes: number
  ms: number
}

export type Work =
  | { type: 'record'; key: string; change: RecordChange; doc: string; bulk?: true }
  | { type: 'notes'; key: string; change: NotesChange }
  | {
      type: 'state'
      key: string
      doc: string
      state: Uint8Array | null
      /** The document's state vector when the writer has it (canonical, `Y.encodeStateVector(doc)`). */
      stateVector?: Uint8Array
      bulk?: true
    }
  | { type: 'facts'; key: string; workspaceId: string; accountId: string; doc: Y.Doc }

/** A deal's stage as `fact_stage` tells stages apart (pipeline and column), with its `stageEnteredAt`. */
function stageOfDeal(record: Record<string, unknown>): PassedStage | null {
  const column = (record.position as { column?: unknown } | undefined)?.column
  if (typeof column !== 'string' || typeof record.pipelineId !== 'string') return null
  const at = typeof record.stageEnteredAt === 'number' ? record.stageEnteredAt : 0
  return { pipelineId: record.pipelineId, stage: column, at }
}

/**
 * The work that replaces `older` in the queue when `newer` has the same key: `newer` — a deal upsert replacing a deal
 * upsert keeps the stages the older one passed through and was in (`passedStages`, oldest first, the latest
 * MAX_PASSED_STAGES), so every move the document saw reaches the stage history even when the moves are coalesced.
 */
export function coalesce(older: Work | undefined, newer: Work): Work {
  if (older?.type !== 'record' || newer.type !== 'record') return newer
  const before = older.change
  const after = newer.change
  if (before.op !== 'upsert' || after.op !== 'upsert' || after.kind !== 'deals' || before.kind !== 'deals')
    return newer
  const passed: PassedStage[] = []
  const own = stageOfDeal(before.record)
  for (const stage of [
    ...(before.passedStages ?? []),
    ...(own ? [own] : []),
    ...(after.passedStages ?? []),
  ]) {
    const last = passed[passed.length - 1]
    if (last && last.pipelineId === stage.pipelineId && last.stage === stage.stage) continue
    passed.push(stage)
  }
  if (passed.length === 0) return newer
  return { ...newer, change: { ...after, passedStages: passed.slice(-MAX_PASSED_STAGES) } }
}

export const recordKey = (workspaceId: string, kind: string, id: string): string =>
  `${workspaceId}\u0000${kind}\u0000${id}`

/** A state vector in one byte form (clients sorted), so two vectors of the same state compare equal byte for byte. */
export function canonicalStateVector(stateVector: Uint8Array): Uint8Array {
  return Y.encodeStateVector(Y.decodeStateVector(stateVector))
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && Buffer.compare(a, b) === 0

/** Documents whose records the index holds: collections, per-record documents and account rooms (account, tasks, notes). */
export function isIndexedDoc(name: string): boolean {
  const ref = parseDocName(name)
  return ref !== null && kindsOfDoc(ref).length > 0
}

const MIN_BATCH = 1
const START_BATCH = 500
/**
 * Fewest changes of one apply that starts with bulk-written work (`enqueueWritten`): an apply costs ~2 ms of CPU
 * before its first row (transaction, seq, feed prune) and ~0.04 ms per change, so on a loaded machine — where the
 * measured time of every apply grows and the adaptive limit shrinks — an import indexed a few rows per apply and
 * spent most of its time in that fixed cost. 100 changes (50 records with their document states) are ~5 ms.
 */
const BULK_MIN_BATCH = 100
/**
 * Changes of one apply in the index's bulk thread (`applyBulk`): off the event loop its time does not matter to
 * others' edits, only its fixed cost per apply does — 500 records with their document states. Not larger: the write
 * lock holds live applies (and a REST write's `flush`) back while it runs. Not smaller: 500 changes looked better for
 * others' p99 over 30k rows (4 + 4 runs), but over 100k (`BENCH_ONLY=import`) the import took 56.8–59.0 s instead of
 * 42.3 s, main-thread CPU 118–124 instead of 80 ms per 1,000 rows, and the p99 during it was no lower.
 */
const BULK_THREAD_BATCH = 1_000

export class IndexWorker {
  readonly index: RecordIndex
  private readonly options: IndexWorkerOptions
  private readonly logger: Logger
  /** Queued work by key (a newer change of the same record replaces the older one). */
  private readonly queue = new Map<string, Work>()
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null
  /** Why the pending tick waits: `coalesce` (live changes) may be brought forward, a `retry` backoff may not. */
  private scheduledFor: 'soon' | 'coalesce' | 'retry' = 'soon'
  private running = false
  private closed = false
  private batchLimit = START_BATCH
  /** A batch was refused as invalid and is being halved (the bulk minimum is off until a batch commits). */
  private isolating = false
  private retryDelay = 0
  private inFlight = 0
  /** Every queued change takes the next generation; `flush` waits for its generation to be committed. */
  private enqueued = 0
  private committed = 0
  private waiters: Array<{ gen: number; resolve: () => void }> = []
  private readonly counters = { batches: 0, committedChanges: 0, failures: 0, dropped: 0, bulkCrashes: 0 }
  private lastError: string | null = null
  private stopListening: (() => void) | null = null

  constructor(options: IndexWorkerOptions) {
    this.options = options
    this.index = options.index
    this.logger = options.logger
  }

  /** Starts following the projection's record and notes events. */
  start(): void {
    this.stopListening ??= this.options.projection.on((event) => this.onEvent(event))
  }

  private onEvent(event: ProjectionEvent): void {
    if (event.type === 'record') {
      const key = recordKey(event.workspaceId, event.kind, event.id)
      const change: RecordChange = event.after
        ? {
            op: 'upsert',
            workspaceId: event.workspaceId,
            kind: event.kind,
            id: event.id,
            doc: event.docName,
            record: event.after,
          }
        : { op: 'remove', workspaceId: event.workspaceId, kind: event.kind, id: event.id }
      this.push({ type: 'record', key, change, doc: event.docName })
      this.push({ type: 'state', key: `state\u0000${event.docName}`, doc: event.docName, state: null })
    } else if (event.type === 'notes') {
      // The text as the projection holds it now (`notesText`: notes and briefs, either layout): the room may be unloaded, and
      // its text forgotten, before the batch is built.
      const text = this.options.projection.workspace(event.workspaceId).notes.get(event.accountId) ?? ''
      const change: NotesChange = { workspaceId: event.workspaceId, accountId: event.accountId, text }
      this.push({ type: 'notes', key: `notes\u0000${event.workspaceId}\u0000${event.accountId}`, change })
      this.push({ type: 'state', key: `state\u0000${event.docName}`, doc: event.docName, state: null })
    } else if (event.type === 'roomFacts') {
      // Only queued here: the room's handoffs and timeline are read when the batch is built, off the broadcast path
      // (from the Y.Doc of the event, which keeps its content even if the room is unloaded meanwhile).
      this.push({
        type: 'facts',
        key: `facts\u0000${event.workspaceId}\u0000${event.accountId}`,
        workspaceId: event.workspaceId,
        accountId: event.accountId,
        doc: event.doc,
      })
      this.push({ type: 'state', key: `state\u0000${event.docName}`, doc: event.docName, state: null })
    }
  }

  /**
   * Queues records written to documents that are not loaded (an import's bulk path builds new record documents and
   * stores them itself): the same work a projection `record` event queues, with the document's vector as given
   * (`stateVector`, `Y.encodeStateVector` of the document written) or else taken from `state` (its full state,
   * decoded again). Committed and published to the feed like any other change; `flush()` waits for them.
   */
  enqueueWritten(
    written: ReadonlyArray<{ change: RecordChange; state: Uint8Array; stateVector?: Uint8Array }>,
  ): void {
    for (const { change, state, stateVector } of written) {
      const doc = change.op === 'upsert' ? change.doc : null
      const key = recordKey(change.workspaceId, change.kind, change.id)
      this.push({ type: 'record', key, change, doc: doc ?? '', bulk: true })
      if (doc)
        this.push({
          type: 'state',
          key: `state\u0000${doc}`,
          doc,
          state,
          ...(stateVector && { stateVector }),
          bulk: true,
        })
    }
  }

  private push(work: Work): void {
    if (this.closed) return
    // Re-inserted so the queue keeps the order of the latest changes.
    const older = this.queue.get(work.key)
    this.queue.delete(work.key)
    this.queue.set(work.key, coalesce(older, work))
    this.enqueued += 1
    this.schedule('bulk' in work && work.bulk ? 'soon' : 'coalesce')
  }

  /** Arms the next tick, unless one is armed (a coalescing wait is brought forward by `soon`) or one runs. */
  private schedule(reason: 'soon' | 'coalesce' | 'retry'): void {
    if (this.running || this.closed) return
    if (this.scheduled) {
      if (reason !== 'soon' || this.scheduledFor !== 'coalesce') return
      clearTimeout(this.scheduled as NodeJS.Timeout)
      this.scheduled = null
    }
    const delay =
      reason === 'retry' ? this.retryDelay : reason === 'coalesce' ? (this.options.coalesceMs ?? 0) : 0
    this.scheduledFor = delay > 0 ? reason : 'soon'
    this.scheduled = delay > 0 ? setTimeout(() => this.tick(), delay) : setImmediate(() => this.tick())
  }

  /**
   * Makes sure the index holds `name` as it is now (a store is about to drop the document's update log): flushes
   * the queue with the document's state vector in it. `state` is the full state being stored, used when the
   * document is not loaded. Resolves false after `timeoutMs` when the index could not commit meanwhile.
   */
  async ensureIndexed(name: string, state: Uint8Array | null, timeoutMs = 5_000): Promise<boolean> {
    if (this.closed || !isIndexedDoc(name)) return true
    this.push({ type: 'state', key: `state\u0000${name}`, doc: name, state })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
      timer.unref?.()
    })
    try {
      return await Promise.race([this.flush().then(() => true), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Resolves once everything queued before this call is committed to the index (or dropped as invalid) — or, while
   * the index keeps failing, after `timeoutMs` (logged): a REST answer then reads what the index has, never hangs.
   */
  flush(timeoutMs = 10_000): Promise<void> {
    const gen = this.enqueued
    if (this.committed >= gen) return Promise.resolve()
    return new Promise((resolve) => {
      const waiter = { gen, resolve: () => {} }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        this.logger.warn('index flush timed out', {
          timeoutMs,
          lag: this.stats().lag,
          lastError: this.lastError,
        })
        resolve()
      }, timeoutMs)
      timer.unref?.()
      waiter.resolve = () => {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(waiter)
      // Someone waits for the index: no coalescing wait for what is queued.
      this.schedule('soon')
    })
  }

  /**
   * Grows each time a commit lands (the generation of the queue committed through): two reads that see the same value
   * before they start read the same index, as far as this worker's writes go (board/boardDealRows.ts shares one).
   */
  get committedThrough(): number {
    return this.committed
  }

  stats(): IndexWorkerStats {
    return { lag: this.queue.size + this.inFlight, ...this.counters, lastError: this.lastError }
  }

  /** Stops following the projection, commits what is queued (retrying up to `timeoutMs`), closes nothing else. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopListening?.()
    this.stopListening = null
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
    this.closed = true
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout)
      clearImmediate(this.scheduled as NodeJS.Immediate)
      this.scheduled = null
    }
    if (this.queue.size > 0)
      this.logger.error('index closed with changes not applied', { lag: this.queue.size })
    for (const waiter of this.waiters.splice(0)) waiter.resolve()
  }

  private async tick(): Promise<void> {
    this.scheduled = null
    if (this.running || this.closed) return
    this.running = true
    try {
      await this.runOnce()
    } catch (error) {
      // Never an unhandled rejection: whatever failed is logged, the queue is tried again.
      this.logger.error('index worker step failed', { error })
      this.retryDelay = this.nextDelay()
    } finally {
      this.running = false
    }
    if (this.queue.size > 0) this.schedule(this.retryDelay > 0 ? 'retry' : 'soon')
  }

  /** Builds one batch from the queue, applies it, hands the result on; on failure puts the work back. */
  private async runOnce(): Promise<void> {
    const taken: Work[] = []
    const first = this.queue.values().next().value
    const isBulk = (work: Work) => 'bulk' in work && work.bulk === true
    // Not while halving a refused batch down to the change the index refuses.
    const bulk = first !== undefined && isBulk(first) && !this.isolating
    // Bulk work at the head of the queue goes to the index's bulk thread, alone (no live change rides with it).
    const threaded =
      bulk &&
      this.index.applyBulk !== undefined &&
      // false for a while after the thread died (the index pauses it)
      this.index.bulkThreaded === true
    const limit = threaded
      ? BULK_THREAD_BATCH
      : bulk
        ? Math.max(this.batchLimit, BULK_MIN_BATCH)
        : this.batchLimit
    for (const work of this.queue.values()) {
      if (taken.length >= limit || (threaded && !isBulk(work))) break
      taken.push(work)
    }
    for (const work of taken) this.queue.delete(work.key)
    const drained = this.queue.size === 0
    const gen = this.enqueued
    this.inFlight = taken.length
    let batch: IndexBatch
    let rows: Map<string, CommittedRow>
    try {
      ;({ batch, rows } = this.build(taken))
    } catch (error) {
      // Only a document's state could fail here (a damaged stored state): skip it, keep the records.
      this.logger.error('index batch could not be built', { error })
      ;({ batch, rows } = this.build(taken.filter((w) => w.type !== 'state')))
    }
    const now = this.options.now ?? (() => performance.now())
    const started = now()
    try {
      const applied =
        threaded && this.index.applyBulk ? await this.index.applyBulk(batch) : await this.index.apply(batch)
      const ms = now() - started
      this.counters.batches += 1
      this.counters.committedChanges += taken.length
      this.retryDelay = 0
      this.isolating = false
      // The thread's time is not the event loop's: only the main thread's applies size the batches.
      if (!threaded) this.adapt(taken.length, ms)
      this.inFlight = 0
      if (drained) this.commitThrough(gen)
      if (applied.length > 0) {
        try {
          this.options.onCommitted?.(applied, rows)
        } catch (error) {
          this.logger.error('index change listener failed', { error })
        }
      }
    } catch (error) {
      this.inFlight = 0
      this.counters.failures += 1
      this.lastError = error instanceof Error ? error.message : String(error)
      const invalid = isAppError(error) && error.status === 400
      if (error instanceof BulkApplierCrashed) {
        // Rolled back with the thread's connection: applied again (at once, on the main thread), and counted, so the
        // import that wrote the batch fails with a clear error instead of going on as if nothing happened.
        this.counters.bulkCrashes += 1
        this.logger.error('index bulk thread stopped, applying its batch on the main thread', {
          error,
          changes: taken.length,
        })
      }
      if (invalid && taken.length <= MIN_BATCH) {
        // The index refuses this change as it is: drop it (the next change of the record replaces it anyway).
        this.counters.dropped += taken.length
        this.logger.error('index refused a change, dropped', { error, keys: taken.map((w) => w.key) })
        if (drained) this.commitThrough(gen)
        return
      }
      if (invalid) {
        this.batchLimit = Math.max(MIN_BATCH, Math.floor(taken.length / 2))
        this.isolating = true
      } else if (!(error instanceof BulkApplierCrashed)) this.retryDelay = this.nextDelay()
      this.logger.error('index apply failed, retrying', {
        error,
        changes: taken.length,
        retryInMs: this.retryDelay,
      })
      // Put the work back in front, unless a newer change of the same key was queued meanwhile.
      const newer = [...this.queue.values()]
      this.queue.clear()
      for (const work of taken) this.queue.set(work.key, work)
      for (const work of newer) {
        const older = this.queue.get(work.key)
        this.queue.delete(work.key)
        this.queue.set(work.key, coalesce(older, work))
      }
    }
  }

  private nextDelay(): number {
    const { base, max } = this.options.retryMs ?? { base: 50, max: 5_000 }
    return Math.min(max, this.retryDelay === 0 ? base : this.retryDelay * 2)
  }

  /**
   * Keeps one apply near `maxWorkMs`: the next limit is the size this apply's pace would fill the target with
   * (`size × target / ms`), moved by at most a factor of two per apply. Bounded both ways, so one slow apply (a cold
   * first one, a pause of the machine) halves the limit instead of collapsing it to one change, and the limit climbs
   * back. The pace counts the apply's fixed cost (a transaction, a round trip) as if it grew with the size, so a
   * limit below the target's size rises while an apply takes less than the target: a fixed cost near the target no
   * longer pins the limit at a few changes per apply (it did while growing needed an apply under half the target).
   * A batch smaller than the limit (the queue ran dry) only ever lowers it.
   */
  private adapt(size: number, ms: number): void {
    const target = this.options.maxWorkMs ?? 10
    const fits = ms > 0 ? Math.floor((size * target) / ms) : Number.POSITIVE_INFINITY
    if (ms > target) {
      this.batchLimit = Math.max(MIN_BATCH, Math.floor(size / 2), Math.min(this.batchLimit, fits))
    } else if (size >= this.batchLimit) {
      this.batchLimit = Math.min(MAX_BATCH_CHANGES, this.batchLimit * 2, Math.max(this.batchLimit, fits))
    }
  }

  private commitThrough(gen: number): void {
    if (gen > this.committed) this.committed = gen
    const done = this.waiters.filter((w) => w.gen <= this.committed)
    this.waiters = this.waiters.filter((w) => w.gen > this.committed)
    for (const waiter of done) waiter.resolve()
  }

  private build(taken: readonly Work[]): { batch: IndexBatch; rows: Map<string, CommittedRow> } {
    const records: RecordChange[] = []
    const notes: NotesChange[] = []
    const docStates: DocStateChange[] = []
    const roomFacts: RoomFactsChange[] = []
    const rows = new Map<string, CommittedRow>()
    for (const work of taken) {
      if (work.type === 'facts') {
        roomFacts.push(roomFactsOf(work.workspaceId, work.accountId, work.doc))
        continue
      }
      if (work.type === 'record') {
        records.push(work.change)
        rows.set(work.key, {
          row: work.change.op === 'upsert' ? work.change.record : null,
          doc: work.doc,
        })
      } else if (work.type === 'notes') {
        notes.push(work.change)
      } else {
        const live = this.options.docOf?.(work.doc)
        const stateVector = live
          ? Y.encodeStateVector(live)
          : (work.stateVector ??
            (work.state ? canonicalStateVector(Y.encodeStateVectorFromUpdate(work.state)) : null))
        if (stateVector) docStates.push({ doc: work.doc, stateVector })
      }
    }
    return { batch: { records, notes, docStates, roomFacts }, rows }
  }

  /**
   * Removes every index row of a deleted workspace (records, account note texts, report facts), after committing what
   * is queued. `storedNames` are the workspace's stored documents: an account room whose account was deleted before
   * (its notes and timeline stay in the room) has no account row to be found by, so its note text and facts are
   * removed by its room's name, as are those of any account the report facts name. Idempotent: a start runs it again
   * for every removed workspace (nothing left = a few empty reads). Returns how many records it removed.
   */
  async purgeWorkspace(workspaceId: string, storedNames: Iterable<string> = []): Promise<number> {
    await this.flush()
    let removed = 0
    const purgedRooms = new Set<string>()
    for (const kind of RECORD_KINDS) {
      for (;;) {
        const page = await this.index.list(workspaceId, kind, { offset: 0, limit: MAX_PAGE, archived: 'all' })
        if (page.items.length === 0) break
        // Accounts also drop their note text and report facts: three changes per account.
        const chunk = kind === 'accounts' ? Math.floor(MAX_BATCH_CHANGES / 3) : MAX_BATCH_CHANGES
        for (let i = 0; i < page.items.length; i += chunk) {
          const ids = page.items.slice(i, i + chunk).map((row) => row.id)
          await this.index.apply({
            records: ids.map((id) => ({ op: 'remove', workspaceId, kind, id })),
            ...(kind === 'accounts' ? roomRowsGone(workspaceId, ids) : {}),
          })
          if (kind === 'accounts') for (const id of ids) purgedRooms.add(id)
        }
        removed += page.items.length
        if (page.nextOffset === null) break
      }
    }
    // Rooms without an account row: from the stored documents and the report facts.
    const rooms = new Set<string>()
    for (const name of storedNames) {
      const ref = parseDocName(name)
      if (ref?.kind === 'account' && ref.workspaceId === workspaceId) rooms.add(ref.accountId)
    }
    for (const fact of [
      ...(await this.index.handoffFacts(workspaceId)),
      ...(await this.index.activityFacts(workspaceId)),
    ])
      rooms.add(fact.accountId)
    const left = [...rooms].filter((id) => !purgedRooms.has(id))
    const chunk = Math.floor(MAX_BATCH_CHANGES / 2)
    for (let i = 0; i < left.length; i += chunk)
      await this.index.apply(roomRowsGone(workspaceId, left.slice(i, i + chunk)))
    return removed
  }

  /** Start-up catch-up of `names` into this worker's index (see `catchUpIndex`). */
  catchUp(
    names: readonly string[],
    load: (name: string) => Promise<Uint8Array | null>,
  ): Promise<CatchUpResult> {
    return catchUpIndex(this.index, names, load)
  }
}

/** The note texts and report facts of the account rooms `accountIds`, emptied (a purged workspace). */
function roomRowsGone(
  workspaceId: string,
  accountIds: readonly string[],
): Pick<IndexBatch, 'notes' | 'roomFacts'> {
  return {
    notes: accountIds.map((accountId) => ({ workspaceId, accountId, text: '' })),
    roomFacts: accountIds.map((accountId) => ({ workspaceId, accountId, handoffs: [], activities: [] })),
  }
}

/**
 * The `doc_state` row that says what the index was last rebuilt from (its "state vector" is the UTF-8 of a tag such
 * as `data-format 4`): a start rebuilds the index from every stored document when the tag differs — a new or lost
 * index (no row), a data directory migrated since (another format), a rebuild interrupted by a crash (the row is
 * written only once the rebuild committed).
 */
export const INDEX_BUILT_DOC = '#index-built'

/** Whether the index was last rebuilt for `tag` (see INDEX_BUILT_DOC). */
export async function indexBuiltFor(index: RecordIndex, tag: string): Promise<boolean> {
  const stored = await index.docState(INDEX_BUILT_DOC)
  return stored !== null && Buffer.from(stored).toString('utf8') === tag
}

export async function markIndexBuilt(index: RecordIndex, tag: string): Promise<void> {
  await index.apply({ docStates: [{ doc: INDEX_BUILT_DOC, stateVector: new TextEncoder().encode(tag) }] })
}

/**
 * Start-up catch-up (docs/ARCHITECTURE.md "Catch-up on restart"): each document of `names` that holds records is
 * loaded (`load`: its stored state with its update log merged) and decoded, 1,000 at a time; a document whose
 * `Y.encodeStateVector` equals the index's `doc_state` byte for byte is skipped, any other is re-indexed from its own
 * content (its valid records upserted, index rows of records no longer in it removed, an account room's note text
 * rewritten) with its vector, in batches of at most MAX_BATCH_CHANGES changes (the rows a group's documents hold are
 * read in one query per workspace and kind, not per document). A document that is gone from the store
 * loses its rows. `names` is `store.loggedNames()` on a normal start (only those can be ahead of the index), every
 * stored document when the index must be rebuilt.
 */
export async function catchUpIndex(
  index: RecordIndex,
  names: readonly string[],
  load: (name: string) => Promise<Uint8Array | null>,
): Promise<CatchUpResult> {
  const started = performance.now()
  const result: CatchUpResult = { documents: 0, reindexed: 0, upserts: 0, removals: 0, notes: 0, ms: 0 }
  const indexed = [...new Set(names)].filter(isIndexedDoc)
  result.documents = indexed.length
  let batch: Required<Pick<IndexBatch, 'records' | 'notes' | 'docStates' | 'roomFacts'>> = {
    records: [],
    notes: [],
    docStates: [],
    roomFacts: [],
  }
  const size = () =>
    batch.records.length + batch.notes.length + batch.docStates.length + batch.roomFacts.length
  const commit = async () => {
    if (size() === 0) return
    await index.apply(batch)
    batch = { records: [], notes: [], docStates: [], roomFacts: [] }
  }
  const full = async () => {
    if (size() >= MAX_BATCH_CHANGES - 3) await commit()
  }
  // Records upserted by this run: a stale row of another document (read before that upsert was committed, as a
  // record that moved between documents) must not remove it again.
  const upserted = new Set<string>()
  const chunk = Math.min(MAX_PAGE, 1_000)
  for (let i = 0; i < indexed.length; i += chunk) {
    const group = indexed.slice(i, i + chunk)
    const known = await index.docStates(group)
    // Decode the group, keeping only the documents whose vector differs from the index's.
    const changed: Array<{
      name: string
      ref: DocRef
      read: DocumentRecords | null
      vector: Uint8Array | null
      facts: RoomFactsChange | null
    }> = []
    for (const name of group) {
      const ref = parseDocName(name)
      if (!ref) continue
      const state = await load(name)
      let read: DocumentRecords | null = null
      let vector: Uint8Array | null = null
      let facts: RoomFactsChange | null = null
      if (state) {
        const doc = new Y.Doc({ guid: name })
        try {
          Y.applyUpdate(doc, state)
          vector = Y.encodeStateVector(doc)
          const stored = known.get(name)
          if (stored && sameBytes(stored, vector)) continue
          read = readDocumentRecords(name, doc)
          if (ref.kind === 'account') facts = roomFactsOf(ref.workspaceId, ref.accountId, doc)
        } finally {
          doc.destroy()
        }
      }
      changed.push({ name, ref, read, vector, facts })
    }
    // The rows the index holds for these documents: one read per workspace and kind, not one per document.
    const wanted = new Map<string, { workspaceId: string; kind: RecordKind; docs: string[] }>()
    for (const { name, ref } of changed) {
      for (const kind of kindsOfDoc(ref)) {
        const key = `${ref.workspaceId}\u0000${kind}`
        const entry = wanted.get(key) ?? { workspaceId: ref.workspaceId, kind, docs: [] }
        entry.docs.push(name)
        wanted.set(key, entry)
      }
    }
    const stale = new Map<string, Map<string, string[]>>()
    for (const [key, { workspaceId, kind, docs }] of wanted)
      stale.set(key, await index.docRecordIds(workspaceId, kind, docs))
    for (const { name, ref, read, vector, facts } of changed) {
      result.reindexed += 1
      // Every kind the document holds (an account room: its account and its tasks); none when it is gone.
      for (const kind of kindsOfDoc(ref)) {
        const present =
          read?.kinds.find((k) => k.kind === kind)?.records ?? new Map<string, ProjectedRecord>()
        for (const id of stale.get(`${ref.workspaceId}\u0000${kind}`)?.get(name) ?? []) {
          if (present.has(id) || upserted.has(recordKey(ref.workspaceId, kind, id))) continue
          batch.records.push({ op: 'remove', workspaceId: ref.workspaceId, kind, id })
          result.removals += 1
          await full()
        }
        for (const [id, record] of present) {
          batch.records.push({ op: 'upsert', workspaceId: ref.workspaceId, kind, id, doc: name, record })
          upserted.add(recordKey(ref.workspaceId, kind, id))
          result.upserts += 1
          await full()
        }
      }
      if (ref.kind === 'account') {
        batch.notes.push({ workspaceId: ref.workspaceId, accountId: ref.accountId, text: read?.notes ?? '' })
        batch.roomFacts.push(
          facts ?? { workspaceId: ref.workspaceId, accountId: ref.accountId, handoffs: [], activities: [] },
        )
        result.notes += 1
      }
      if (vector) batch.docStates.push({ doc: name, stateVector: vector })
      await full()
    }
  }
  await commit()
  result.ms = Math.round(performance.now() - started)
  return result
}

/**
 * The persistence rule of docs/ARCHITECTURE.md "Catch-up on restart": a store (which drops the document's update log)
 * first makes sure the index holds the state being stored (`ensureIndexed`, bounded by a timeout so an index outage
 * never stops documents from being stored — the start-up compare re-indexes such a document then).
 */
export function storeAfterIndex(
  store: DocumentStore,
  worker: () => IndexWorker | null,
  logger: Logger,
): DocumentStore {
  return {
    load: (name) => store.load(name),
    loadWithLog: (name) => store.loadWithLog(name),
    store: async (name, state) => {
      const current = worker()
      if (current && !(await current.ensureIndexed(name, state)))
        logger.warn('storing a document the index has not caught up with', { docName: name })
      return store.store(name, state)
    },
    appendUpdate: (name, update) => store.appendUpdate(name, update),
    list: (prefix) => store.list(prefix),
    loggedNames: () => store.loggedNames(),
    ...(store.workspaceIds && { workspaceIds: () => (store.workspaceIds as () => Promise<string[]>)() }),
    delete: (name) => store.delete(name),
    close: () => store.close(),
  }
}
