import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { vi } from 'vitest'
import * as Y from 'yjs'
import { NodeWebSocket } from './NodeWebSocket.ts'

export interface CollabClient {
  doc: Y.Doc
  provider: HocuspocusProvider
  socket: HocuspocusProviderWebsocket
  /** Resolves once the provider has synced with the server (the first time). */
  synced: Promise<void>
  destroy(): void
}

export interface OpenDocOptions {
  wsUrl: string
  name: string
  /** Collab token (S2's `collabToken`); omitted while the server runs without auth. */
  token?: string | (() => Promise<string>)
  doc?: Y.Doc
}

/**
 * A real `@hocuspocus/provider` 3.4 on its own socket (node `ws`), reconnecting quickly (tests restart servers).
 */
export const openDoc = (options: OpenDocOptions): CollabClient => {
  const doc = options.doc ?? new Y.Doc()
  const socket = new HocuspocusProviderWebsocket({
    url: options.wsUrl,
    WebSocketPolyfill: NodeWebSocket,
    delay: 50,
    factor: 1.5,
    minDelay: 25,
    maxDelay: 500,
    maxAttempts: 0,
    jitter: false,
  })
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: options.name,
    document: doc,
    token: options.token ?? 'no-auth',
  })
  provider.attach()
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve()
    provider.on('synced', () => resolve())
  })
  return {
    doc,
    provider,
    socket,
    synced,
    destroy() {
      provider.destroy()
      socket.destroy()
    },
  }
}

/** Open and wait for the first sync. */
export const openSyncedDoc = async (options: OpenDocOptions): Promise<CollabClient> => {
  const client = openDoc(options)
  await vi.waitFor(() => client.synced, { timeout: 10_000 })
  await client.synced
  return client
}

/** Wait until the server acknowledged every local change of the client. */
export const waitForAcked = (client: CollabClient, timeout = 10_000): Promise<void> =>
  vi.waitFor(
    () => {
      if (!client.provider.isSynced || client.provider.hasUnsyncedChanges) throw new Error('unsynced changes')
    },
    { timeout, interval: 20 },
  )

export interface HealthBody {
  ok: boolean
  documents: number
  connections: number
  dirtyDocuments: number
  storesInFlight: number
  stores: number
  storeFailures: number
  rejectedFrames: number
  closedForLimits: number
}

export const getHealth = async (url: string): Promise<HealthBody> => {
  const response = await fetch(`${url}/api/health`)
  if (!response.ok) throw new Error(`health ${response.status}`)
  return (await response.json()) as HealthBody
}
