import { createAccount, updateAccount } from '@rapport/model'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openSyncedDoc } from './helpers/collabClient.ts'
import { startServer } from './helpers/startServer.ts'
import { roomName, testAdmin } from './helpers/testWorkspace.ts'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** varUint at `pos` of a lib0 message: [value, next position]. */
const varUint = (bytes: Uint8Array, pos: number): [number, number] => {
  let value = 0
  let shift = 0
  for (;;) {
    const byte = bytes[pos++] ?? 0
    value += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return [value, pos]
    shift += 7
  }
}

/** A Hocuspocus message carrying a Yjs update: document name, then Sync (0), then Update (2). */
const isUpdateMessage = (bytes: Uint8Array): boolean => {
  const [nameLength, afterLength] = varUint(bytes, 0)
  const [type, afterType] = varUint(bytes, afterLength + nameLength)
  return type === 0 && varUint(bytes, afterType)[0] === 2
}

/**
 * Edit-to-remote latency (issue #12): Rapport's work on an edit — the projection's parse, and through its events the
 * audit, validation and the IndexWorker — must come AFTER the edit was written to the other clients' sockets, never
 * between its arrival and the broadcast. Checked by the order of the server's own calls, not by timing.
 */
describe('an edit is broadcast before the projection works on it', () => {
  it('the other connection was sent the update when the projection emits its record event', async () => {
    const started = await startServer()
    cleanups.push(() => started.stop())
    const admin = await testAdmin(started.server, started.url)
    const accountId = 'acc_broadcast_first'
    const name = roomName(accountId)
    const writer = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    const reader = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    cleanups.push(
      () => writer.destroy(),
      () => reader.destroy(),
    )
    createAccount(writer.doc, { id: accountId, name: 'Broadcast First', city: 'Lyon' }, null)
    await vi.waitFor(() => expect(reader.doc.getMap('accounts').has(accountId)).toBe(true))

    const document = started.server.hocuspocus.documents.get(name)
    if (!document) throw new Error('the room is not loaded')
    expect(document.getConnections()).toHaveLength(2)
    // Every update message carrying the edit below that the server writes to a connection of the room, in order, with
    // the projection's event of it.
    const order: string[] = []
    for (const connection of document.getConnections()) {
      const send = connection.send.bind(connection)
      connection.send = (message: Uint8Array) => {
        if (isUpdateMessage(message) && Buffer.from(message).includes('Porto'))
          order.push(`sent to ${connection.socketId}`)
        send(message)
      }
    }
    const stop = started.server.projection.on((event) => {
      if (event.type === 'record' && event.id === accountId && event.after?.city === 'Porto')
        order.push('projected')
    })
    cleanups.push(stop)

    updateAccount(writer.doc, accountId, { city: 'Porto' }, null)
    await vi.waitFor(() => {
      expect(reader.doc.getMap('accounts').toJSON()[accountId]?.city).toBe('Porto')
      expect(order).toContain('projected')
    })
    // Both connections (Hocuspocus also echoes to the sender) were written to before the projection ran.
    const projectedAt = order.indexOf('projected')
    expect(order.slice(0, projectedAt)).toHaveLength(2)
    expect(new Set(order.slice(0, projectedAt)).size).toBe(2)
  })
})
