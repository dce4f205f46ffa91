import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, type ErrorBody, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/** Issue #13 item 6: dashboard layouts per user with a workspace default (docs/schema.md §5.5). */
const WS = 'ws_dash'
const OTHER = 'ws_dash_other'
type Layout = { widgets: Array<{ reportId: string; size: 'small' | 'wide' }>; source: string }

let started: StartedServer
let admin = ''
let sales = ''
let viewer = ''
let stranger = ''

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  const member = async (workspaceId: string, email: string, role: 'admin' | 'sales' | 'viewer') =>
    (await signIn(started.url, await seedMember(started.server, { workspaceId, email, role }))).cookie
  admin = await member(WS, 'admin@dash.test', 'admin')
  sales = await member(WS, 'sales@dash.test', 'sales')
  viewer = await member(WS, 'viewer@dash.test', 'viewer')
  stranger = await member(OTHER, 'admin@other.test', 'admin')
})
afterAll(async () => {
  await started?.stop()
})

const get = (cookie: string, path = '/api/dashboard') => api<Layout>(started.url, path, { cookie })
const put = (cookie: string, body: unknown, path = '/api/dashboard') =>
  api<Layout & ErrorBody>(started.url, path, { cookie, method: 'PUT', body })

describe('/api/dashboard', () => {
  it('falls back from the own layout to the workspace default to none, per workspace', async () => {
    expect((await get(sales)).body).toEqual({ widgets: [], source: 'none' })

    const byAdmin = [
      { reportId: 'sales.pipeline', size: 'wide' },
      { reportId: 'service.backlog', size: 'small' },
    ]
    expect((await put(admin, { widgets: byAdmin }, '/api/dashboard/default')).status).toBe(200)
    expect((await get(sales)).body).toEqual({ widgets: byAdmin, source: 'default' })
    expect((await get(viewer, '/api/dashboard/default')).body).toEqual({
      widgets: byAdmin,
      source: 'default',
    })

    const own = [{ reportId: 'leads.bySource', size: 'small' }]
    expect((await put(sales, { widgets: own })).body).toEqual({ widgets: own, source: 'user' })
    expect((await get(sales)).body).toEqual({ widgets: own, source: 'user' })
    // Another member still sees the default; another workspace sees nothing of this one.
    expect((await get(viewer)).body).toEqual({ widgets: byAdmin, source: 'default' })
    expect((await get(stranger)).body).toEqual({ widgets: [], source: 'none' })

    const reset = await api<Layout>(started.url, '/api/dashboard', { cookie: sales, method: 'DELETE' })
    expect(reset.body).toEqual({ widgets: byAdmin, source: 'default' })
    expect((await get(sales)).body.source).toBe('default')
  })

  it('lets only admins set the default', async () => {
    const refused = await put(sales, { widgets: [] }, '/api/dashboard/default')
    expect(refused.status).toBe(403)
    expect(refused.body.error.message).toBe('Only an admin can set the workspace dashboard.')
    // A viewer may keep a layout of their own.
    expect((await put(viewer, { widgets: [{ reportId: 'sales.winRate', size: 'small' }] })).status).toBe(200)
  })

  it('refuses bad layouts in plain words', async () => {
    const tooMany = Array.from({ length: 31 }, (_, i) => ({ reportId: `r${i}`, size: 'small' }))
    const cases: Array<[unknown, RegExp]> = [
      [{ widgets: tooMany }, /at most 30 widgets/],
      [
        {
          widgets: [
            { reportId: 'a', size: 'small' },
            { reportId: 'a', size: 'wide' },
          ],
        },
        /only once/,
      ],
      [{ widgets: [{ reportId: 'a', size: 'huge' }] }, /size/],
      [{ widgets: [{ reportId: '../x', size: 'small' }] }, /report id/],
      [{}, /widgets/],
    ]
    for (const [body, message] of cases) {
      const answer = await put(admin, body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.error.code).toBe('invalid_input')
      expect(answer.body.error.message).toMatch(message)
    }
    const notJson = await api<ErrorBody>(started.url, '/api/dashboard', {
      cookie: admin,
      method: 'PUT',
      rawBody: '{',
    })
    expect(notJson.body.error.code).toBe('invalid_json')
    expect((await api(started.url, '/api/dashboard')).status).toBe(401)
  })
})
