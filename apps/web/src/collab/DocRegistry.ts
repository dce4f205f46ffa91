import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider'
import { parseDocName } from '@rapport/model'
import { clearDocument, IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { type ConnectionSnapshot, summarizeConnection } from './connectionSummary.ts'
import { DocHandle } from './DocHandle.ts'
import { mayCloseReleased } from './mayCloseReleased.ts'
import { OfflineIndex, offlineDbName } from './offlineDbName.ts'
import type { TokenSource } from './TokenSource.ts'

/** How long an unused document stays open, so StrictMode remounts and quick navigation reuse it. */
export const RELEASE_GRACE_MS = 3_000
/** How long `openAhead` keeps a document open for the page that is about to acquire it. */
export const OPEN_AHEAD_HOLD_MS = 10_000

/** The server's reason when it refused an update as written under another author's clientID (schema.md §8). */
export const SPOOFED_AUTHOR_REASON = 'spoofed-author'
/** The server no longer serves this document (schema.md §8): its records moved into per-record documents. */
export const DOCUMENT_RETIRED_REASON = 'document-retired'
/**
 * The server replaced this board document's stored state by a fresh one (schema.md §4.2, §8): drop the local copy
 * (IndexedDB included) and sync a fresh `Y.Doc` (`DocRegistry.resync`).
 */
export const BOARD_REGENERATED_REASON = 'board-regenerated'
/** First wait before reconnecting after such a refusal; doubles per refusal in a row, up to the max. */
export const REFUSAL_RETRY_MS = 1_000
export const REFUSAL_RETRY_MAX_MS = 60_000

export interface PresenceUser {
  id: string
  name: string
  color: string
}

export interface DocRegistryOptions {
  url: string
  user: PresenceUser
  tokens: TokenSource
  /** Resolves false when the HTTP session is gone (the registry then reports `onSessionLost`). */
  checkSession: () => Promise<boolean>
  onSessionLost: () => void
  /** Keep an IndexedDB copy of every document (default true when `indexedDB` exists). */
  offline?: boolean
  /** WebSocket implementation (tests); defaults to the browser's. */
  WebSocketPolyfill?: unknown
  /**
   * The server's state of document `name` already on its way over HTTP (index.html asks for a first visit's room
   * beside the bundle), or null. Taken once, when the document opens; applied as the server's own update.
   */
  earlyState?: (name: string) => Promise<Uint8Array | null> | null
}

/**
 * One shared WebSocket per tab and one provider per open document, reference counted: acquiring a document
 * that is already open returns the same handle, so a document is never opened twice on the socket.
 */
export class DocRegistry {
  readonly socket: HocuspocusProviderWebsocket
  private readonly handles = new Map<string, DocHandle>()
  private readonly listeners = new Set<() => void>()
  private readonly offlineIndex: OfflineIndex
  private socketStatus: WebSocketStatus = WebSocketStatus.Connecting
  private snapshot: ConnectionSnapshot
  private destroyed = false
  /** Refusals (`spoofed-author`) since the server last acknowledged all of a document's edits. */
  private refusals = 0
  private refusalTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly options: DocRegistryOptions) {
    this.offlineIndex = new OfflineIndex(options.user.id)
    this.socket = new HocuspocusProviderWebsocket({
      url: options.url,
      maxAttempts: 0,
      delay: 1_000,
      maxDelay: 10_000,
    })
    this.socket.on('status', ({ status }: { status: WebSocketStatus }) => {
      this.socketStatus = status
      this.emit()
    })
    this.snapshot = this.computeSnapshot()
  }

  get user(): PresenceUser {
    return this.options.user
  }

  /** Opens (or reuses) the document `name`. Pair every call with `release(name)`. */
  acquire(name: string): DocHandle {
    if (this.destroyed) throw new Error('DocRegistry is destroyed')
    const existing = this.handles.get(name)
    if (existing) {
      existing.refs += 1
      if (existing.releaseTimer) clearTimeout(existing.releaseTimer)
      existing.releaseTimer = null
      return existing
    }
    const handle = this.open(name)
    handle.refs = 1
    this.handles.set(name, handle)
    this.emit()
    return handle
  }

  /**
   * Opens `name` ahead of the page that will show it (the first page's document, while its code still loads) and
   * keeps it open for `holdMs`: the page's own `acquire` then finds it syncing, or synced.
   */
  openAhead(name: string, holdMs = OPEN_AHEAD_HOLD_MS): void {
    if (this.destroyed) return
    this.acquire(name)
    setTimeout(() => this.release(name), holdMs)
  }

  release(name: string): void {
    const handle = this.handles.get(name)
    if (!handle) return
    handle.refs = Math.max(0, handle.refs - 1)
    if (handle.refs > 0) return
    this.scheduleClose(handle)
  }

  /** Handles currently open (for tests and diagnostics). */
  openNames(): string[] {
    return [...this.handles.keys()]
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): ConnectionSnapshot => this.snapshot

  /**
   * Closes every document and the socket. With `clearOffline`, also deletes this user's IndexedDB copies; with
   * `clearWorkspace`, this user's copies of that workspace only (deleted, left, or removed from).
   */
  async destroy({
    clearOffline,
    clearWorkspace,
  }: {
    clearOffline: boolean
    clearWorkspace?: string
  }): Promise<void> {
    this.destroyed = true
    if (this.refusalTimer) clearTimeout(this.refusalTimer)
    this.refusalTimer = null
    for (const handle of this.handles.values()) this.close(handle)
    this.handles.clear()
    this.socket.destroy()
    this.options.tokens.dispose()
    if (clearOffline) await this.offlineIndex.clearAll(clearDocument)
    else if (clearWorkspace) await this.offlineIndex.clearWorkspace(clearWorkspace, clearDocument)
  }

  private open(name: string): DocHandle {
    const { doc, provider, persistence } = this.createParts(name)
    const handle = new DocHandle(name, doc, provider, persistence)
    this.wire(handle, doc, provider, persistence)
    provider.attach()
    this.applyEarlyState(handle, doc, provider)
    return handle
  }

  /**
   * The server's state fetched over HTTP (`earlyState`) goes into the document with the provider as its origin, as
   * the provider applies the server's sync messages: it is not sent back, the offline copy keeps it, and the socket's
   * sync then only exchanges what differs. The editor may mount on it (`serverLoaded`, see mayMountEditor).
   */
  private applyEarlyState(handle: DocHandle, doc: Y.Doc, provider: HocuspocusProvider): void {
    const early = this.options.earlyState?.(handle.name)
    if (!early) return
    early.then(
      (update) => {
        if (!update || this.destroyed || handle.doc !== doc || handle.provider !== provider) return
        Y.applyUpdate(doc, update, provider)
        handle.setState({ serverLoaded: true })
      },
      () => {}, // the socket's sync brings the state anyway
    )
  }

  /** A fresh Y.Doc, its provider on the shared socket (not attached yet) and its offline copy. */
  private createParts(name: string): {
    doc: Y.Doc
    provider: HocuspocusProvider
    persistence: IndexeddbPersistence | null
  } {
    const doc = new Y.Doc()
    const { tokens, user } = this.options
    // `W/feed` holds no content and carries only the change feed: no presence (every member of the workspace is on
    // it, so awareness would fan out to all of them) and no offline copy. `W/workspace` (settings, pipelines, name)
    // is open in every tab too and no feature shows who is on it: no presence either, else each tab's 15 s presence
    // renewal is broadcast to every other tab of the workspace (the benchmark stalled the server at 1,000 tabs).
    const kind = parseDocName(name)?.kind
    const feed = kind === 'feed'
    const presence = !feed && kind !== 'workspace'
    const provider = new HocuspocusProvider({
      name,
      document: doc,
      websocketProvider: this.socket,
      token: () => tokens.get(),
      ...(presence ? {} : { awareness: null }),
    })
    if (presence) provider.setAwarenessField('user', user)
    const useOffline = !feed && (this.options.offline ?? typeof indexedDB !== 'undefined')
    let persistence: IndexeddbPersistence | null = null
    if (useOffline) {
      const dbName = offlineDbName(user.id, name)
      this.offlineIndex.add(dbName)
      persistence = new IndexeddbPersistence(dbName, doc)
    }
    // Not attached yet (a provider on a shared socket attaches when told): the caller wires its events first.
    return { doc, provider, persistence }
  }

  /** The events of `provider` (the handle's current one, or the fresh one of a resync) update `handle`. */
  private wire(
    handle: DocHandle,
    doc: Y.Doc,
    provider: HocuspocusProvider,
    persistence: IndexeddbPersistence | null,
  ): void {
    if (persistence)
      persistence.whenSynced.then(() => {
        if (handle.doc === doc) handle.setState({ localLoaded: true })
      })
    else if (handle.doc === doc) handle.setState({ localLoaded: true })

    provider.on('synced', ({ state }: { state: boolean }) => {
      // A resync's fresh document replaces the old one once it holds the server's state.
      if (state && handle.pending === doc) this.swap(handle, doc)
      handle.setState({ synced: state })
      if (state) handle.authRetries = 0
      this.emit()
    })
    provider.on('status', () => this.emit())
    provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      handle.setState({ unsynced: number })
      if (number === 0 && handle.state.synced) this.refusals = 0
      this.emit()
    })
    provider.on('close', ({ event }: { event?: { reason?: string } }) => {
      if (event?.reason === SPOOFED_AUTHOR_REASON) this.reconnectAfterRefusal()
      if (event?.reason === DOCUMENT_RETIRED_REASON) this.retire(handle)
      if (event?.reason === BOARD_REGENERATED_REASON) this.resync(handle.name)
    })
    provider.on('authenticated', ({ scope }: { scope: string }) => {
      handle.setState({ denied: null, serverReadOnly: scope === 'readonly' })
    })
    provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
      void this.onAuthFailed(handle, reason)
    })
  }

  /**
   * Drops this tab's copy of document `name` and syncs a fresh one: used when the server regenerated a board
   * (`board-regenerated`: its stored state was replaced, so the old copy's history must not be merged back). The old
   * provider leaves the socket and the offline copy is deleted; the socket is reconnected (schema.md §8: a provider
   * re-created on the same socket would be closed again by the server replaying the old provider's close), a fresh
   * `Y.Doc` with a fresh provider and offline copy syncs, and only then replaces the handle's document
   * (`state.generation` + 1), so the page keeps showing the old copy meanwhile. Components re-read `doc`/`provider`
   * of the handle (`useDoc` does). Returns at once; a resync already running for `name` is not started twice.
   */
  resync(name: string): void {
    const handle = this.handles.get(name)
    if (!handle || handle.pending || this.destroyed) return
    const old = { provider: handle.provider, persistence: handle.persistence }
    // Synchronously: the old provider's close goes out on the socket that is about to be replaced.
    handle.pending = handle.doc
    old.provider.destroy()
    const cleared = old.persistence?.clearData().catch(() => {}) ?? Promise.resolve()
    handle.setState({ synced: false })
    this.whileDisconnected(async () => {
      await cleared
      if (this.destroyed || this.handles.get(name) !== handle) return
      const fresh = this.createParts(name)
      handle.provider = fresh.provider
      handle.persistence = fresh.persistence
      handle.pending = fresh.doc
      // What the old provider had not sent is dropped with its copy (a board is read-only for every role anyway).
      handle.setState({ unsynced: 0 })
      this.wire(handle, fresh.doc, fresh.provider, fresh.persistence)
      fresh.provider.attach()
      this.emit()
    })
  }

  /** A resync's fresh document, synced, becomes the handle's document; the old copy is destroyed. */
  private swap(handle: DocHandle, fresh: Y.Doc): void {
    const old = handle.doc
    handle.doc = fresh
    handle.pending = null
    handle.setState({ generation: handle.state.generation + 1, localLoaded: true })
    old.destroy()
  }

  /** Work to run while the socket is down, then the socket reconnects (several callers share one reconnect). */
  private readonly disconnectedWork: Array<() => Promise<void>> = []
  private whileDisconnected(work: () => Promise<void>): void {
    this.disconnectedWork.push(work)
    if (this.disconnectedWork.length > 1) return
    const run = async () => {
      while (this.disconnectedWork.length > 0) {
        const batch = this.disconnectedWork.splice(0)
        await Promise.all(batch.map((w) => w().catch(() => {})))
      }
      if (!this.destroyed) void this.socket.connect()
    }
    if (this.socketStatus === WebSocketStatus.Disconnected) {
      void run()
      return
    }
    const onStatus = ({ status }: { status: WebSocketStatus }) => {
      if (status !== WebSocketStatus.Disconnected) return
      this.socket.off('status', onStatus)
      void run()
    }
    this.socket.on('status', onStatus)
    this.socket.disconnect()
  }

  /** A retired document: never reopened (the provider leaves the socket), its offline copy is deleted. */
  private retire(handle: DocHandle): void {
    handle.provider.detach()
    void handle.persistence?.clearData()
    handle.setState({ denied: DOCUMENT_RETIRED_REASON })
    this.emit()
  }

  private async onAuthFailed(handle: DocHandle, reason: string): Promise<void> {
    this.options.tokens.invalidate()
    const sessionOk = await this.options.checkSession().catch(() => true)
    if (!sessionOk) {
      this.options.onSessionLost()
      return
    }
    if (handle.authRetries >= 1 || this.destroyed || !this.handles.has(handle.name)) {
      handle.setState({ denied: reason || 'permission-denied' })
      this.emit()
      return
    }
    // The token was probably stale: fetch a fresh one and authenticate this document again.
    handle.authRetries += 1
    handle.provider.detach()
    handle.provider.attach()
  }

  /**
   * The server closed a document because an update carried new content under a clientID another user is writing
   * under (schema.md §8). A genuine client gets there only in a race after a server crash: it re-sends another
   * user's edits that the server lost, just after their author came back. Its own edits would sit unsent: the
   * document stays closed until the socket reconnects. So reconnect the socket (the documented recovery: every
   * document re-syncs and sends what the server lacks), after a wait that doubles per refusal in a row.
   */
  private reconnectAfterRefusal(): void {
    if (this.refusalTimer || this.destroyed) return
    const delay = Math.min(REFUSAL_RETRY_MAX_MS, REFUSAL_RETRY_MS * 2 ** this.refusals)
    this.refusals += 1
    this.refusalTimer = setTimeout(() => {
      this.refusalTimer = null
      // Offline: the socket reconnects by itself, and every document re-syncs then.
      if (this.destroyed || this.socketStatus !== WebSocketStatus.Connected) return
      const reopen = ({ status }: { status: WebSocketStatus }) => {
        if (status !== WebSocketStatus.Disconnected) return
        this.socket.off('status', reopen)
        if (!this.destroyed) void this.socket.connect()
      }
      this.socket.on('status', reopen)
      this.socket.disconnect()
    }, delay)
  }

  private scheduleClose(handle: DocHandle): void {
    if (handle.releaseTimer) clearTimeout(handle.releaseTimer)
    handle.releaseTimer = setTimeout(() => {
      handle.releaseTimer = null
      if (handle.refs > 0) return
      // Not while offline (the Close message would be queued and later close a reopened provider), and never while
      // the server still lacks some of our edits: ask again later.
      if (!mayCloseReleased(handle.state, handle.refs, this.socketStatus === WebSocketStatus.Connected)) {
        this.scheduleClose(handle)
        return
      }
      this.close(handle)
      this.handles.delete(handle.name)
      this.emit()
    }, RELEASE_GRACE_MS)
  }

  private close(handle: DocHandle): void {
    if (handle.releaseTimer) clearTimeout(handle.releaseTimer)
    handle.provider.destroy()
    void handle.persistence?.destroy()
    if (handle.pending && handle.pending !== handle.doc) handle.pending.destroy()
    handle.pending = null
    handle.doc.destroy()
  }

  private computeSnapshot(): ConnectionSnapshot {
    return summarizeConnection(
      this.socketStatus === WebSocketStatus.Connected
        ? 'connected'
        : this.socketStatus === WebSocketStatus.Connecting
          ? 'connecting'
          : 'disconnected',
      [...this.handles.values()].map((h) => h.state),
    )
  }

  private emit(): void {
    const next = this.computeSnapshot()
    const prev = this.snapshot
    if (
      prev.status !== next.status ||
      prev.unsynced !== next.unsynced ||
      prev.openDocuments !== next.openDocuments ||
      prev.denied !== next.denied
    ) {
      this.snapshot = next
      for (const l of this.listeners) l()
    }
  }
}
