import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DOCUMENT_RETIRED_REASON, DocRegistry, RELEASE_GRACE_MS } from './DocRegistry.ts'
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

function makeRegistry() {
  return new DocRegistry({
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
})
