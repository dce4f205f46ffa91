import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { docName } from '@rapport/model'
import * as encoding from 'lib0/encoding'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { seedMember, signIn } from './helpers/clients.ts'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

// What docs/schema.md §8 tells an outside client about a message with a valid header whose body cannot be applied:
// the server closes that ONE document (close message, reason 'Reset Connection'; the provider reports code 1000),
// the socket and its other documents stay open, and reconnecting the socket recovers without losing edits.

const WS = 'ws_malformed'
let started: StartedServer
let token: () => Promise<string>
const sockets: HocuspocusProviderWebsocket[] = []

beforeAll(async () => {
  started = await startServer()
  const user = await seedMember(started.server, {
    workspaceId: WS,
    email: 'sales@malformed.test',
    role: 'sales',
  })
  token = (await signIn(started.url, user)).token
})
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy()
})
afterAll(async () => {
  await started?.stop()
})

const room = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

async function serverMap(name: string): Promise<Record<string, unknown>> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    return connection.document?.getMap('probe').toJSON() ?? {}
  } finally {
    await connection.disconnect()
  }
}

/** A Sync message (type 0) of `name` whose update (sub-type 2) is not a Yjs update. */
function malformedUpdate(name: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, name)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 2)
  encoding.writeVarUint8Array(encoder, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]))
  return encoding.toUint8Array(encoder)
}

describe('a malformed message body closes its document, not the socket', () => {
  it('the provider sees close 1000 "Reset Connection"; reconnecting the socket recovers every edit', async () => {
    const socket = new HocuspocusProviderWebsocket({
      url: started.wsUrl,
      WebSocketPolyfill: NodeWebSocket,
      delay: 50,
      minDelay: 10,
      maxDelay: 200,
    })
    sockets.push(socket)
    const closes: Array<{ name: string; code: number; reason: string }> = []
    const open = (name: string) => {
      const provider = new HocuspocusProvider({
        websocketProvider: socket,
        name,
        document: new Y.Doc(),
        token,
        onClose: ({ event }) => closes.push({ name, code: event.code, reason: event.reason }),
      })
      provider.attach()
      return provider
    }
    const [broken, other] = [open(room('acc_broken')), open(room('acc_other'))]
    await vi.waitFor(() => expect(broken.isSynced && other.isSynced).toBe(true))

    const raw = (socket as unknown as { webSocket: { send(data: Uint8Array): void } }).webSocket
    raw.send(malformedUpdate(room('acc_broken')))
    await vi.waitFor(() =>
      expect(closes).toEqual([{ name: room('acc_broken'), code: 1000, reason: 'Reset Connection' }]),
    )
    expect(broken.isSynced).toBe(false)
    expect(socket.status).toBe('connected')

    // The other document on the socket keeps working.
    other.document.getMap('probe').set('still', 'working')
    await vi.waitFor(async () => expect(await serverMap(room('acc_other'))).toEqual({ still: 'working' }))

    // An edit made while the document is closed, then the recovery: reconnect the socket.
    broken.document.getMap('probe').set('whileClosed', 1)
    socket.disconnect()
    await vi.waitFor(() => expect(socket.status).toBe('disconnected'))
    void socket.connect()
    await vi.waitFor(() => expect(broken.isSynced && other.isSynced).toBe(true), { timeout: 5000 })
    broken.document.getMap('probe').set('afterRecovery', 2)
    await vi.waitFor(async () =>
      expect(await serverMap(room('acc_broken'))).toEqual({ whileClosed: 1, afterRecovery: 2 }),
    )
    await vi.waitFor(() => expect(broken.unsyncedChanges).toBe(0))
    expect(closes.filter((c) => c.reason === 'provider_initiated')).toEqual([])
  })
})
