import { ACCOUNTS, createAccount, docName, initWorkspace } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * `GET /api/accounts/{accountId}/room-state` (docs/schema.md): an account room's state as one Yjs update, asked for by
 * index.html on a first visit so that the notes mount before the socket syncs. A member gets the room of the
 * session's own workspace, never another workspace's, whatever the id.
 */
const WS = 'ws_roomstate'
const OTHER = 'ws_roomstate_other'
const room = (workspaceId: string, accountId: string) => docName({ workspaceId, kind: 'account', accountId })

let started: StartedServer
let admin = { cookie: '', token: async () => '' }
let viewer = { cookie: '', token: async () => '' }
let outsider = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

beforeAll(async () => {
  started = await startServer()
  admin = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: WS, email: 'admin@roomstate.test', role: 'admin' }),
  )
  viewer = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: WS, email: 'viewer@roomstate.test', role: 'viewer' }),
  )
  outsider = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: OTHER, email: 'admin@other.test', role: 'admin' }),
  )
  for (const workspaceId of [WS, OTHER]) {
    const connection = await started.server.hocuspocus.openDirectConnection(
      docName({ workspaceId, kind: 'workspace' }),
      {
        system: true,
      },
    )
    await connection.transact((doc) => initWorkspace(doc, { name: workspaceId, pipelines: [] }, 'setup'))
    await connection.disconnect()
  }
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

const roomState = (accountId: string, cookie?: string) =>
  fetch(`${started.url}/api/accounts/${accountId}/room-state`, { headers: cookie ? { cookie } : {} })

/** The account entry of a room state. */
const accountIn = async (response: Response, accountId: string) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, new Uint8Array(await response.arrayBuffer()))
  return (doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown> | undefined)?.get('name')
}

describe('GET /api/accounts/{accountId}/room-state', () => {
  it("answers the room's live state as a Yjs update, not cached, named by a header; for a reader too", async () => {
    const client = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: room(WS, 'acc_state1'),
      token: admin.token,
    })
    clients.push(client)
    createAccount(client.doc, { id: 'acc_state1', name: 'Stateful Ltd' }, 'browser')

    await expect
      .poll(async () => accountIn(await roomState('acc_state1', admin.cookie), 'acc_state1'))
      .toBe('Stateful Ltd')
    const response = await roomState('acc_state1', viewer.cookie)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('x-document-name')).toBe(room(WS, 'acc_state1'))
    expect(await accountIn(response, 'acc_state1')).toBe('Stateful Ltd')
    // The state applies on top of the client's copy without anything new: the same document.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(client.doc))
    const before = Y.encodeStateVector(copy)
    Y.applyUpdate(copy, new Uint8Array(await (await roomState('acc_state1', admin.cookie)).arrayBuffer()))
    expect(Y.encodeStateVector(copy)).toEqual(before)
  })

  it("never gives a room of another workspace: the same id names the caller's own workspace's room", async () => {
    const client = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: room(WS, 'acc_state2'),
      token: admin.token,
    })
    clients.push(client)
    createAccount(client.doc, { id: 'acc_state2', name: 'Secret Holdings' }, 'browser')
    await expect
      .poll(async () => accountIn(await roomState('acc_state2', admin.cookie), 'acc_state2'))
      .toBe('Secret Holdings')

    const response = await roomState('acc_state2', outsider.cookie)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-document-name')).toBe(room(OTHER, 'acc_state2'))
    const body = Buffer.from(await response.arrayBuffer())
    expect(body.includes(Buffer.from('Secret Holdings'))).toBe(false)
    expect(await accountIn(new Response(body), 'acc_state2')).toBeUndefined()
  })

  it('asks for a session and a well-formed id', async () => {
    expect((await roomState('acc_state1')).status).toBe(401)
    expect((await roomState('bad%20id', admin.cookie)).status).toBe(400)
  })
})
