import { ACCOUNTS, Activity, collectionMap, docName, readRecords, TIMELINE } from '@rapport/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, type SeededUser, seedMember, signIn } from './helpers/clients.ts'
import { serverRead as readOnServer, type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_archive'
const OTHER = 'ws_archive_other'

let started: StartedServer
const cookies: Record<string, string> = {}
const users: Record<string, SeededUser> = {}

const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)

beforeAll(async () => {
  started = await startServer()
  for (const [key, workspaceId, role] of [
    ['admin', WS, 'admin'],
    ['sales', WS, 'sales'],
    ['support', WS, 'support'],
    ['viewer', WS, 'viewer'],
    ['outsider', OTHER, 'admin'],
  ] as const) {
    users[key] = await seedMember(started.server, {
      workspaceId,
      email: `${key}@archive.test`,
      role,
      name: key,
    })
    cookies[key] = (await signIn(started.url, users[key] as SeededUser)).cookie
  }
})
afterAll(() => started.stop())

const post = (path: string, who: string, body?: unknown) =>
  api<{ id: string; archived: boolean }>(started.url, path, { method: 'POST', cookie: cookies[who], body })

describe('archive, restore and delete for good', () => {
  it('archives and restores every kind; archived records leave lists and search unless asked for', async () => {
    const account = await post('/api/accounts', 'sales', { name: 'Zebrafish Ltd' })
    const contact = await post('/api/contacts', 'sales', { firstName: 'Ada', accountId: account.body.id })
    const ticket = await post('/api/tickets', 'support', { subject: 'Broken', accountId: account.body.id })
    const task = await post('/api/tasks', 'sales', { accountId: account.body.id, title: 'Follow up' })
    for (const [kind, id, who] of [
      ['accounts', account.body.id, 'sales'],
      ['contacts', contact.body.id, 'sales'],
      ['tickets', ticket.body.id, 'support'],
      ['tasks', task.body.id, 'sales'],
    ] as const) {
      const archived = await post(`/api/${kind}/${id}/archive`, who)
      expect(archived.status, kind).toBe(200)
      expect(archived.body.archived).toBe(true)
      const list = await api<{ items: Array<{ id: string }> }>(started.url, `/api/${kind}`, {
        cookie: cookies.sales,
      })
      expect(list.body.items.map((r) => r.id)).not.toContain(id)
      const trash = await api<{ items: Array<{ id: string }> }>(started.url, `/api/${kind}?archived=true`, {
        cookie: cookies.sales,
      })
      expect(trash.body.items.map((r) => r.id)).toContain(id)
    }
    const search = await api<{ items: unknown[] }>(started.url, '/api/search?q=Zebrafish', {
      cookie: cookies.sales,
    })
    expect(search.body.items).toEqual([])

    const restored = await post(`/api/accounts/${account.body.id}/restore`, 'sales')
    expect(restored.body.archived).toBe(false)
    const found = await api<{ items: Array<{ id: string }> }>(started.url, '/api/search?q=Zebrafish', {
      cookie: cookies.sales,
    })
    expect(found.body.items.map((r) => r.id)).toContain(account.body.id)
  })

  it('checks roles: a viewer may not archive, sales may not archive tickets, only admins delete', async () => {
    const account = await post('/api/accounts', 'sales', { name: 'Roles Inc' })
    expect((await post(`/api/accounts/${account.body.id}/archive`, 'viewer')).status).toBe(403)
    const ticket = await post('/api/tickets', 'support', { subject: 'Roles ticket' })
    expect((await post(`/api/tickets/${ticket.body.id}/archive`, 'sales')).status).toBe(403)
    const salesDelete = await api(started.url, `/api/accounts/${account.body.id}`, {
      method: 'DELETE',
      cookie: cookies.sales,
    })
    expect(salesDelete.status).toBe(403)
    expect(salesDelete.body.error.code).toBe('admin_only')
  })

  it('an admin deletes for good: gone from the document and the projection, the timeline says who did it', async () => {
    const account = await post('/api/accounts', 'sales', { name: 'Gone Gmbh' })
    const task = await post('/api/tasks', 'sales', { accountId: account.body.id, title: 'Secret plan' })
    const deleted = await api(started.url, `/api/tasks/${task.body.id}`, {
      method: 'DELETE',
      cookie: cookies.admin,
    })
    expect(deleted.status).toBe(204)
    expect((await api(started.url, `/api/tasks/${task.body.id}`, { cookie: cookies.sales })).status).toBe(404)
    const room = docName({ workspaceId: WS, kind: 'account', accountId: account.body.id })
    expect(await serverRead(room, (doc) => doc.getMap('tasks').has(task.body.id))).toBe(false)

    const kept = await post('/api/tasks', 'sales', { accountId: account.body.id, title: 'Left behind' })
    const gone = await api(started.url, `/api/accounts/${account.body.id}`, {
      method: 'DELETE',
      cookie: cookies.admin,
    })
    expect(gone.status).toBe(204)
    // Its tasks went with it.
    expect((await api(started.url, `/api/tasks/${kept.body.id}`, { cookie: cookies.sales })).status).toBe(404)
    expect(
      (await api(started.url, `/api/accounts/${account.body.id}`, { cookie: cookies.sales })).status,
    ).toBe(404)
    const accounts = docName({ workspaceId: WS, kind: 'account', accountId: account.body.id })
    expect(await serverRead(accounts, (doc) => collectionMap(doc, ACCOUNTS).has(account.body.id))).toBe(false)
    await started.server.automation.idle()
    await expect
      .poll(() =>
        serverRead(room, (doc) =>
          readRecords(collectionMap(doc, TIMELINE), Activity).records.filter((a) =>
            a.text.includes('deleted'),
          ),
        ),
      )
      .toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actorId: users.admin?.id, subject: { kind: 'task', id: task.body.id } }),
          expect.objectContaining({
            actorId: users.admin?.id,
            subject: { kind: 'account', id: account.body.id },
          }),
        ]),
      )
  })

  it('answers 404 for a record of another workspace', async () => {
    const account = await post('/api/accounts', 'sales', { name: 'Private' })
    for (const [method, path] of [
      ['POST', `/api/accounts/${account.body.id}/archive`],
      ['POST', `/api/accounts/${account.body.id}/restore`],
      ['DELETE', `/api/accounts/${account.body.id}`],
    ] as const) {
      const response = await api(started.url, path, { method, cookie: cookies.outsider })
      expect(response.status, path).toBe(404)
    }
  })
})
