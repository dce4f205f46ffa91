import { accessFor, DOC_KINDS, type DocRef, docName } from '@rapport/model'
import { RETIRED_KINDS } from '@rapport/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  collabToken,
  connectProvider,
  destroyProviders,
  expectDenied,
  expectRefused,
  login,
  openProvider,
  type SeededUser,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const refFor = (workspaceId: string, kind: (typeof DOC_KINDS)[number], userId: string): DocRef => {
  switch (kind) {
    case 'pipeline':
    case 'board':
      return { workspaceId, kind, pipelineId: 'pl_sales' }
    case 'account':
      return { workspaceId, kind, accountId: 'acc_1' }
    case 'contact':
      return { workspaceId, kind, contactId: 'con_1' }
    case 'deal':
      return { workspaceId, kind, dealId: 'deal_1' }
    case 'ticket':
      return { workspaceId, kind, ticketId: 'tkt_1' }
    case 'inbox':
      return { workspaceId, kind, userId }
    default:
      return { workspaceId, kind }
  }
}

let s: StartedServer
let adminA: SeededUser
let salesA: SeededUser
let adminB: SeededUser

const userCount = (userId: string): number => {
  let count = 0
  for (const document of s.server.hocuspocus.documents.values()) {
    for (const connection of document.getConnections()) if (connection.context?.userId === userId) count += 1
  }
  return count
}

beforeAll(async () => {
  s = await startServer()
  adminA = await seedMember(s.server, { workspaceId: 'ws_a', email: 'admin@a.io', role: 'admin' })
  salesA = await seedMember(s.server, { workspaceId: 'ws_a', email: 'sales@a.io', role: 'sales' })
  adminB = await seedMember(s.server, { workspaceId: 'ws_b', email: 'admin@b.io', role: 'admin' })
})
afterEach(() => destroyProviders())
afterAll(async () => {
  await s.stop()
})

describe('workspace isolation', () => {
  it('a member of workspace A can open no document of any kind in workspace B, and B gets no data from A', async () => {
    const a = await signIn(s.url, adminA)
    const b = await signIn(s.url, adminB)
    // Put data into every document of B first, so "cannot read" is meaningful. Kinds that are read-only even for
    // an admin (the derived board, queue and feed: the server alone writes them) and retired kinds (no longer
    // served) are seeded through the server.
    for (const kind of DOC_KINDS) {
      const name = docName(refFor('ws_b', kind, adminB.id))
      if (accessFor('admin', kind) === 'write' && !RETIRED_KINDS.has(kind)) {
        const owner = await openProvider({ wsUrl: s.wsUrl, name, token: await b.token() })
        owner.doc.getMap('probe').set('secret', kind)
      } else {
        const connection = await s.server.hocuspocus.openDirectConnection(name, { system: true })
        await connection.transact((doc) => doc.getMap('probe').set('secret', kind))
        await connection.disconnect()
      }
      await expect
        .poll(() => s.server.hocuspocus.documents.get(name)?.getMap('probe').get('secret'))
        .toBe(kind)
    }
    for (const kind of DOC_KINDS) {
      for (const ref of [refFor('ws_b', kind, adminB.id), refFor('ws_b', kind, adminA.id)]) {
        const name = docName(ref)
        const attempt = connectProvider({ wsUrl: s.wsUrl, name, token: await a.token() })
        attempt.doc.getMap('probe').set('secret', 'overwritten-by-A')
        const result = await attempt.outcome
        attempt.destroy()
        expect(result.kind, `${name} must be refused`).toBe('denied')
        expect(attempt.doc.getMap('probe').get('secret')).toBe('overwritten-by-A')
        const serverDoc = s.server.hocuspocus.documents.get(name)
        if (serverDoc) expect(serverDoc.getMap('probe').get('secret')).not.toBe('overwritten-by-A')
      }
    }
    // Own workspace works with the same kind of token.
    await openProvider({ wsUrl: s.wsUrl, name: 'ws_a/account/acc_1', token: await a.token() })
  })

  it("another user's inbox is refused, even to an admin; one's own inbox opens", async () => {
    const a = await signIn(s.url, adminA)
    const sales = await signIn(s.url, salesA)
    await expectDenied({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: 'ws_a', kind: 'inbox', userId: salesA.id }),
      token: await a.token(),
    })
    await expectDenied({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: 'ws_a', kind: 'inbox', userId: adminA.id }),
      token: await sales.token(),
    })
    await openProvider({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: 'ws_a', kind: 'inbox', userId: salesA.id }),
      token: await sales.token(),
    })
  })

  it.each([
    'ws_a',
    'ws_a/',
    'ws_a/unknown',
    'ws_a/pipeline',
    'ws_a/account/acc_1/extra',
    '../ws_a/accounts',
    'ws_a/accounts/',
    'ws a/accounts',
    '',
  ])('unknown document name %j is refused', async (name) => {
    const a = await signIn(s.url, adminA)
    // The limits guard closes sockets that address non-Rapport names before auth; either refusal is fine.
    await expectRefused({ wsUrl: s.wsUrl, name, token: await a.token() })
    expect(s.server.hocuspocus.documents.has(name)).toBe(false)
  })
})

describe('read-only connections', () => {
  const serverOnly = ['board', 'queue', 'feed'] as const

  it('the server-written kinds are the only ones read-only even for an admin', () => {
    expect(DOC_KINDS.filter((kind) => accessFor('admin', kind) !== 'write')).toEqual([...serverOnly])
  })

  it.each(serverOnly)("an admin's client write to %s never reaches the server", async (kind) => {
    const name = docName(refFor('ws_a', kind, adminA.id))
    const connection = await s.server.hocuspocus.openDirectConnection(name, { system: true })
    await connection.transact((doc) => doc.getMap('probe').set('fromServer', kind))
    await connection.disconnect()
    const a = await signIn(s.url, adminA)
    const client = await openProvider({ wsUrl: s.wsUrl, name, token: await a.token() })
    expect(client.provider.authorizedScope).toBe('readonly')
    await expect.poll(() => client.doc.getMap('probe').get('fromServer')).toBe(kind)
    const watcher = await openProvider({ wsUrl: s.wsUrl, name, token: await a.token() })

    client.doc.getMap('probe').set('fromClient', 'edit')
    client.doc.getMap('probe').delete('fromServer')
    // Barrier: an awareness update sent after the edit on the same socket (see the viewer test below).
    client.provider.setAwarenessField('marker', `after-${kind}`)
    await expect
      .poll(() =>
        [...(watcher.provider.awareness?.getStates().values() ?? [])].some(
          (st) => st.marker === `after-${kind}`,
        ),
      )
      .toBe(true)
    const serverDoc = s.server.hocuspocus.documents.get(name)
    expect(serverDoc?.getMap('probe').get('fromClient')).toBeUndefined()
    expect(serverDoc?.getMap('probe').get('fromServer')).toBe(kind)
    expect(watcher.doc.getMap('probe').get('fromClient')).toBeUndefined()
    expect(watcher.doc.getMap('probe').get('fromServer')).toBe(kind)
  })

  it("a viewer's edits are neither stored nor broadcast, and are gone after a restart", async () => {
    const viewer = await seedMember(s.server, { workspaceId: 'ws_a', email: 'viewer@a.io', role: 'viewer' })
    const name = 'ws_a/contact/con_viewer_probe'
    const writer = await openProvider({
      wsUrl: s.wsUrl,
      name,
      token: await (await signIn(s.url, salesA)).token(),
    })
    writer.doc.getMap('probe').set('fromSales', 1)

    const v = await signIn(s.url, viewer)
    const reader = await openProvider({ wsUrl: s.wsUrl, name, token: await v.token() })
    expect(reader.provider.authorizedScope).toBe('readonly')
    await expect.poll(() => reader.doc.getMap('probe').get('fromSales')).toBe(1)

    reader.doc.getMap('probe').set('fromViewer', 'edit')
    reader.doc.getText('notes').insert(0, 'viewer text')
    // Barrier: an awareness update sent after the edit on the same socket; once the writer sees it, the edit
    // would have been broadcast before it if the server had accepted it.
    reader.provider.setAwarenessField('marker', 'after-edit')
    await expect
      .poll(() =>
        [...(writer.provider.awareness?.getStates().values() ?? [])].some((st) => st.marker === 'after-edit'),
      )
      .toBe(true)
    expect(writer.doc.getMap('probe').get('fromViewer')).toBeUndefined()
    expect(writer.doc.getText('notes').toString()).toBe('')
    const serverDoc = s.server.hocuspocus.documents.get(name)
    expect(serverDoc?.getMap('probe').get('fromViewer')).toBeUndefined()
    expect(serverDoc?.getMap('probe').get('fromSales')).toBe(1)

    // The viewer still receives others' edits.
    writer.doc.getMap('probe').set('later', 2)
    await expect.poll(() => reader.doc.getMap('probe').get('later')).toBe(2)

    // Restart on the same data dir: the viewer's edit was never stored.
    reader.destroy()
    writer.destroy()
    await s.stop({ keep: true })
    const again = await startServer({ dataDir: s.dataDir })
    try {
      const cookie = await login(again.url, salesA.email, salesA.password)
      const fresh = await openProvider({
        wsUrl: again.wsUrl,
        name,
        token: await collabToken(again.url, cookie),
      })
      expect(fresh.doc.getMap('probe').get('fromSales')).toBe(1)
      expect(fresh.doc.getMap('probe').get('later')).toBe(2)
      expect(fresh.doc.getMap('probe').get('fromViewer')).toBeUndefined()
      expect(fresh.doc.getText('notes').toString()).toBe('')
      fresh.destroy()
    } finally {
      await again.stop({ keep: true })
      s = await startServer({ dataDir: s.dataDir })
    }
  })
})

describe('permission changes', () => {
  it("a removed member's open connections are closed and cannot reconnect", async () => {
    const gone = await seedMember(s.server, { workspaceId: 'ws_a', email: 'gone@a.io', role: 'sales' })
    const g = await signIn(s.url, gone)
    const heldToken = await g.token()
    const open = await openProvider({ wsUrl: s.wsUrl, name: 'ws_a/account/acc_1', token: g.token })
    const second = await openProvider({ wsUrl: s.wsUrl, name: 'ws_a/ticket/tkt_gone', token: g.token })
    expect(userCount(gone.id)).toBe(2)

    const adminCookie = await login(s.url, adminA.email, adminA.password)
    expect(
      (await api(s.url, `/api/members/${gone.id}`, { method: 'DELETE', cookie: adminCookie })).status,
    ).toBe(204)

    await expect.poll(() => open.closes() > 0 && second.closes() > 0).toBe(true)
    await expect.poll(() => open.denials.length > 0).toBe(true)
    expect(userCount(gone.id)).toBe(0)
    open.doc.getMap('probe').set('fromRemoved', 1)
    await expectDenied({ wsUrl: s.wsUrl, name: 'ws_a/account/acc_1', token: heldToken })
    expect(
      s.server.hocuspocus.documents.get('ws_a/account/acc_1')?.getMap('probe').get('fromRemoved'),
    ).toBeUndefined()
    // The removed member's page is told why (and so drops its offline copies of the workspace), not just "expired".
    const why = await api(s.url, '/api/auth/me', { cookie: g.cookie })
    expect(why.status).toBe(401)
    expect(why.body.error.code).toBe('membership_removed')
    expect(why.body.error.message).toMatch(/^An admin removed you from the workspace ".+"\. Sign in to go on/)
  })

  it('a role change viewer → sales reconnects the open connection with write access', async () => {
    const promoted = await seedMember(s.server, {
      workspaceId: 'ws_a',
      email: 'promoted@a.io',
      role: 'viewer',
    })
    const p = await signIn(s.url, promoted)
    const conn = await openProvider({ wsUrl: s.wsUrl, name: 'ws_a/account/acc_1', token: p.token })
    expect(conn.provider.authorizedScope).toBe('readonly')
    const watcher = await openProvider({
      wsUrl: s.wsUrl,
      name: 'ws_a/account/acc_1',
      token: await (await signIn(s.url, adminA)).token(),
    })

    const adminCookie = await login(s.url, adminA.email, adminA.password)
    const patched = await api(s.url, `/api/members/${promoted.id}`, {
      method: 'PATCH',
      cookie: adminCookie,
      body: { role: 'sales' },
    })
    expect(patched.status).toBe(200)

    await expect.poll(() => conn.closes()).toBeGreaterThan(0)
    await expect.poll(() => conn.provider.isAuthenticated && conn.provider.authorizedScope).toBe('read-write')
    conn.doc.getMap('probe').set('promotedEdit', 'yes')
    await expect.poll(() => watcher.doc.getMap('probe').get('promotedEdit')).toBe('yes')
  })
})
