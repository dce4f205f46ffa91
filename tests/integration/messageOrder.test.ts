import type { AddressInfo } from 'node:net'
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { Server } from '@hocuspocus/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'

// Rapport's persistence waits in beforeHandleMessage until a client's update is on disk before it is acknowledged.
// Hocuspocus 3.4 ran each message's hooks and then applied it without waiting for the previous message, so a message
// that waited nothing (a stateless message, a malformed update that closes the document) overtook an update that was
// still waiting for the disk: its reply reached the client first (hocuspocus #880). The patch in
// patches/@hocuspocus__server@3.4.3.patch applies a connection's messages in the order they arrived. This test runs
// bare Hocuspocus with a hook that holds the first update, as a slow disk does.

let server: Server
let url: string
let release: () => void = () => {}
const gate = new Promise<void>((resolve) => {
  release = resolve
})
const events: string[] = []
const arrived: string[] = []
/** Hocuspocus' message type of a stateless message. */
const STATELESS = 5

beforeAll(async () => {
  server = new Server({
    port: 0,
    address: '127.0.0.1',
    quiet: true,
    extensions: [
      {
        async beforeHandleMessage({ update }) {
          // Message type 0 (Sync), sync type 2 (Update) after the document name: hold it until released.
          const nameLength = update[0] ?? 0
          if (update[1 + nameLength] === STATELESS) arrived.push('stateless')
          if (update[1 + nameLength] === 0 && update[2 + nameLength] === 2) await gate
        },
        async onChange() {
          events.push('update applied')
        },
        async onStateless({ payload }) {
          events.push(`stateless ${payload}`)
        },
      },
    ],
  })
  await server.listen()
  const { port } = server.httpServer.address() as AddressInfo
  url = `ws://127.0.0.1:${port}`
})
afterAll(async () => {
  await server?.destroy()
})

describe('a connection’s messages are handled in the order it sent them', () => {
  it('a stateless message sent after an update waiting in a hook is handled after that update', async () => {
    const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: NodeWebSocket })
    const provider = new HocuspocusProvider({
      websocketProvider: socket,
      name: 'ordered',
      document: new Y.Doc(),
    })
    provider.attach()
    try {
      await vi.waitFor(() => expect(provider.isSynced).toBe(true))
      events.length = 0
      provider.document.getText('t').insert(0, 'typed first')
      provider.sendStateless('sent second')
      // The stateless message reached the server and its hook ran; it must not be handled before the held update.
      await vi.waitFor(() => expect(arrived).toEqual(['stateless']))
      await new Promise<void>((resolve) => setImmediate(resolve))
      expect(events).toEqual([])
      release()
      await vi.waitFor(() => expect(events).toEqual(['update applied', 'stateless sent second']))
      await vi.waitFor(() => expect(provider.unsyncedChanges).toBe(0))
    } finally {
      provider.destroy()
      socket.destroy()
    }
  })
})
