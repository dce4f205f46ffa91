import type {
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  beforeUnloadDocumentPayload,
  DirectConnection,
  Extension,
  Hocuspocus,
  onConfigurePayload,
  onConnectPayload,
  onLoadDocumentPayload,
} from '@hocuspocus/server'
import {
  boardPosMap,
  CLOSED_DAYS_DEFAULT,
  collectionMap,
  DEALS,
  Deal,
  docName,
  evictClosed,
  type MirroredDeal,
  mirrorDeal,
  parseDocName,
  readRecord,
  reconcileBoard,
  regenerateBoard,
} from '@rapport/model'
import * as Y from 'yjs'
import { serverOrigin } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'

/**
 * The `Close` message a board document's connections get when the server regenerates it: drop the local copy
 * (IndexedDB included) and reconnect the socket (schema.md §8); the board then syncs from the fresh state.
 */
export const BoardRegenerated = { code: 1000, reason: 'board-regenerated' } as const

/** Past this encoded size a board document is regenerated (issue #12: Outline caps a document at 1.5 MB). */
export const BOARD_REGENERATE_BYTES = 1.5 * 1024 * 1024

export interface BoardMirrorOptions {
  store: DocumentStore
  logger: Logger
  /** The clock (tests move it). */
  now?: () => number
  /** How long closed cards stay on a workspace's boards (the workspace setting; default 7). */
  closedDaysOf?: (workspaceId: string) => number
  /** Deal changes are collected for this long, then mirrored in one transaction per board (default 10 ms). */
  batchMs?: number
  /** The eviction + size sweep over every board (default hourly); 0 = only when `sweep()` is called. */
  sweepMs?: number
  /** Encoded size past which a board is regenerated (default 1.5 MiB). */
  regenerateBytes?: number
  /** Also check a board's size after this many entry writes (default 1,000). */
  sizeCheckWrites?: number
  /** Whether the persistence extension still holds unstored changes of a document (regeneration waits for none). */
  isDirty?: (name: string) => boolean
  /** How long a regeneration waits for the board's connections to go and the document to unload (default 5 s). */
  unloadTimeoutMs?: number
  /** A board direct connection unused this long is closed (default 30 s). */
  idleMs?: number
}

interface BoardConnection {
  connection: DirectConnection
  lastUsed: number
  writesSinceCheck: number
}

/**
 * Derives `W/board/P` from the deal documents `W/deal/D` (issue #12, "the deal document is the only truth, the board
 * is derived"). As a Hocuspocus extension it follows every loaded deal document: each change (and each load, which
 * re-mirrors after a restart) queues the deal; after `batchMs` the queued deals are read from their converged
 * server copy and written into their boards with the model's `mirrorDeal`, ONE transaction per board, through a
 * direct connection (`repair` origin: derived state, not audited) — off the broadcast path. A deal that moved to
 * another pipeline is removed from the board it was last mirrored into (known while this process runs). An hourly
 * sweep evicts closed cards past `closedDays` (`evictClosed`) and regenerates boards past `regenerateBytes`.
 *
 * Regeneration: the board's own direct connection is closed and its client connections get `Close`
 * `board-regenerated`; new connections and loads of that board wait (`onConnect`, `onLoadDocument` run before
 * persistence's load); once Hocuspocus has unloaded the document (persistence stores it first), the stored state is
 * replaced by a fresh one holding only the current entries (`regenerateBoard`) and the waiting loads proceed.
 * Board connections are read-only for every role, so no client copy can push the old items back. Other server code
 * must not open `W/board/*` documents itself.
 *
 * Wired in `createServer` (its `extension` among Hocuspocus' extensions, `close()` on shutdown); the start-up
 * catch-up (`board/boardCatchUp.ts`) calls `reconcile` with every deal of a pipeline as the record index holds it.
 */
export class BoardMirror {
  readonly extension: Extension
  private instance: Hocuspocus | null = null
  private readonly log: Logger
  private readonly now: () => number
  private readonly closedDaysOf: (workspaceId: string) => number
  private readonly batchMs: number
  private readonly regenerateBytes: number
  private readonly sizeCheckWrites: number
  private readonly unloadTimeoutMs: number
  private readonly idleMs: number
  /** Loaded deal documents → their update listener's remover. */
  private readonly following = new Map<string, () => void>()
  /** Deal documents changed since the last batch. */
  private readonly changed = new Map<string, Y.Doc>()
  /** Board name → dealId → the deal to mirror (null: remove), waiting for the next write of that board. */
  private readonly boardWrites = new Map<string, Map<string, MirroredDeal | null>>()
  /** Deal document → the pipeline whose board it was last mirrored into. */
  private readonly lastPipeline = new Map<string, string>()
  /**
   * Deal document → the open deal last queued for its board (JSON). A change that leaves it as it is (a title, an
   * amount: every edit of issue #12's latency rounds) queues no board write — the write would find the entry right
   * and change nothing, after a transaction and every extension's store hooks on the board. Open deals only: a closed
   * card's entry also depends on the time (`closedDays`).
   */
  private readonly lastQueued = new Map<string, string>()
  private readonly connections = new Map<string, BoardConnection>()
  private readonly opening = new Map<string, Promise<BoardConnection>>()
  /** Boards being regenerated → resolves when done (connections and loads of that board wait for it). */
  private readonly gates = new Map<string, Promise<void>>()
  private readonly regenerations = new Map<string, Promise<boolean>>()
  private readonly unloadWaiters = new Map<string, Array<() => void>>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private sweepTimer: ReturnType<typeof setInterval> | null = null
  private running: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly options: BoardMirrorOptions) {
    this.log = options.logger.child('board-mirror')
    this.now = options.now ?? Date.now
    this.closedDaysOf = options.closedDaysOf ?? (() => CLOSED_DAYS_DEFAULT)
    this.batchMs = options.batchMs ?? 10
    this.regenerateBytes = options.regenerateBytes ?? BOARD_REGENERATE_BYTES
    this.sizeCheckWrites = options.sizeCheckWrites ?? 1_000
    this.unloadTimeoutMs = options.unloadTimeoutMs ?? 5_000
    this.idleMs = options.idleMs ?? 30_000
    const sweepMs = options.sweepMs ?? 3_600_000
    if (sweepMs > 0) {
      this.sweepTimer = setInterval(() => {
        void this.sweep().catch((error: unknown) => this.log.error('board sweep failed', { error }))
      }, sweepMs)
      this.sweepTimer.unref?.()
    }
    this.extension = this.createExtension()
  }

  private createExtension(): Extension {
    return {
      extensionName: 'rapport-board-mirror',
      // Above persistence (1000): a board's load must wait for a running regeneration BEFORE the stored state is read.
      priority: 1002,
      onConfigure: async ({ instance }: onConfigurePayload) => {
        this.instance = instance
      },
      onConnect: async ({ documentName }: onConnectPayload) => {
        await this.gates.get(documentName)
      },
      onLoadDocument: async ({ documentName }: onLoadDocumentPayload) => {
        await this.gates.get(documentName)
      },
      afterLoadDocument: async ({ documentName, document }: afterLoadDocumentPayload) => {
        if (parseDocName(documentName)?.kind !== 'deal') return
        this.following.get(documentName)?.()
        this.lastQueued.delete(documentName)
        const onUpdate = (): void => this.queue(documentName, document)
        document.on('update', onUpdate)
        this.following.set(documentName, () => document.off('update', onUpdate))
        // Catch-up: a loaded deal is mirrored once, so a board missing it (crash, restart) gets it back. Collected
        // now, so the pipeline it is on when loaded is known before any change moves it elsewhere.
        if (this.closed) return
        this.collect(documentName, document)
        this.schedule()
      },
      beforeUnloadDocument: async ({ documentName }: beforeUnloadDocumentPayload) => {
        // Read a queued deal while its document still exists; the write follows in the next batch.
        const doc = this.changed.get(documentName)
        if (doc) {
          this.changed.delete(documentName)
          this.collect(documentName, doc)
          this.schedule()
        }
      },
      afterUnloadDocument: async ({ documentName }: afterUnloadDocumentPayload) => {
        this.following.get(documentName)?.()
        this.following.delete(documentName)
        this.changed.delete(documentName)
        // Its last state was collected in beforeUnloadDocument; a deal changes only while loaded.
        this.lastPipeline.delete(documentName)
        this.lastQueued.delete(documentName)
        this.connections.delete(documentName)
        const waiters = this.unloadWaiters.get(documentName) ?? []
        this.unloadWaiters.delete(documentName)
        for (const resolve of waiters) resolve()
      },
    }
  }

  private queue(dealDocName: string, doc: Y.Doc): void {
    if (this.closed) return
    this.changed.set(dealDocName, doc)
    this.schedule()
  }

  private schedule(): void {
    if (this.timer || this.closed) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flush().catch((error: unknown) => this.log.error('board mirror batch failed', { error }))
    }, this.batchMs)
  }

  /** Reads one deal document's converged deal and queues its board writes. */
  private collect(dealDocName: string, doc: Y.Doc): void {
    const ref = parseDocName(dealDocName)
    if (ref?.kind !== 'deal') return
    const deal = readRecord(collectionMap(doc, DEALS), ref.dealId, Deal)
    const mirrored: MirroredDeal | null = deal
      ? {
          pipelineId: deal.pipelineId,
          position: deal.position,
          status: deal.status,
          stageEnteredAt: deal.stageEnteredAt,
          archived: deal.archived,
        }
      : null
    const previous = this.lastPipeline.get(dealDocName)
    const target = mirrored?.pipelineId
    const write = (pipelineId: string, value: MirroredDeal | null): void => {
      const board = docName({ workspaceId: ref.workspaceId, kind: 'board', pipelineId })
      const writes = this.boardWrites.get(board) ?? new Map<string, MirroredDeal | null>()
      writes.set(ref.dealId, value)
      this.boardWrites.set(board, writes)
    }
    if (target !== undefined) {
      const queued = mirrored?.status === 'open' ? JSON.stringify(mirrored) : null
      if (queued !== null && previous === target && this.lastQueued.get(dealDocName) === queued) return
      write(target, mirrored)
      this.lastPipeline.set(dealDocName, target)
      if (queued !== null) this.lastQueued.set(dealDocName, queued)
      else this.lastQueued.delete(dealDocName)
    } else {
      this.lastPipeline.delete(dealDocName)
      this.lastQueued.delete(dealDocName)
    }
    // Moved to another pipeline (or gone): its card leaves the board it was on.
    if (previous !== undefined && previous !== target) write(previous, null)
  }

  /** Mirrors every queued deal now (one transaction per board). Resolves when written and durable. */
  flush(): Promise<void> {
    const next = this.running.then(() => this.flushOnce())
    this.running = next.catch(() => {})
    return next
  }

  private async flushOnce(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    for (const [name, doc] of this.changed) this.collect(name, doc)
    this.changed.clear()
    const boards = [...this.boardWrites.keys()].filter((board) => !this.gates.has(board))
    for (const board of boards) {
      const writes = this.boardWrites.get(board)
      const ref = parseDocName(board)
      this.boardWrites.delete(board)
      if (!writes || ref?.kind !== 'board' || this.closed) continue
      try {
        const handle = await this.connect(board)
        const now = this.now()
        const closedDays = this.closedDaysOf(ref.workspaceId)
        const origin = serverOrigin('repair')
        let written = 0
        await handle.connection.transact((doc) => {
          doc.transact(() => {
            for (const [dealId, deal] of [...writes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
              if (mirrorDeal(doc, dealId, deal, now, closedDays, origin, ref.pipelineId) !== 'unchanged')
                written += 1
            }
          }, origin)
        })
        handle.lastUsed = this.now()
        handle.writesSinceCheck += written
        if (handle.writesSinceCheck >= this.sizeCheckWrites) {
          handle.writesSinceCheck = 0
          this.checkSize(board)
        }
      } catch (error) {
        // Keep the writes for the next batch (a newer queued state of the same deal wins).
        const again = this.boardWrites.get(board) ?? new Map<string, MirroredDeal | null>()
        for (const [dealId, deal] of writes) if (!again.has(dealId)) again.set(dealId, deal)
        this.boardWrites.set(board, again)
        this.log.error('mirroring into a board failed', { board, error })
        this.schedule()
      }
    }
    this.closeIdle()
  }

  private async connect(board: string): Promise<BoardConnection> {
    const open = this.connections.get(board)
    if (open) return open
    const pending = this.opening.get(board)
    if (pending) return pending
    const instance = this.instance
    if (!instance) throw new Error('the board mirror is not attached to Hocuspocus')
    const opening = instance
      .openDirectConnection(board, serverOrigin('repair').context)
      .then((connection) => {
        const handle: BoardConnection = { connection, lastUsed: this.now(), writesSinceCheck: 0 }
        this.connections.set(board, handle)
        return handle
      })
      .finally(() => this.opening.delete(board))
    this.opening.set(board, opening)
    return opening
  }

  private closeIdle(): void {
    const now = this.now()
    for (const [board, handle] of this.connections) {
      if (now - handle.lastUsed < this.idleMs || this.boardWrites.has(board)) continue
      this.connections.delete(board)
      void Promise.resolve(handle.connection.disconnect()).catch(() => {})
    }
  }

  private checkSize(board: string): void {
    const doc = this.instance?.documents.get(board)
    if (!doc) return
    const bytes = Y.encodeStateAsUpdate(doc).byteLength
    if (bytes <= this.regenerateBytes) return
    this.log.info('board past its size limit; regenerating', { board, bytes })
    void this.regenerate(board).catch((error: unknown) =>
      this.log.error('board regeneration failed', { board, error }),
    )
  }

  /**
   * The sweep: evicts closed cards past `closedDays` from every board (stored or open) and regenerates the boards
   * past the size limit. Returns how many cards left and which boards were regenerated.
   */
  async sweep(): Promise<{ evicted: number; regenerated: string[] }> {
    await this.flush()
    const stored = (await this.options.store.list()).filter((name) => parseDocName(name)?.kind === 'board')
    const boards = [...new Set([...stored, ...this.connections.keys()])].sort()
    let evicted = 0
    const regenerated: string[] = []
    for (const board of boards) {
      const ref = parseDocName(board)
      if (ref?.kind !== 'board' || this.gates.has(board) || this.closed) continue
      const handle = await this.connect(board)
      const origin = serverOrigin('repair')
      let gone: string[] = []
      await handle.connection.transact((doc) => {
        gone = evictClosed(doc, this.now(), this.closedDaysOf(ref.workspaceId), origin)
      })
      evicted += gone.length
      handle.lastUsed = this.now()
      handle.writesSinceCheck = 0
      const doc = this.instance?.documents.get(board)
      if (
        doc &&
        Y.encodeStateAsUpdate(doc).byteLength > this.regenerateBytes &&
        (await this.regenerate(board))
      )
        regenerated.push(board)
    }
    this.closeIdle()
    return { evicted, regenerated }
  }

  /**
   * Replaces board `board`'s stored state by a fresh one holding only its current entries (no history, no
   * tombstones), closing its connections with `board-regenerated`. Resolves `false` when the document could not be
   * unloaded in time (a later sweep tries again).
   */
  regenerate(board: string): Promise<boolean> {
    const running = this.regenerations.get(board)
    if (running) return running
    let open: () => void = () => {}
    const run = (async (): Promise<boolean> => {
      await this.flush()
      this.gates.set(
        board,
        new Promise<void>((resolve) => {
          open = resolve
        }),
      )
      const handle = this.connections.get(board)
      this.connections.delete(board)
      if (handle) await handle.connection.disconnect()
      if (!(await this.unload(board))) {
        this.log.warn('board regeneration skipped: its document did not unload in time', { board })
        return false
      }
      if (this.options.isDirty?.(board)) {
        this.log.warn('board regeneration skipped: unstored changes', { board })
        return false
      }
      const state = await this.options.store.load(board)
      if (!state) return false
      const old = new Y.Doc()
      Y.applyUpdate(old, state)
      const fresh = regenerateBoard(boardPosMap(old).entries())
      old.destroy()
      await this.options.store.store(board, fresh)
      this.log.info('board regenerated', { board, before: state.byteLength, after: fresh.byteLength })
      return true
    })().finally(() => {
      this.gates.delete(board)
      this.regenerations.delete(board)
      open()
      if (this.boardWrites.has(board)) this.schedule()
    })
    this.regenerations.set(board, run)
    return run
  }

  /** Closes the board's client connections until Hocuspocus has unloaded it; false after a few timed-out tries. */
  private async unload(board: string): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const document = this.instance?.documents.get(board)
      if (!document) return true
      const unloaded = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.unloadTimeoutMs)
        timer.unref?.()
        const waiters = this.unloadWaiters.get(board) ?? []
        waiters.push(() => {
          clearTimeout(timer)
          resolve(true)
        })
        this.unloadWaiters.set(board, waiters)
      })
      for (const connection of document.getConnections()) connection.close(BoardRegenerated)
      if (document.getConnectionsCount() === 0) void this.instance?.unloadDocument(document)
      if (await unloaded) return true
    }
    return !this.instance?.documents.has(board)
  }

  /**
   * Catch-up (at start, after a crash): makes board `board` equal the mirror of `deals` — every deal of its pipeline,
   * as the record index holds them — in one transaction. Deals whose document is loaded are left to the live mirror
   * (it mirrors them on load and on every change); any other entry not in `deals` is removed (a deal that moved to
   * another pipeline, was deleted, or a crash between storing a deal and mirroring it). Resolves how many entries
   * changed (0: the board was current, nothing written).
   */
  async reconcile(board: string, deals: ReadonlyMap<string, MirroredDeal>): Promise<number> {
    const ref = parseDocName(board)
    if (ref?.kind !== 'board' || this.closed) return 0
    await this.flush()
    await this.gates.get(board)
    const handle = await this.connect(board)
    const now = this.now()
    const closedDays = this.closedDaysOf(ref.workspaceId)
    const origin = serverOrigin('repair')
    const live = (dealId: string): boolean =>
      this.following.has(docName({ workspaceId: ref.workspaceId, kind: 'deal', dealId }))
    let written = 0
    await handle.connection.transact((doc) => {
      written = reconcileBoard(doc, deals, now, closedDays, origin, ref.pipelineId, live)
    })
    handle.lastUsed = this.now()
    handle.writesSinceCheck += written
    if (written > 0) this.checkSize(board)
    return written
  }

  /** Deal changes not yet written into their boards (queued, or kept after a failed write). */
  get unmirrored(): number {
    let writes = this.changed.size
    for (const queued of this.boardWrites.values()) writes += queued.size
    return writes
  }

  /** Stops timers, writes what is queued and closes the board connections. */
  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    this.sweepTimer = null
    await this.flush()
    await Promise.allSettled([...this.regenerations.values()])
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    for (const stop of this.following.values()) stop()
    this.following.clear()
    const handles = [...this.connections.values()]
    this.connections.clear()
    await Promise.allSettled(handles.map((handle) => handle.connection.disconnect()))
  }
}
