import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from './helpers/clients.ts'
import { openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'
import { roomName, testAdmin } from './helpers/testWorkspace.ts'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * An import gives way while others edit live (ImportJobsDeps `liveEdits`): what counts as editing live is a client's
 * change over its WebSocket — not a REST write, not a client that only syncs.
 */
describe('live edits (what an import gives way to)', () => {
  it('a client’s change counts; a REST write and a first sync without a change do not', async () => {
    const started: StartedServer = await startServer()
    cleanups.push(() => started.stop())
    const admin = await testAdmin(started.server, started.url)
    const live = started.server.liveEdits
    expect(live.msSinceLast()).toBe(Number.POSITIVE_INFINITY)

    const created = await api<{ id: string }>(started.url, '/api/accounts', {
      method: 'POST',
      cookie: admin.cookie,
      body: { name: 'Live Edits Ltd' },
    })
    expect(created.status).toBe(201)
    const client = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: roomName(created.body.id),
      token: admin.token,
    })
    cleanups.push(() => client.destroy())
    // The REST write went through the server's own connection; the client only synced.
    expect(live.msSinceLast()).toBe(Number.POSITIVE_INFINITY)

    client.doc.getText('scratch').insert(0, 'typed live')
    await vi.waitFor(() => expect(live.msSinceLast()).toBeLessThan(Number.POSITIVE_INFINITY))
  })
})
