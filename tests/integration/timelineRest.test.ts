import {
  type Activity,
  Activity as ActivitySchema,
  appendActivity,
  collectionMap,
  docName,
  readRecord,
  TIMELINE,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  api,
  destroyProviders,
  openProvider,
  type SeededUser,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_timeline'
type Who = 'sales' | 'sales2' | 'admin' | 'viewer'
let started: StartedServer
const users = {} as Record<Who, SeededUser & { cookie: string; token: () => Promise<string> }>
let counter = 0
const room = () => {
  counter += 1
  const accountId = `acc_tl${counter}`
  return { accountId, name: docName({ workspaceId: WS, kind: 'account', accountId }) }
}

beforeAll(async () => {
  started = await startServer()
  for (const role of ['sales', 'sales2', 'admin', 'viewer'] as const) {
    const user = await seedMember(started.server, {
      workspaceId: WS,
      email: `${role}@timeline.test`,
      role: role === 'sales2' ? 'sales' : role,
    })
    users[role] = { ...user, ...(await signIn(started.url, user)) }
  }
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

type Page = { items: Activity[]; nextBefore: string | null }
const timeline = (accountId: string, query = '', who: Who = 'sales') =>
  api<Page>(started.url, `/api/accounts/${accountId}/timeline${query}`, { cookie: users[who].cookie })
const logCall = (accountId: string, body: unknown, who: Who = 'sales') =>
  api<Activity>(started.url, `/api/accounts/${accountId}/activities`, { cookie: users[who].cookie, body })
const CALL = { type: 'call', at: Date.UTC(2026, 11, 1, 9), durationMins: 15, outcome: 'Left a voicemail' }

describe('timeline over REST', () => {
  it('pages 250 entries newest first, 100 at a time, each entry exactly once; a bad cursor is refused', async () => {
    const { accountId, name } = room()
    const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
    await connection.transact((doc) => {
      for (let i = 0; i < 250; i++)
        appendActivity(
          doc,
          {
            id: `act_${String(i).padStart(3, '0')}`,
            type: 'note',
            at: 1_700_000_000_000 + Math.floor(i / 3),
            actorId: null,
            subject: { kind: 'notes', id: accountId },
          },
          'setup',
        )
    })
    await connection.disconnect()
    const seen: string[] = []
    let query = ''
    const sizes: number[] = []
    for (;;) {
      const page = await timeline(accountId, query, 'viewer')
      expect(page.status).toBe(200)
      sizes.push(page.body.items.length)
      seen.push(...page.body.items.map((a) => a.id))
      if (!page.body.nextBefore) break
      query = `?before=${encodeURIComponent(page.body.nextBefore)}`
    }
    expect(sizes).toEqual([100, 100, 50])
    expect(new Set(seen).size).toBe(250)
    expect(seen[0]).toBe('act_249')
    expect((await timeline(accountId, '?limit=10')).body.items).toHaveLength(10)
    const bad = await timeline(accountId, '?before=yesterday')
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: { code: 'invalid_input' } })
  })

  it('logs a call authored by the caller (not by the body), seen live in the room; refuses bad input in plain words', async () => {
    const { accountId, name } = room()
    const watcher = await openProvider({ wsUrl: started.wsUrl, name, token: users.sales2.token })
    const created = await logCall(accountId, {
      ...CALL,
      contactIds: ['con_jo'],
      dealId: 'deal_big',
      actorId: users.admin.id,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      type: 'call',
      actorId: users.sales.id,
      at: CALL.at,
      text: 'Left a voicemail',
      details: { durationMins: 15, contactIds: ['con_jo'], dealId: 'deal_big' },
    })
    await vi.waitFor(() =>
      expect(readRecord(collectionMap(watcher.doc, TIMELINE), created.body.id, ActivitySchema)?.actorId).toBe(
        users.sales.id,
      ),
    )
    const bad = await logCall(accountId, { ...CALL, outcome: '', durationMins: -5 })
    expect(bad.status).toBe(400)
    const message = (bad.body as unknown as { error: { message: string } }).error.message
    expect(message).toContain('Say what happened.')
    expect(message).toContain('A duration cannot be negative.')
    expect((await logCall(accountId, CALL, 'viewer')).status).toBe(403)
    expect((await timeline(accountId)).body.items.map((a) => a.id)).toEqual([created.body.id])
  })

  it('only the author or an admin changes or removes a logged entry; removed entries leave the timeline', async () => {
    const { accountId } = room()
    const created = (await logCall(accountId, CALL)).body
    const path = `/api/accounts/${accountId}/activities/${created.id}`
    const byOther = await api(started.url, path, {
      method: 'PATCH',
      cookie: users.sales2.cookie,
      body: { outcome: 'mine now' },
    })
    expect(byOther.status).toBe(403)
    const byAuthor = await api<Activity>(started.url, path, {
      method: 'PATCH',
      cookie: users.sales.cookie,
      body: { outcome: 'Spoke to Jo', durationMins: 25 },
    })
    expect(byAuthor.status).toBe(200)
    expect(byAuthor.body).toMatchObject({ text: 'Spoke to Jo', details: { durationMins: 25 } })
    const one = await api<Activity>(started.url, path, { cookie: users.viewer.cookie })
    expect(one.body.text).toBe('Spoke to Jo')
    const removed = await api(started.url, path, { method: 'DELETE', cookie: users.admin.cookie })
    expect(removed.status).toBe(204)
    expect((await timeline(accountId)).body.items).toEqual([])
    expect(
      (
        await api(started.url, `/api/accounts/${accountId}/activities/act_none`, {
          cookie: users.sales.cookie,
        })
      ).status,
    ).toBe(404)
  })
})
