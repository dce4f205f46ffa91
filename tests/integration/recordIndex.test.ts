import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createAccount,
  defaultPipelines,
  docName,
  initWorkspace,
  NOTES_FIELD,
  type Pipeline,
  updateAccount,
} from '@rapport/model'
import { dropPostgresIndexSchema, type HealthReport } from '@rapport/server'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, login, seedMember, signIn } from './helpers/clients.ts'
import { openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { newDataDir, type StartedServer, startServer, startServerProcess } from './helpers/startServer.ts'

/*
 * The persisted record index behind the REST reads (issue #12): a REST write is in the next REST list, a provider edit
 * reaches the lists, and a restart answers from the index on disk, re-indexing only documents that changed.
 */

const WS = 'ws_index'
type Page = { items: Array<{ id: string; name?: string; city?: string }>; total: number }
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function started(dataDir: string) {
  const s = await startServer({ dataDir })
  cleanups.push(() => s.stop({ keep: true }))
  return s
}

async function member(s: StartedServer, email = 'sales@index.test') {
  const user = await seedMember(s.server, { workspaceId: WS, email, role: 'sales' })
  return { user, ...(await signIn(s.url, user)) }
}

const health = async (s: StartedServer) => (await api<HealthReport>(s.url, '/api/health')).body

describe('REST reads from the persisted index', () => {
  it('a REST write is in the very next REST list, search and get; a provider edit reaches them too', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const s = await started(dataDir)
    const { cookie, token } = await member(s)
    expect(existsSync(join(dataDir, 'index.sqlite'))).toBe(true)

    for (let i = 0; i < 5; i++) {
      const created = await api<{ id: string; name: string }>(s.url, '/api/accounts', {
        cookie,
        body: { name: `Readback ${i}`, city: 'Lisbon' },
      })
      expect(created.status).toBe(201)
      // No waiting: the answer came after the index committed the write.
      const list = await api<Page>(s.url, '/api/accounts?city=Lisbon&sort=name', { cookie })
      expect(list.body.items.map((a) => a.id)).toContain(created.body.id)
      // The earlier ones moved to Porto (below).
      expect(list.body.total).toBe(1)
      const patched = await api<{ city: string }>(s.url, `/api/accounts/${created.body.id}`, {
        cookie,
        method: 'PATCH',
        body: { city: 'Porto' },
      })
      expect(patched.body.city).toBe('Porto')
      const porto = await api<Page>(s.url, '/api/accounts?city=Porto', { cookie })
      expect(porto.body.items.map((a) => a.id)).toContain(created.body.id)
      expect(porto.body.total).toBe(i + 1)
      const search = await api<{ items: Array<{ id: string }> }>(s.url, `/api/search?q=Readback`, { cookie })
      expect(search.body.items.map((h) => h.id)).toContain(created.body.id)
    }

    // A provider edit: the index follows it (after the broadcast) without any REST call.
    const client = await openSyncedDoc({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: 'acc_typedlive' }),
      token,
    })
    cleanups.push(() => client.destroy())
    const typed = createAccount(client.doc, { id: 'acc_typedlive', name: 'Typed Live', city: 'Faro' }, null)
    await waitForAcked(client)
    await expect
      .poll(async () =>
        (await api<Page>(s.url, '/api/accounts?city=Faro', { cookie })).body.items.map((a) => a.id),
      )
      .toEqual([typed.id])
    const h = await health(s)
    expect(h.index).toMatchObject({ implementation: 'sqlite', failures: 0, dropped: 0 })
    expect(h.index.rows).toBeGreaterThanOrEqual(6)
  })

  it('a restart answers from the index on disk: unchanged documents are not re-indexed, edits are there', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const first = await started(dataDir)
    const { cookie, token } = await member(first)
    const acme = await api<{ id: string }>(first.url, '/api/accounts', {
      cookie,
      body: { name: 'Acme Index' },
    })
    await api(first.url, '/api/contacts', { cookie, body: { firstName: 'Ada', lastName: 'Index' } })
    // An edit through a provider, stored when the server stops.
    const client = await openSyncedDoc({
      wsUrl: first.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: acme.body.id }),
      token,
    })
    updateAccount(client.doc, acme.body.id, { name: 'Acme Renamed' }, null)
    await waitForAcked(client)
    client.destroy()
    await first.stop({ keep: true })

    const second = await started(dataDir)
    const again = await signIn(second.url, {
      email: 'sales@index.test',
      password: 'test-password-123',
      id: '',
    })
    // A clean stop leaves no update log: nothing to compare, nothing re-indexed, no record document read.
    expect(second.server.catchUp).toMatchObject({ mode: 'logged', documents: 0, reindexed: 0 })
    expect((await health(second)).index.catchUp).toMatchObject({
      state: 'done',
      mode: 'logged',
      reindexed: 0,
    })
    const accounts = await api<Page>(second.url, '/api/accounts', { cookie: again.cookie })
    expect(accounts.body.items.map((a) => a.name)).toEqual(['Acme Renamed'])
    const contacts = await api<Page>(second.url, '/api/contacts?q=Ada', { cookie: again.cookie })
    expect(contacts.body.total).toBe(1)
    await second.stop({ keep: true })

    // A lost index file is rebuilt from every document at the next start.
    await rm(join(dataDir, 'index.sqlite'), { force: true })
    await rm(join(dataDir, 'index.sqlite-wal'), { force: true })
    await rm(join(dataDir, 'index.sqlite-shm'), { force: true })
    const third = await started(dataDir)
    expect(third.server.catchUp.mode).toBe('rebuild')
    expect(third.server.catchUp.documents).toBeGreaterThanOrEqual(2)
    expect(third.server.catchUp.reindexed).toBe(third.server.catchUp.documents)
    const rebuilt = await signIn(third.url, {
      email: 'sales@index.test',
      password: 'test-password-123',
      id: '',
    })
    const search = await api<{ items: Array<{ id: string }> }>(third.url, '/api/search?q=renamed', {
      cookie: rebuilt.cookie,
    })
    expect(search.body.items.map((h) => h.id)).toEqual([acme.body.id])
  })
})

describe('the server on the PostgreSQL index (INDEX=postgres)', () => {
  it('answers lists, search, the board snapshot and tasks from its own schema, and restarts without re-indexing', async () => {
    const schema = `rapport_it_${process.pid}_${Date.now().toString(36)}`
    cleanups.push(() => dropPostgresIndexSchema(schema))
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const index = { kind: 'postgres', schema } as const
    const first = await startServer({ dataDir, index })
    cleanups.push(() => first.stop({ keep: true }))
    expect(existsSync(join(dataDir, 'index.sqlite'))).toBe(false)
    const { cookie } = await member(first)
    const post = async <T = { id: string }>(path: string, body: unknown) => {
      const res = await api<T>(first.url, path, { cookie, body })
      expect(res.status).toBe(201)
      return res.body
    }
    const acme = await post('/api/accounts', { name: 'Postgres Acme', city: 'Oslo' })
    await post('/api/accounts', { name: 'Other Co', city: 'Bergen' })
    await post('/api/contacts', { firstName: 'Pia', lastName: 'Gres', accountId: acme.id })
    let pipeline: Pipeline | undefined
    const connection = await first.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: WS, kind: 'workspace' }),
      { system: true },
    )
    await connection.transact((doc) => {
      pipeline = initWorkspace(doc, { name: 'Index', pipelines: defaultPipelines() }, 'test-setup')
        .pipelines[0]
    })
    await connection.disconnect()
    expect(pipeline).toBeDefined()
    const deal = pipeline
      ? await post('/api/deals', {
          title: 'Postgres deal',
          pipelineId: pipeline.id,
          stageId: pipeline.stages[0]?.id,
          accountId: acme.id,
        })
      : null
    await post('/api/tasks', { accountId: acme.id, title: 'Call Pia' })

    const oslo = await api<Page>(first.url, '/api/accounts?city=Oslo', { cookie })
    expect(oslo.body.items.map((a) => a.id)).toEqual([acme.id])
    const sorted = await api<Page>(first.url, '/api/accounts?sort=-name', { cookie })
    expect(sorted.body.items.map((a) => a.name)).toEqual(['Postgres Acme', 'Other Co'])
    const contacts = await api<{ items: Array<{ accountName: string | null }> }>(
      first.url,
      '/api/contacts?q=pia',
      { cookie },
    )
    expect(contacts.body.items.map((c) => c.accountName)).toEqual(['Postgres Acme'])
    const search = await api<{ items: Array<{ kind: string; id: string }> }>(
      first.url,
      '/api/search?q=postgres',
      {
        cookie,
      },
    )
    expect(search.body.items.map((h) => h.id)).toContain(acme.id)
    const tasks = await api<{ items: Array<{ title: string; accountName: string | null }> }>(
      first.url,
      `/api/tasks?accountId=${acme.id}`,
      { cookie },
    )
    expect(tasks.body.items).toMatchObject([{ title: 'Call Pia', accountName: 'Postgres Acme' }])
    if (pipeline && deal) {
      const board = await api(first.url, `/api/pipelines/${pipeline.id}/board`, { cookie })
      expect(board.status).toBe(200)
      expect(JSON.stringify(board.body)).toContain(deal.id)
    }
    expect((await health(first)).index).toMatchObject({ implementation: 'postgres', failures: 0 })
    await first.stop({ keep: true })

    const second = await startServer({ dataDir, index })
    cleanups.push(() => second.stop({ keep: true }))
    expect(second.server.catchUp.reindexed).toBe(0)
    const again = await signIn(second.url, {
      email: 'sales@index.test',
      password: 'test-password-123',
      id: '',
    })
    const all = await api<Page>(second.url, '/api/accounts?sort=name', { cookie: again.cookie })
    expect(all.body.items.map((a) => a.name)).toEqual(['Other Co', 'Postgres Acme'])
  })
})

describe('main.ts with INDEX=postgres', () => {
  it('opens the index in INDEX_PG_SCHEMA and serves the demo workspace from it', async () => {
    const schema = `rapport_main_${process.pid}_${Date.now().toString(36)}`
    cleanups.push(() => dropPostgresIndexSchema(schema))
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const proc = await startServerProcess(dataDir, {
      INDEX: 'postgres',
      INDEX_PG_SCHEMA: schema,
      SEED_DEMO: '1',
    })
    cleanups.push(() => proc.kill('SIGTERM'))
    const h = (await api<HealthReport>(proc.url, '/api/health')).body
    expect(h.index).toMatchObject({ implementation: 'postgres', failures: 0 })
    expect(h.index.rows).toBeGreaterThan(100)
    expect(existsSync(join(dataDir, 'index.sqlite'))).toBe(false)
    const cookie = await login(proc.url, 'sales@rapport.dev', 'rapport-demo')
    const accounts = await api<Page>(proc.url, '/api/accounts?limit=5&sort=name', { cookie })
    expect(accounts.status).toBe(200)
    expect(accounts.body.items).toHaveLength(5)
    const first = accounts.body.items[0]?.name as string
    const search = await api<{ items: Array<{ title: string }> }>(
      proc.url,
      `/api/search?q=${encodeURIComponent(first.split(' ')[0] as string)}&kind=accounts`,
      { cookie },
    )
    expect(search.body.items.map((hit) => hit.title)).toContain(first)
    expect(await proc.kill('SIGTERM')).toBe(0)
  })
})

describe('a deleted workspace', () => {
  it('leaves no rows in the record index', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const s = await started(dataDir)
    const admin = await seedMember(s.server, { workspaceId: WS, email: 'admin@index.test', role: 'admin' })
    const { cookie } = await signIn(s.url, admin)
    for (const name of ['Gone One', 'Gone Two'])
      expect((await api(s.url, '/api/accounts', { cookie, body: { name } })).status).toBe(201)
    // An account deleted for good before: its room keeps its notes, the index no longer their text (nor its facts).
    const kept = await api<{ id: string }>(s.url, '/api/accounts', {
      cookie,
      body: { name: 'Deleted First' },
    })
    const client = await openSyncedDoc({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId: kept.body.id }),
      token: (await signIn(s.url, admin)).token,
    })
    cleanups.push(() => client.destroy())
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('zeppelin renewal notes')])
    client.doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    await waitForAcked(client)
    client.destroy()
    expect((await api(s.url, `/api/accounts/${kept.body.id}`, { cookie, method: 'DELETE' })).status).toBe(204)
    await s.server.index.flush()
    expect(await s.server.index.index.stats(WS)).toMatchObject({ records: { accounts: 2 }, notes: 0 })
    const deleted = await api(s.url, `/api/workspaces/${WS}`, {
      cookie,
      method: 'DELETE',
      body: { confirmName: WS },
    })
    expect(deleted.status).toBeLessThan(300)
    expect((await s.server.index.index.stats(WS)).records).toMatchObject({ accounts: 0, tasks: 0 })
    expect(await s.server.index.index.search(WS, 'gone')).toEqual([])
    expect(await s.server.index.index.search(WS, 'zeppelin')).toEqual([])
    expect((await s.server.index.index.stats(WS)).notes).toBe(0)
  })
})
