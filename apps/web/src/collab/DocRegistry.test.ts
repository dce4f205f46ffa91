import { WebSocketStatus } from '@hocuspocus/provider'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import {
  BOARD_REGENERATED_REASON,
  DOCUMENT_RETIRED_REASON,
  DocRegistry,
  type DocRegistryOptions,
  RELEASE_GRACE_MS,
} from './DocRegistry.ts'
import { TokenSource } from './TokenSource.ts'

/** A socket that connects only when told to (`SilentSocket.openLatest()`) and never answers. */
class SilentSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static latest: SilentSocket | null = null
  readyState = 0
  binaryType = 'arraybuffer'
  onopen: unknown = null
  onclose: unknown = null
  onmessage: unknown = null
  onerror: unknown = null
  private readonly listeners = new Map<string, Array<(event: unknown) => void>>()
  constructor() {
    SilentSocket.latest = this
  }
  static openLatest(): void {
    const socket = SilentSocket.latest
    if (!socket) throw new Error('no socket yet')
    socket.readyState = SilentSocket.OPEN
    for (const l of socket.listeners.get('open') ?? []) l({ type: 'open' })
  }
  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  removeEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((l) => l !== listener),
    )
  }
  send(): void {}
  close(): void {}
}

function makeRegistry(extra: Partial<DocRegistryOptions> = {}) {
  return new DocRegistry({
    ...extra,
    url: 'ws://127.0.0.1:9/collab',
    user: { id: 'u1', name: 'Ada', color: '#336699' },
    tokens: new TokenSource(async () => ({ token: 't', expiresAt: Date.now() + 600_000 })),
    checkSession: async () => true,
    onSessionLost: () => {},
    offline: false,
    WebSocketPolyfill: SilentSocket,
  })
}

describe('DocRegistry', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    // Node 20 has no global WebSocket; the provider reads it when its config is built.
    vi.stubGlobal('WebSocket', SilentSocket)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('opens a document once however many components use it', async () => {
    const registry = makeRegistry()
    const a = registry.acquire('w1/accounts')
    const b = registry.acquire('w1/accounts')
    expect(b).toBe(a)
    expect(registry.openNames()).toEqual(['w1/accounts'])
    expect(registry.socket.configuration.providerMap.size).toBe(1)
    await registry.destroy({ clearOffline: false })
  })

  it("applies the server's state read over HTTP as the server's (never sent back), once, to the named document only", async () => {
    const server = new Y.Doc()
    server.getText('notesText').insert(0, 'from the server')
    const asked: string[] = []
    const registry = makeRegistry({
      earlyState: (name) => {
        asked.push(name)
        return name === 'w1/account/a1' ? Promise.resolve(Y.encodeStateAsUpdate(server)) : null
      },
    })
    const room = registry.acquire('w1/account/a1')
    const other = registry.acquire('w1/account/a2')
    expect(room.state.serverLoaded).toBe(false)
    await vi.waitFor(() => expect(room.state.serverLoaded).toBe(true))
    expect(room.doc.getText('notesText').toString()).toBe('from the server')
    // Applied as the provider applies the server's sync: not an unsynced local change.
    expect(room.state.unsynced).toBe(0)
    expect(room.provider.unsyncedChanges).toBe(0)
    expect(room.state.synced).toBe(false)
    expect(other.state.serverLoaded).toBe(false)
    // Asked when each document opened, not again when it is acquired again.
    registry.acquire('w1/account/a1')
    expect(asked).toEqual(['w1/account/a1', 'w1/account/a2'])
    await registry.destroy({ clearOffline: false })
  })

  it('survives a StrictMode mount → unmount → mount without reopening', async () => {
    const registry = makeRegistry()
    const first = registry.acquire('w1/contacts')
    const destroy = vi.spyOn(first.provider, 'destroy')
    registry.release('w1/contacts')
    const second = registry.acquire('w1/contacts')
    expect(second).toBe(first)
    vi.advanceTimersByTime(RELEASE_GRACE_MS * 2)
    expect(destroy).not.toHaveBeenCalled()
    expect(registry.openNames()).toEqual(['w1/contacts'])
    await registry.destroy({ clearOffline: false })
  })

  it('keeps a released document open while offline (no Close message queued), and closes it once connected', async () => {
    const registry = makeRegistry()
    const handle = registry.acquire('w1/accounts')
    const destroy = vi.spyOn(handle.provider, 'destroy')
    registry.release('w1/accounts')
    vi.advanceTimersByTime(RELEASE_GRACE_MS * 3)
    expect(destroy).not.toHaveBeenCalled()
    expect(registry.openNames()).toEqual(['w1/accounts'])
    // Reopened while still offline: the same provider, so nothing stale can close it after the reconnect.
    expect(registry.acquire('w1/accounts')).toBe(handle)
    registry.release('w1/accounts')
    SilentSocket.openLatest()
    vi.advanceTimersByTime(RELEASE_GRACE_MS + 1)
    expect(destroy).toHaveBeenCalledOnce()
    expect(registry.openNames()).toEqual([])
    await registry.destroy({ clearOffline: false })
  })

  it('closes a document after its last user left, and reopens a fresh one later', async () => {
    const registry = makeRegistry()
    SilentSocket.openLatest()
    const first = registry.acquire('w1/support')
    const destroy = vi.spyOn(first.provider, 'destroy')
    registry.release('w1/support')
    vi.advanceTimersByTime(RELEASE_GRACE_MS + 1)
    expect(destroy).toHaveBeenCalledOnce()
    expect(registry.openNames()).toEqual([])
    expect(registry.socket.configuration.providerMap.size).toBe(0)
    const again = registry.acquire('w1/support')
    expect(again).not.toBe(first)
    await registry.destroy({ clearOffline: false })
  })

  it('openAhead: the page that acquires the document soon after gets the same handle; unused, it closes after the hold', async () => {
    const registry = makeRegistry()
    SilentSocket.openLatest()
    registry.openAhead('w1/account/a1', 1_000)
    const ahead = registry.openNames()
    const page = registry.acquire('w1/account/a1')
    const destroy = vi.spyOn(page.provider, 'destroy')
    expect(ahead).toEqual(['w1/account/a1'])
    expect(registry.socket.configuration.providerMap.size).toBe(1)
    // The hold ends while the page still uses it: it stays open.
    vi.advanceTimersByTime(1_000 + RELEASE_GRACE_MS + 1)
    expect(destroy).not.toHaveBeenCalled()
    registry.release('w1/account/a1')
    vi.advanceTimersByTime(RELEASE_GRACE_MS + 1)
    expect(destroy).toHaveBeenCalledOnce()
    // Opened ahead for a page that never came: closed once the hold and the grace are over.
    registry.openAhead('w1/account/a2', 1_000)
    vi.advanceTimersByTime(1_000 + RELEASE_GRACE_MS + 1)
    expect(registry.openNames()).toEqual([])
    await registry.destroy({ clearOffline: false })
  })

  it('reports documents waiting for their first sync as syncing', async () => {
    const registry = makeRegistry()
    registry.acquire('w1/workspace')
    expect(registry.getSnapshot().openDocuments).toBe(1)
    expect(registry.getSnapshot().status).not.toBe('connected')
    await registry.destroy({ clearOffline: false })
  })
  it('sets presence on record documents only: W/workspace and W/feed are opened without awareness', async () => {
    const registry = makeRegistry()
    const workspace = registry.acquire('w1/workspace')
    const feed = registry.acquire('w1/feed')
    const contacts = registry.acquire('w1/contacts')
    expect(workspace.provider.awareness).toBeNull()
    expect(feed.provider.awareness).toBeNull()
    expect(contacts.provider.awareness?.getLocalState()?.user).toBeDefined()
    await registry.destroy({ clearOffline: false })
  })
  it('a document the server retired is detached for good and marked denied', async () => {
    const registry = makeRegistry()
    const handle = registry.acquire('w1/contacts')
    const detach = vi.spyOn(handle.provider, 'detach')
    // `emit` is protected on the provider: the socket's close reaches it the same way.
    ;(handle.provider as unknown as { emit(event: string, payload: unknown): void }).emit('close', {
      event: { code: 4410, reason: DOCUMENT_RETIRED_REASON },
    })
    expect(detach).toHaveBeenCalledTimes(1)
    expect(handle.state.denied).toBe(DOCUMENT_RETIRED_REASON)
    expect(registry.socket.configuration.providerMap.has('w1/contacts')).toBe(false)
    await registry.destroy({ clearOffline: false })
  })

  /** What the provider does when the server sends a `Close` message for its document (code 1000, the reason). */
  const serverCloses = (provider: unknown, reason: string) =>
    (provider as { emit(event: string, payload: unknown): void }).emit('close', {
      event: { code: 1000, reason },
    })
  /** The shared socket reports a status, as it does when its WebSocket closes or opens. */
  const socketStatus = (registry: DocRegistry, status: WebSocketStatus) =>
    (registry.socket as unknown as { emit(event: string, payload: unknown): void }).emit('status', { status })

  it('a regenerated board: the old copy is dropped, the socket reconnects, a fresh document replaces it once synced', async () => {
    const registry = makeRegistry()
    SilentSocket.openLatest()
    const name = 'w1/board/pip_1'
    const handle = registry.acquire(name)
    const feed = registry.acquire('w1/feed')
    const oldDoc = handle.doc
    const oldProvider = handle.provider
    oldDoc.getMap('pos').set('deal_old', ['stg_1', 'a0', 'o', 1])
    const destroy = vi.spyOn(oldProvider, 'destroy')
    const disconnect = vi.spyOn(registry.socket, 'disconnect')
    const connect = vi.spyOn(registry.socket, 'connect')
    const seen: number[] = []
    handle.subscribe(() => seen.push(handle.state.generation))

    serverCloses(oldProvider, BOARD_REGENERATED_REASON)
    serverCloses(oldProvider, BOARD_REGENERATED_REASON)
    // At once: the old provider leaves (its close goes out on the old socket), the socket is asked to close.
    expect(destroy).toHaveBeenCalledOnce()
    expect(disconnect).toHaveBeenCalledOnce()
    expect(registry.socket.configuration.providerMap.has(name)).toBe(false)
    expect(handle.doc).toBe(oldDoc)
    expect(connect).not.toHaveBeenCalled()

    // Once the socket is down: a fresh provider for a fresh document, then the socket reconnects.
    socketStatus(registry, WebSocketStatus.Disconnected)
    await vi.advanceTimersByTimeAsync(0)
    expect(handle.provider).not.toBe(oldProvider)
    expect(registry.socket.configuration.providerMap.get(name)).toBe(handle.provider)
    expect(handle.provider.document).not.toBe(oldDoc)
    expect(connect).toHaveBeenCalledOnce()
    // The page keeps the old copy until the fresh one has the server's state.
    expect(handle.doc).toBe(oldDoc)
    expect(handle.state.generation).toBe(0)

    const fresh = handle.provider.document
    fresh.getMap('pos').set('deal_new', ['stg_1', 'a1', 'o', 1])
    handle.provider.synced = true
    expect(handle.doc).toBe(fresh)
    expect([...handle.doc.getMap('pos').keys()]).toEqual(['deal_new'])
    expect(handle.state.generation).toBe(1)
    expect(seen).toContain(1)
    expect(oldDoc.isDestroyed).toBe(true)
    // Other documents keep their handle (they re-sync on the new socket by themselves).
    expect(registry.acquire('w1/feed')).toBe(feed)
    expect(registry.openNames().sort()).toEqual([name, 'w1/feed'])
    await registry.destroy({ clearOffline: false })
  })

  it('a board released while it resyncs is closed with its fresh copy', async () => {
    const registry = makeRegistry()
    SilentSocket.openLatest()
    const name = 'w1/board/pip_2'
    const handle = registry.acquire(name)
    serverCloses(handle.provider, BOARD_REGENERATED_REASON)
    socketStatus(registry, WebSocketStatus.Disconnected)
    await vi.advanceTimersByTimeAsync(0)
    const fresh = handle.provider.document
    const freshDestroy = vi.spyOn(handle.provider, 'destroy')
    // A board is read-only for every role: the server never acknowledges the client's sync step.
    ;(handle.provider as unknown as { emit(event: string, payload: unknown): void }).emit('authenticated', {
      scope: 'readonly',
    })
    registry.release(name)
    SilentSocket.openLatest()
    socketStatus(registry, WebSocketStatus.Connected)
    await vi.advanceTimersByTimeAsync(RELEASE_GRACE_MS + 1)
    expect(registry.openNames()).toEqual([])
    expect(freshDestroy).toHaveBeenCalledOnce()
    expect(fresh.isDestroyed).toBe(true)
    expect(handle.doc.isDestroyed).toBe(true)
    await registry.destroy({ clearOffline: false })
  })
})
