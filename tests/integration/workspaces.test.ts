import { readSettings } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  collabToken,
  destroyProviders,
  expectDenied,
  openProvider,
  sessionCookie,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

interface Profile {
  user: { id: string; email: string; name: string }
  workspace: { id: string; name: string }
  role: string
  members: Array<{ userId: string; role: string }>
}
interface Workspaces {
  workspaces: Array<{ id: string; name: string; role: string }>
}
interface ErrorBody {
  error: { code: string; message: string }
}

let s: StartedServer
beforeAll(async () => {
  s = await startServer()
})
afterEach(() => destroyProviders())
afterAll(async () => {
  await s.stop()
})

const signUp = async (body: Record<string, unknown>) => {
  const response = await api<Profile>(s.url, '/api/auth/signup', { body })
  return { ...response, cookie: response.status === 201 ? sessionCookie(response.headers) : '' }
}
let counter = 0
const newTeam = (workspaceName: string) => {
  counter += 1
  return signUp({
    workspaceName,
    name: `Owner ${counter}`,
    email: `owner${counter}@t${counter}.io`,
    password: 'password-123',
  })
}

describe('sign-up', () => {
  it('creates an empty workspace with one default pipeline and the default SLA; the user is its admin, signed in', async () => {
    const created = await signUp({
      workspaceName: '  Acme Sales ',
      name: 'Ada Lovelace',
      email: 'Ada@Acme.io',
      password: 'password-123',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      user: { email: 'ada@acme.io', name: 'Ada Lovelace' },
      workspace: { name: 'Acme Sales' },
      role: 'admin',
    })
    expect(created.body.members).toHaveLength(1)
    const workspaceId = created.body.workspace.id
    expect(workspaceId).not.toBe('demo')

    const me = await api<Profile>(s.url, '/api/auth/me', { cookie: created.cookie })
    expect(me.body.workspace.id).toBe(workspaceId)
    for (const kind of ['accounts', 'contacts', 'deals', 'tickets']) {
      const list = await api<{ total: number }>(s.url, `/api/${kind}`, { cookie: created.cookie })
      expect(list.body.total, kind).toBe(0)
    }

    const token = await collabToken(s.url, created.cookie)
    const settings = await openProvider({ wsUrl: s.wsUrl, name: `${workspaceId}/workspace`, token })
    const read = readSettings(settings.doc)
    expect(read.name).toBe('Acme Sales')
    expect(read.pipelines.map((p) => p.name)).toEqual(['Sales'])
    expect(read.pipelines[0]?.stages.map((st) => st.outcome)).toContain('won')
    expect(read.sla.normal).toEqual({ firstResponseMins: 480, resolutionMins: 4320 })
    expect(read.customFields).toEqual([])
    expect(settings.provider.authorizedScope).toBe('read-write')

    const pipelineId = read.pipelines[0]?.id ?? ''
    const board = await api<{ columns: Array<{ count: number }> }>(
      s.url,
      `/api/pipelines/${pipelineId}/board`,
      {
        cookie: created.cookie,
      },
    )
    expect(board.status).toBe(200)
    expect(board.body.columns.every((c) => c.count === 0)).toBe(true)
  })

  it('refuses missing or bad fields in plain words, and a known email with a way forward', async () => {
    const bad = await api<ErrorBody>(s.url, '/api/auth/signup', {
      body: { workspaceName: ' ', name: '', email: 'not-an-email', password: 'short' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_input')
    expect(bad.body.error.message).toContain('workspaceName: Enter a name for the workspace')
    expect(bad.body.error.message).toContain('name: Enter your name')
    expect(bad.body.error.message).toContain('email: Enter an email address like name@company.com')
    expect(bad.body.error.message).toContain('password: Use at least 8 characters')

    const first = await newTeam('First')
    const again = await api<ErrorBody>(s.url, '/api/auth/signup', {
      body: {
        workspaceName: 'Other',
        name: 'X',
        email: first.body.user.email.toUpperCase(),
        password: 'password-999',
      },
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('email_taken')
    expect(again.body.error.message).toMatch(/Sign in, then create the new workspace/)
    // The existing account is untouched: its password still works.
    const login = await api(s.url, '/api/auth/login', {
      body: { email: first.body.user.email, password: 'password-123' },
    })
    expect(login.status).toBe(200)
  })

  it('limits sign-up attempts per client address (429 after 10 in 10 minutes)', async () => {
    const own = await startServer()
    try {
      const statuses: number[] = []
      for (let i = 0; i < 11; i++) {
        const r = await api(own.url, '/api/auth/signup', {
          body: { workspaceName: '', name: '', email: 'x', password: '' },
        })
        statuses.push(r.status)
      }
      expect(statuses.slice(0, 10).every((st) => st === 400)).toBe(true)
      const last = await api<ErrorBody>(own.url, '/api/auth/signup', {
        body: { workspaceName: 'W', name: 'N', email: 'ok@ok.io', password: 'password-123' },
      })
      expect(last.status).toBe(429)
      expect(last.body.error.code).toBe('too_many_attempts')
    } finally {
      await own.stop()
    }
  })
})

describe('several workspaces per user', () => {
  it('creates another workspace, lists both, and switching moves the session (old cookie and sockets end)', async () => {
    const owner = await newTeam('Alpha')
    const alphaId = owner.body.workspace.id
    const created = await api<{ workspace: { id: string; name: string }; role: string }>(
      s.url,
      '/api/workspaces',
      {
        cookie: owner.cookie,
        body: { name: 'Beta' },
      },
    )
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ workspace: { name: 'Beta' }, role: 'admin' })
    const betaId = created.body.workspace.id
    const list = await api<Workspaces>(s.url, '/api/workspaces', { cookie: owner.cookie })
    expect(list.body.workspaces.map((w) => [w.name, w.role])).toEqual([
      ['Alpha', 'admin'],
      ['Beta', 'admin'],
    ])

    const alphaToken = await collabToken(s.url, owner.cookie)
    const alphaDoc = await openProvider({ wsUrl: s.wsUrl, name: `${alphaId}/workspace`, token: alphaToken })
    const switched = await api<Profile>(s.url, '/api/auth/switch-workspace', {
      cookie: owner.cookie,
      body: { workspaceId: betaId },
    })
    expect(switched.status).toBe(200)
    expect(switched.body.workspace).toEqual({ id: betaId, name: 'Beta' })
    const betaCookie = sessionCookie(switched.headers)
    expect(betaCookie).not.toBe(owner.cookie)
    expect((await api(s.url, '/api/auth/me', { cookie: owner.cookie })).status).toBe(401)
    // The old session's socket is closed and its token no longer authenticates.
    await expect.poll(() => alphaDoc.closes()).toBeGreaterThan(0)
    expect(await expectDenied({ wsUrl: s.wsUrl, name: `${alphaId}/workspace`, token: alphaToken })).toBe(
      'Unauthorized',
    )
    // A token of the new session opens Beta's documents, not Alpha's.
    const betaToken = await collabToken(s.url, betaCookie)
    await openProvider({ wsUrl: s.wsUrl, name: `${betaId}/workspace`, token: betaToken })
    expect(await expectDenied({ wsUrl: s.wsUrl, name: `${alphaId}/workspace`, token: betaToken })).toBe(
      'Forbidden',
    )
    // REST follows the session: an account created now lands in Beta only.
    const acc = await api<{ id: string }>(s.url, '/api/accounts', {
      cookie: betaCookie,
      body: { name: 'Beta Corp' },
    })
    expect(acc.status).toBe(201)
    const back = await api<Profile>(s.url, '/api/auth/switch-workspace', {
      cookie: betaCookie,
      body: { workspaceId: alphaId },
    })
    const alphaCookie = sessionCookie(back.headers)
    expect((await api(s.url, `/api/accounts/${acc.body.id}`, { cookie: alphaCookie })).status).toBe(404)
    expect((await api<{ total: number }>(s.url, '/api/accounts', { cookie: alphaCookie })).body.total).toBe(0)
  })

  it('never lets a user reach a workspace they are not a member of', async () => {
    const a = await newTeam('Isolated A')
    const b = await newTeam('Isolated B')
    const aId = a.body.workspace.id
    const account = await api<{ id: string }>(s.url, '/api/accounts', {
      cookie: a.cookie,
      body: { name: 'Secret' },
    })
    expect(account.status).toBe(201)

    const denied = await api<ErrorBody>(s.url, '/api/auth/switch-workspace', {
      cookie: b.cookie,
      body: { workspaceId: aId },
    })
    expect(denied.status).toBe(403)
    expect(denied.body.error.code).toBe('not_a_member')
    expect(
      (
        await api(s.url, '/api/auth/login', {
          body: { email: b.body.user.email, password: 'password-123', workspaceId: aId },
        })
      ).status,
    ).toBe(403)
    expect((await api(s.url, `/api/accounts/${account.body.id}`, { cookie: b.cookie })).status).toBe(404)
    expect((await api<{ total: number }>(s.url, '/api/accounts', { cookie: b.cookie })).body.total).toBe(0)
    const patch = await api<ErrorBody>(s.url, `/api/members/${a.body.user.id}`, {
      method: 'PATCH',
      cookie: b.cookie,
      body: { role: 'viewer' },
    })
    expect(patch.body.error.code).toBe('member_not_found')
    const members = await api<{ members: Array<{ userId: string }> }>(s.url, '/api/members', {
      cookie: b.cookie,
    })
    expect(members.body.members.map((m) => m.userId)).toEqual([b.body.user.id])
    const bToken = await collabToken(s.url, b.cookie)
    expect(await expectDenied({ wsUrl: s.wsUrl, name: `${aId}/accounts`, token: bToken })).toBe('Forbidden')
    expect(await expectDenied({ wsUrl: s.wsUrl, name: `${aId}/workspace`, token: bToken })).toBe('Forbidden')
    const created = await api<{ token: string }>(s.url, '/api/api-tokens', {
      cookie: b.cookie,
      body: { name: 'script' },
    })
    expect(
      (await api(s.url, `/api/accounts/${account.body.id}`, { bearer: created.body.token })).status,
    ).toBe(404)
    const switchByToken = await api<ErrorBody>(s.url, '/api/auth/switch-workspace', {
      bearer: created.body.token,
      body: { workspaceId: b.body.workspace.id },
    })
    expect(switchByToken.body.error.code).toBe('session_only')
  })
})
