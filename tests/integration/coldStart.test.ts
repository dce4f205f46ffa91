import { rm } from 'node:fs/promises'
import { collectionMap, createTask, docName, NOTIFICATIONS, Notification, readRecords } from '@rapport/model'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '@rapport/server'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import {
  newDataDir,
  type ServerProcess,
  type StartedServer,
  startServer,
  startServerProcess,
} from './helpers/startServer.ts'

/*
 * Cold start without decoding record documents (issue #12, docs/ARCHITECTURE.md "Catch-up on restart"): a restart of
 * an untouched data directory reads no record document — lists, search, tasks, reminders and account names come from
 * the persisted index — and an acknowledged edit whose index commit was lost (only in the update log) is in the lists
 * after the restart.
 */

const WS = 'ws_cold'
const SECRET = 'cold-start-session-secret-0123456789-abcdefghij'
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type Page = {
  items: Array<{ id: string; name?: string; title?: string; accountName?: string | null }>
  total: number
}

const started = async (dataDir: string): Promise<StartedServer> => {
  const s = await startServer({ dataDir, secrets: { session: SECRET } })
  cleanups.push(() => s.stop({ keep: true }))
  return s
}

const reminders = async (
  url: string,
  wsUrl: string,
  user: { email: string; password: string; id: string },
) => {
  const { token } = await signIn(url, user)
  const inbox = await openSyncedDoc({
    wsUrl,
    name: docName({ workspaceId: WS, kind: 'inbox', userId: user.id }),
    token,
  })
  try {
    return readRecords(collectionMap(inbox.doc, NOTIFICATIONS), Notification).records.filter(
      (n) => n.type === 'reminder',
    )
  } finally {
    inbox.destroy()
  }
}

describe('cold start without decoding record documents', () => {
  it('a restart of an untouched data dir reads no record document and serves lists, search, tasks and reminders', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const first = await started(dataDir)
    const sales = await seedMember(first.server, { workspaceId: WS, email: 'sales@cold.test', role: 'sales' })
    const other = await seedMember(first.server, { workspaceId: WS, email: 'other@cold.test', role: 'sales' })
    const { cookie } = await signIn(first.url, sales)
    const post = async (path: string, body: unknown) => {
      const res = await api<{ id: string }>(first.url, path, { cookie, body })
      expect(res.status).toBe(201)
      return res.body
    }
    const acme = await post('/api/accounts', { name: 'Coldstart Acme', city: 'Tromsø' })
    await post('/api/accounts', { name: 'Other Cold' })
    await post('/api/contacts', { firstName: 'Frida', lastName: 'Frost', accountId: acme.id })
    const due = Date.now() + 1_500
    const task = await post('/api/tasks', {
      accountId: acme.id,
      title: 'Thaw the pipes',
      dueAt: due,
      assigneeId: other.id,
    })
    expect(first.server.catchUp.mode).toBe('rebuild')
    await first.stop({ keep: true })
    cleanups.pop()
    // The due time passes while the server is stopped: the next start reminds it once.
    await expect.poll(() => Date.now() > due, { timeout: 5_000 }).toBe(true)

    const second = await started(dataDir)
    expect(second.server.catchUp).toMatchObject({ mode: 'logged', documents: 0, reindexed: 0 })
    expect(second.server.projection.stats().recordDocsRead).toBe(0)
    const again = await signIn(second.url, sales)
    const get = async (path: string) => {
      const res = await api<Page>(second.url, path, { cookie: again.cookie })
      expect(res.status).toBe(200)
      return res.body
    }
    expect((await get('/api/accounts?sort=name')).items.map((a) => a.name)).toEqual([
      'Coldstart Acme',
      'Other Cold',
    ])
    expect((await get('/api/contacts?q=frida')).items).toMatchObject([{ accountName: 'Coldstart Acme' }])
    expect((await get('/api/search?q=coldstart')).items.map((h) => h.id)).toContain(acme.id)
    expect((await get(`/api/tasks?accountId=${acme.id}`)).items).toMatchObject([
      { id: task.id, title: 'Thaw the pipes', accountName: 'Coldstart Acme' },
    ])
    // The reminder of the task (found through the index), with the account's name (from the index).
    await expect
      .poll(async () => (await reminders(second.url, second.wsUrl, other)).map((n) => n.text), {
        timeout: 10_000,
      })
      .toEqual(['Task due: “Thaw the pipes” on Coldstart Acme'])
    // Nothing above loaded a record document.
    expect(second.server.projection.stats().recordDocsRead).toBe(0)
    expect(
      (await api<{ index: { catchUp: unknown } }>(second.url, '/api/health')).body.index.catchUp,
    ).toMatchObject({
      state: 'done',
      mode: 'logged',
      documents: 0,
    })
  })

  it('an update only in the log (the index never saw it) is caught up at start from the log', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const first = await started(dataDir)
    const sales = await seedMember(first.server, { workspaceId: WS, email: 'sales@cold.test', role: 'sales' })
    const { cookie } = await signIn(first.url, sales)
    const acme = await api<{ id: string }>(first.url, '/api/accounts', {
      cookie,
      body: { name: 'Logged Co' },
    })
    await first.stop({ keep: true })
    cleanups.pop()

    // An acknowledged update the server died on before its index commit: in the room's update log only.
    const room = docName({ workspaceId: WS, kind: 'account', accountId: acme.body.id })
    const store = sqliteStore({ file: `${dataDir}/${SQLITE_DOCUMENTS_FILE}` })
    const doc = new Y.Doc()
    Y.applyUpdate(doc, (await store.load(room)) ?? Y.encodeStateAsUpdate(new Y.Doc()))
    const before = Y.encodeStateVector(doc)
    createTask(doc, { id: 'tsk_logged', title: 'Only in the log' }, 'x')
    await store.appendUpdate(room, Y.encodeStateAsUpdate(doc, before))
    await store.close()

    const second = await started(dataDir)
    expect(second.server.catchUp).toMatchObject({ mode: 'logged', documents: 1, reindexed: 1 })
    expect(second.server.catchUp.upserts).toBeGreaterThanOrEqual(1)
    const again = await signIn(second.url, sales)
    const tasks = await api<Page>(second.url, `/api/tasks?accountId=${acme.body.id}`, {
      cookie: again.cookie,
    })
    expect(tasks.body.items.map((t) => t.title)).toEqual(['Only in the log'])
    expect(second.server.projection.stats().recordDocsRead).toBe(0)
  })

  it('edits acknowledged right before a SIGKILL are in the lists after the restart', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
    const sales = await seedMember(seeder.server, {
      workspaceId: WS,
      email: 'sales@cold.test',
      role: 'sales',
    })
    const seeded = await signIn(seeder.url, sales)
    const acme = await api<{ id: string }>(seeder.url, '/api/accounts', {
      cookie: seeded.cookie,
      body: { name: 'Killed Co' },
    })
    await seeder.stop({ keep: true })

    const env = { SESSION_SECRET: SECRET, LOG_LEVEL: 'info', SEED_DEMO: '0' }
    let proc: ServerProcess = await startServerProcess(dataDir, env)
    cleanups.push(() => proc.kill('SIGKILL'))
    const { token } = await signIn(proc.url, sales)
    const client = await openSyncedDoc({
      wsUrl: proc.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: acme.body.id }),
      token,
    })
    const titles = Array.from({ length: 20 }, (_, i) => `Killed task ${String(i).padStart(2, '0')}`)
    for (const title of titles) createTask(client.doc, { title }, null)
    await waitForAcked(client)
    expect(await proc.kill('SIGKILL')).toBeNull()
    client.destroy()

    proc = await startServerProcess(dataDir, env)
    const again = await signIn(proc.url, sales)
    const tasks = await api<Page>(proc.url, `/api/tasks?accountId=${acme.body.id}`, { cookie: again.cookie })
    expect(tasks.body.items.map((t) => t.title).sort()).toEqual(titles)
    const health = await api<{ index: { catchUp: { mode: string; documents: number } } }>(
      proc.url,
      '/api/health',
    )
    // The room had an update log (the edits were acknowledged, never stored): it was compared at start.
    expect(health.body.index.catchUp).toMatchObject({ mode: 'logged' })
    expect(health.body.index.catchUp.documents).toBeGreaterThanOrEqual(1)
  })
})
