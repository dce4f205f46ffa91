import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  collabToken,
  destroyProviders,
  login,
  openProvider,
  type SeededUser,
  seedMember,
  sessionCookie,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

interface ErrorBody {
  error: { code: string; message: string }
}
interface Member {
  userId: string
  role: string
  team: string | null
  email: string
  name: string
}
interface TokenView {
  id: string
  name: string
  scope: string
  createdAt: number
  lastUsedAt: number | null
  revokedAt: number | null
}

let s: StartedServer
let admin: SeededUser
let sales: SeededUser
let outsider: SeededUser
beforeAll(async () => {
  s = await startServer()
  admin = await seedMember(s.server, { workspaceId: 'ws_m', email: 'admin@m.io', role: 'admin', name: 'Ada' })
  sales = await seedMember(s.server, { workspaceId: 'ws_m', email: 'sales@m.io', role: 'sales', name: 'Sam' })
  outsider = await seedMember(s.server, {
    workspaceId: 'ws_o',
    email: 'out@o.io',
    role: 'admin',
    name: 'Olga',
  })
})
afterEach(() => destroyProviders())
afterAll(async () => {
  await s.stop()
})

const invite = async (cookie: string, email: string, role = 'support') =>
  api<{ token: string; link: string }>(s.url, '/api/invitations', {
    cookie,
    body: { email, role, team: 'support' },
  })

describe('invitations', () => {
  it('links to the accept page, which shows the workspace and inviter; a new user joins with name and password', async () => {
    const adminCookie = await login(s.url, admin.email, admin.password)
    const invited = await invite(adminCookie, 'New.Person@m.io')
    expect(invited.status).toBe(201)
    expect(invited.body.link).toBe(`${s.url}/#/invite/${invited.body.token}`)

    const preview = await api(s.url, '/api/invitations/preview', { body: { token: invited.body.token } })
    expect(preview.status).toBe(200)
    expect(preview.body).toMatchObject({
      workspace: { id: 'ws_m', name: 'ws_m' },
      invitedBy: { name: 'Ada' },
      email: 'new.person@m.io',
      role: 'support',
      team: 'support',
      existingUser: false,
    })
    const nameless = await api<ErrorBody>(s.url, '/api/auth/signup-invite', {
      body: { token: invited.body.token, password: 'password-new1' },
    })
    expect([nameless.status, nameless.body.error.message]).toEqual([400, 'name: Enter your name'])
    const joined = await api<{ workspace: { id: string }; role: string }>(s.url, '/api/auth/signup-invite', {
      body: { token: invited.body.token, name: 'Nia New', password: 'password-new1' },
    })
    expect(joined.status).toBe(200)
    expect(joined.body).toMatchObject({ workspace: { id: 'ws_m' }, role: 'support' })
    const members = await api<{ members: Member[] }>(s.url, '/api/members', { cookie: adminCookie })
    expect(members.body.members.find((m) => m.email === 'new.person@m.io')).toMatchObject({
      name: 'Nia New',
      role: 'support',
      team: 'support',
    })
    const used = await api<ErrorBody>(s.url, '/api/invitations/preview', {
      body: { token: invited.body.token },
    })
    expect([used.status, used.body.error.code]).toEqual([409, 'invitation_used'])
    const unknown = await api<ErrorBody>(s.url, '/api/invitations/preview', {
      body: { token: 'x'.repeat(43) },
    })
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'invalid_invitation'])
  })

  it('an existing user signs in with their own password to join, and then has both workspaces', async () => {
    const adminCookie = await login(s.url, admin.email, admin.password)
    const invited = await invite(adminCookie, outsider.email, 'viewer')
    const preview = await api<{ existingUser: boolean }>(s.url, '/api/invitations/preview', {
      body: { token: invited.body.token },
    })
    expect(preview.body.existingUser).toBe(true)
    const wrong = await api<ErrorBody>(s.url, '/api/auth/signup-invite', {
      body: { token: invited.body.token, name: 'ignored', password: 'not-her-password' },
    })
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'wrong_password'])
    const joined = await api<{ workspace: { id: string }; role: string }>(s.url, '/api/auth/signup-invite', {
      body: { token: invited.body.token, name: 'ignored', password: outsider.password },
    })
    expect(joined.body).toMatchObject({ workspace: { id: 'ws_m' }, role: 'viewer' })
    const list = await api<{ workspaces: Array<{ id: string; role: string }> }>(s.url, '/api/workspaces', {
      cookie: sessionCookie(joined.headers),
    })
    expect(list.body.workspaces.map((w) => [w.id, w.role])).toEqual([
      ['ws_m', 'viewer'],
      ['ws_o', 'admin'],
    ])
  })

  it('admins list the invitations not used yet and cancel one: its link stops working', async () => {
    const adminCookie = await login(s.url, admin.email, admin.password)
    const invited = await invite(adminCookie, 'pending@m.io')
    const listed = await api<{ invitations: Array<{ id: string; email: string; role: string }> }>(
      s.url,
      '/api/invitations',
      { cookie: adminCookie },
    )
    const pending = listed.body.invitations.find((i) => i.email === 'pending@m.io')
    expect(pending).toMatchObject({ role: 'support' })
    expect(listed.body.invitations.map((i) => i.email)).not.toContain('new.person@m.io') // used
    expect(JSON.stringify(listed.body)).not.toContain(invited.body.token)
    const salesCookie = await login(s.url, sales.email, sales.password)
    const notAdmin = await api<ErrorBody>(s.url, '/api/invitations', { cookie: salesCookie })
    expect(notAdmin.body.error.code).toBe('admin_only')
    const otherAdmin = await login(s.url, outsider.email, outsider.password)
    const elsewhere = await api<ErrorBody>(s.url, `/api/invitations/${pending?.id}`, {
      method: 'DELETE',
      cookie: otherAdmin,
    })
    // An admin of another workspace (her session is in ws_o) cannot reach ws_m's invitation.
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, 'invitation_not_found'])
    expect(
      (await api(s.url, `/api/invitations/${pending?.id}`, { method: 'DELETE', cookie: adminCookie })).status,
    ).toBe(204)
    const gone = await api<ErrorBody>(s.url, '/api/invitations/preview', {
      body: { token: invited.body.token },
    })
    expect([gone.status, gone.body.error.code]).toEqual([404, 'invalid_invitation'])
  })

  it('only admins invite', async () => {
    const salesCookie = await login(s.url, sales.email, sales.password)
    const refused = await api<ErrorBody>(s.url, '/api/invitations', {
      cookie: salesCookie,
      body: { email: 'x@m.io', role: 'sales' },
    })
    expect([refused.status, refused.body.error.code]).toEqual([403, 'admin_only'])
  })
})

describe('members', () => {
  it('admins change roles and teams and remove members, never the last admin; others only read', async () => {
    const w = await seedMember(s.server, {
      workspaceId: 'ws_team',
      email: 'boss@t.io',
      role: 'admin',
      name: 'Boss',
    })
    const m = await seedMember(s.server, {
      workspaceId: 'ws_team',
      email: 'mem@t.io',
      role: 'sales',
      name: 'Mem',
    })
    const boss = await login(s.url, w.email, w.password)
    const mem = await login(s.url, m.email, m.password)
    expect(
      (await api<{ members: Member[] }>(s.url, '/api/members', { cookie: mem })).body.members,
    ).toHaveLength(2)
    const notAdmin = await api<ErrorBody>(s.url, `/api/members/${w.id}`, {
      method: 'PATCH',
      cookie: mem,
      body: { role: 'viewer' },
    })
    expect(notAdmin.body.error.code).toBe('admin_only')
    const demote = await api<ErrorBody>(s.url, `/api/members/${w.id}`, {
      method: 'PATCH',
      cookie: boss,
      body: { role: 'sales' },
    })
    expect([demote.status, demote.body.error.code]).toEqual([409, 'last_admin'])
    const removeSelf = await api<ErrorBody>(s.url, `/api/members/${w.id}`, { method: 'DELETE', cookie: boss })
    expect([removeSelf.status, removeSelf.body.error.code]).toEqual([409, 'last_admin'])
    const changed = await api<{ member: Member }>(s.url, `/api/members/${m.id}`, {
      method: 'PATCH',
      cookie: boss,
      body: { role: 'support', team: 'success' },
    })
    expect(changed.body.member).toMatchObject({ role: 'support', team: 'success' })
    expect((await api(s.url, `/api/members/${m.id}`, { method: 'DELETE', cookie: boss })).status).toBe(204)
    expect((await api(s.url, '/api/auth/me', { cookie: mem })).status).toBe(401)
  })
})

describe('password', () => {
  it('checks the current password, then signs out the other sessions and keeps this one', async () => {
    const u = await seedMember(s.server, {
      workspaceId: 'ws_pw',
      email: 'pw@p.io',
      role: 'sales',
      name: 'Pat',
    })
    const here = await login(s.url, u.email, u.password)
    const elsewhere = await login(s.url, u.email, u.password)
    const elsewhereToken = await collabToken(s.url, elsewhere)
    const open = await openProvider({ wsUrl: s.wsUrl, name: 'ws_pw/workspace', token: elsewhereToken })
    const wrong = await api<ErrorBody>(s.url, '/api/auth/password', {
      cookie: here,
      body: { currentPassword: 'nope-nope', newPassword: 'brand-new-pass' },
    })
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'wrong_password'])
    const short = await api<ErrorBody>(s.url, '/api/auth/password', {
      cookie: here,
      body: { currentPassword: u.password, newPassword: 'short' },
    })
    expect(short.body.error.message).toBe('newPassword: Use at least 8 characters')
    const changed = await api(s.url, '/api/auth/password', {
      cookie: here,
      body: { currentPassword: u.password, newPassword: 'brand-new-pass' },
    })
    expect(changed.status).toBe(204)
    expect((await api(s.url, '/api/auth/me', { cookie: here })).status).toBe(200)
    expect((await api(s.url, '/api/auth/me', { cookie: elsewhere })).status).toBe(401)
    await expect.poll(() => open.closes()).toBeGreaterThan(0)
    expect(
      (await api(s.url, '/api/auth/login', { body: { email: u.email, password: u.password } })).status,
    ).toBe(401)
    expect(
      (await api(s.url, '/api/auth/login', { body: { email: u.email, password: 'brand-new-pass' } })).status,
    ).toBe(200)
  })
})

describe('API tokens', () => {
  it('are created with a scope, shown once, listed with last use, and revoked', async () => {
    const cookie = await login(s.url, sales.email, sales.password)
    const read = await api<{ token: string; apiToken: TokenView }>(s.url, '/api/api-tokens', {
      cookie,
      body: { name: 'Reporting', scope: 'read' },
    })
    expect(read.status).toBe(201)
    expect(read.body.token).toMatch(/^rpt_/)
    expect(read.body.apiToken).toMatchObject({
      name: 'Reporting',
      scope: 'read',
      lastUsedAt: null,
      revokedAt: null,
    })
    const write = await api<{ token: string; apiToken: TokenView }>(s.url, '/api/api-tokens', {
      cookie,
      body: { name: 'Import script' },
    })
    expect(write.body.apiToken.scope).toBe('read-write')

    expect((await api(s.url, '/api/accounts', { bearer: read.body.token })).status).toBe(200)
    const refused = await api<ErrorBody>(s.url, '/api/accounts', {
      bearer: read.body.token,
      body: { name: 'No' },
    })
    expect([refused.status, refused.body.error.code]).toEqual([403, 'read_only_token'])
    expect(
      (await api(s.url, '/api/accounts', { bearer: write.body.token, body: { name: 'Yes' } })).status,
    ).toBe(201)
    // A read token's documents open read-only although the role may write.
    const collab = await api<{ token: string }>(s.url, '/api/auth/collab-token', {
      method: 'POST',
      bearer: read.body.token,
    })
    const doc = await openProvider({ wsUrl: s.wsUrl, name: 'ws_m/workspace', token: collab.body.token })
    expect(doc.provider.authorizedScope).toBe('readonly')

    const listed = await api<{ apiTokens: TokenView[] }>(s.url, '/api/api-tokens', { cookie })
    expect(listed.body.apiTokens.map((t) => [t.name, t.scope])).toEqual(
      expect.arrayContaining([
        ['Reporting', 'read'],
        ['Import script', 'read-write'],
      ]),
    )
    expect(JSON.stringify(listed.body)).not.toContain(read.body.token)
    await expect
      .poll(
        async () =>
          (await api<{ apiTokens: TokenView[] }>(s.url, '/api/api-tokens', { cookie })).body.apiTokens.find(
            (t) => t.id === read.body.apiToken.id,
          )?.lastUsedAt,
      )
      .toBeTypeOf('number')
    // Someone else's tokens are not listed, and they cannot revoke them.
    const adminCookie = await login(s.url, outsider.email, outsider.password)
    const theirs = await api<{ apiTokens: TokenView[] }>(s.url, '/api/api-tokens', { cookie: adminCookie })
    expect(theirs.body.apiTokens).toEqual([])
    const notTheirs = await api<ErrorBody>(s.url, `/api/api-tokens/${read.body.apiToken.id}`, {
      method: 'DELETE',
      cookie: adminCookie,
    })
    expect(notTheirs.body.error.code).toBe('api_token_not_found')

    expect(
      (await api(s.url, `/api/api-tokens/${read.body.apiToken.id}`, { method: 'DELETE', cookie })).status,
    ).toBe(204)
    const revoked = await api<ErrorBody>(s.url, '/api/accounts', { bearer: read.body.token })
    expect([revoked.status, revoked.body.error.code]).toEqual([401, 'invalid_token'])
    const after = await api<{ apiTokens: TokenView[] }>(s.url, '/api/api-tokens', { cookie })
    expect(after.body.apiTokens.find((t) => t.id === read.body.apiToken.id)?.revokedAt).toBeTypeOf('number')
  })
})
