import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  collabToken,
  destroyProviders,
  expectDenied,
  login,
  openProvider,
  type SeededUser,
  seedMember,
  sessionCookie,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

interface ProfileBody {
  user: { id: string; email: string; name: string }
  workspace: { id: string }
  role: string
  members: Array<{ userId: string; role: string; email: string }>
}

let s: StartedServer
let clock = Date.now()
let admin: SeededUser
let sales: SeededUser

beforeAll(async () => {
  s = await startServer({ now: () => clock })
  admin = await seedMember(s.server, { workspaceId: 'ws_a', email: 'admin@a.io', role: 'admin', name: 'Ada' })
  sales = await seedMember(s.server, { workspaceId: 'ws_a', email: 'sales@a.io', role: 'sales', name: 'Sam' })
})
afterEach(() => destroyProviders())
afterAll(async () => {
  await s.stop()
})

describe('login, me, logout', () => {
  it('logs in, sets an HttpOnly SameSite=Lax cookie, returns the profile, and logout revokes it', async () => {
    const response = await api<ProfileBody>(s.url, '/api/auth/login', {
      body: { email: 'ADMIN@a.io', password: admin.password },
    })
    expect(response.status).toBe(200)
    const setCookie = response.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/rapport_session=/)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    expect(response.body).toMatchObject({
      user: { id: admin.id, name: 'Ada' },
      workspace: { id: 'ws_a' },
      role: 'admin',
    })
    expect(response.body.members.map((m) => m.email).sort()).toEqual(['admin@a.io', 'sales@a.io'])

    const cookie = sessionCookie(response.headers)
    const me = await api<ProfileBody>(s.url, '/api/auth/me', { cookie })
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe(admin.id)

    expect((await api(s.url, '/api/auth/logout', { method: 'POST', cookie })).status).toBe(204)
    const after = await api(s.url, '/api/auth/me', { cookie })
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('unauthorized')
  })

  it('rejects wrong passwords, missing sessions and bad input with typed errors', async () => {
    const wrong = await api(s.url, '/api/auth/login', {
      body: { email: 'sales@a.io', password: 'not-the-password' },
    })
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('invalid_credentials')
    expect((await api(s.url, '/api/auth/me')).status).toBe(401)
    expect((await api(s.url, '/api/auth/me', { cookie: 'rapport_session=forged' })).status).toBe(401)

    const missing = await api(s.url, '/api/auth/login', { body: { email: 'sales@a.io' } })
    expect(missing.status).toBe(400)
    expect(missing.body.error.code).toBe('invalid_input')
    const junk = await api(s.url, '/api/auth/login', { rawBody: '{not json' })
    expect(junk.status).toBe(400)
    expect(junk.body.error.code).toBe('invalid_json')
  })

  it('limits repeated failed logins per email', async () => {
    const victim = await seedMember(s.server, { workspaceId: 'ws_a', email: 'victim@a.io', role: 'viewer' })
    for (let i = 0; i < 5; i++) {
      expect(
        (await api(s.url, '/api/auth/login', { body: { email: victim.email, password: `guess-${i}-x` } }))
          .status,
      ).toBe(401)
    }
    const blocked = await api(s.url, '/api/auth/login', {
      body: { email: victim.email, password: victim.password },
    })
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('too_many_attempts')
  })
})

describe('collab tokens', () => {
  it('a valid token syncs; forged, expired and logged-out tokens are refused', async () => {
    const cookie = await login(s.url, sales.email, sales.password)
    const token = await collabToken(s.url, cookie)
    const name = 'ws_a/account/acc_1'
    await openProvider({ wsUrl: s.wsUrl, name, token })

    const [body, signature] = token.split('.')
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()), uid: admin.id }),
    ).toString('base64url')
    await expectDenied({ wsUrl: s.wsUrl, name, token: `${forgedBody}.${signature}` })
    await expectDenied({ wsUrl: s.wsUrl, name, token: 'not-a-token' })
    await expectDenied({ wsUrl: s.wsUrl, name, token: '' })

    const expiring = await collabToken(s.url, cookie)
    clock += 11 * 60 * 1000
    try {
      await expectDenied({ wsUrl: s.wsUrl, name, token: expiring })
    } finally {
      clock -= 11 * 60 * 1000
    }

    const revoked = await collabToken(s.url, cookie)
    const live = await openProvider({ wsUrl: s.wsUrl, name, token: revoked })
    expect((await api(s.url, '/api/auth/logout', { method: 'POST', cookie })).status).toBe(204)
    // logout closes the session's open connections; reconnecting with the same token is refused
    await expect.poll(() => live.closes()).toBeGreaterThan(0)
    await expect.poll(() => live.denials.length).toBeGreaterThan(0)
    await expectDenied({ wsUrl: s.wsUrl, name, token: revoked })
    expect((await api(s.url, '/api/auth/collab-token', { method: 'POST', cookie })).status).toBe(401)
  })
})

describe('invitations', () => {
  it('admin invites, the invitee signs up with the token, is logged in, and the token is single-use', async () => {
    const adminCookie = await login(s.url, admin.email, admin.password)
    const salesCookie = await login(s.url, sales.email, sales.password)
    const notAdmin = await api(s.url, '/api/invitations', {
      cookie: salesCookie,
      body: { email: 'x@a.io', role: 'viewer' },
    })
    expect(notAdmin.status).toBe(403)
    const badRole = await api(s.url, '/api/invitations', {
      cookie: adminCookie,
      body: { email: 'x@a.io', role: 'owner' },
    })
    expect(badRole.status).toBe(400)

    const invite = await api<{ token: string; link: string; invitation: { email: string; role: string } }>(
      s.url,
      '/api/invitations',
      { cookie: adminCookie, body: { email: 'Newbie@A.io', role: 'support', team: 'support' } },
    )
    expect(invite.status).toBe(201)
    expect(invite.body.invitation).toMatchObject({ email: 'newbie@a.io', role: 'support' })
    expect(invite.body.link).toContain(encodeURIComponent(invite.body.token))

    const short = await api(s.url, '/api/auth/signup-invite', {
      body: { token: invite.body.token, name: 'Nia', password: 'short' },
    })
    expect(short.status).toBe(400)
    const signup = await api<ProfileBody>(s.url, '/api/auth/signup-invite', {
      body: { token: invite.body.token, name: 'Nia', password: 'nia-password-1' },
    })
    expect(signup.status).toBe(200)
    expect(signup.body).toMatchObject({ user: { email: 'newbie@a.io', name: 'Nia' }, role: 'support' })
    const me = await api<ProfileBody>(s.url, '/api/auth/me', { cookie: sessionCookie(signup.headers) })
    expect(me.body.role).toBe('support')
    const again = await api(s.url, '/api/auth/signup-invite', {
      body: { token: invite.body.token, name: 'Nia', password: 'nia-password-1' },
    })
    expect(again.status).toBe(409)
    expect((await login(s.url, 'newbie@a.io', 'nia-password-1')).length).toBeGreaterThan(0)
  })
})

describe('members and API tokens', () => {
  it('authenticates REST calls with a bearer API token until it is revoked', async () => {
    const cookie = await login(s.url, admin.email, admin.password)
    const created = await api<{ token: string; apiToken: { id: string } }>(s.url, '/api/api-tokens', {
      cookie,
      body: { name: 'ci' },
    })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^rpt_/)
    const bearer = created.body.token
    const members = await api<{ members: Array<{ userId: string }> }>(s.url, '/api/members', { bearer })
    expect(members.status).toBe(200)
    expect(members.body.members.map((m) => m.userId)).toContain(admin.id)
    expect((await api(s.url, '/api/members', { bearer: 'rpt_forged' })).status).toBe(401)

    expect(
      (await api(s.url, `/api/api-tokens/${created.body.apiToken.id}`, { method: 'DELETE', cookie })).status,
    ).toBe(204)
    expect((await api(s.url, '/api/members', { bearer })).status).toBe(401)
  })

  it('only admins change members, and the last admin cannot be removed or demoted', async () => {
    const adminCookie = await login(s.url, admin.email, admin.password)
    const salesCookie = await login(s.url, sales.email, sales.password)
    const byNonAdmin = await api(s.url, `/api/members/${admin.id}`, {
      method: 'PATCH',
      cookie: salesCookie,
      body: { role: 'viewer' },
    })
    expect(byNonAdmin.status).toBe(403)
    const lastAdmin = await api(s.url, `/api/members/${admin.id}`, { method: 'DELETE', cookie: adminCookie })
    expect(lastAdmin.status).toBe(409)
    expect(lastAdmin.body.error.code).toBe('last_admin')
    const demote = await api(s.url, `/api/members/${admin.id}`, {
      method: 'PATCH',
      cookie: adminCookie,
      body: { role: 'sales' },
    })
    expect(demote.status).toBe(409)
    const empty = await api(s.url, `/api/members/${sales.id}`, {
      method: 'PATCH',
      cookie: adminCookie,
      body: {},
    })
    expect(empty.status).toBe(400)
    const team = await api<{ member: { team: string } }>(s.url, `/api/members/${sales.id}`, {
      method: 'PATCH',
      cookie: adminCookie,
      body: { team: 'success' },
    })
    expect(team.status).toBe(200)
    expect(team.body.member.team).toBe('success')
    expect(
      (await api(s.url, '/api/members/usr_nobody', { method: 'DELETE', cookie: adminCookie })).status,
    ).toBe(404)
  })
})
