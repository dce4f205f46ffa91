import { beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.ts'
import { createMemoryMetaStore } from '../meta/metaStore.ts'
import { type AccessChange, type AuthServices, createAuthServices } from './authServices.ts'

const logger = createLogger({ level: 'silent', format: 'json' })
let t = 1_000_000
let auth: AuthServices
let changes: AccessChange[]

beforeEach(async () => {
  t = 1_000_000
  auth = createAuthServices({ meta: createMemoryMetaStore(), secret: 'unit-secret', now: () => t, logger })
  changes = []
  auth.onAccessChange((c) => changes.push(c))
  await auth.createWorkspace({ id: 'ws_a', name: 'A' })
  await auth.createWorkspace({ id: 'ws_b', name: 'B' })
  await auth.createUser({
    id: 'usr_admin',
    email: 'Admin@A.io',
    name: 'Ada',
    password: 'password-1',
    workspaceId: 'ws_a',
    role: 'admin',
  })
  await auth.createUser({
    id: 'usr_view',
    email: 'view@a.io',
    name: 'Vic',
    password: 'password-2',
    workspaceId: 'ws_a',
    role: 'viewer',
  })
})

describe('login and sessions', () => {
  it('logs in case-insensitively and resolves the cookie session', async () => {
    const result = await auth.login('ADMIN@a.io', 'password-1')
    expect(result.session).toMatchObject({
      userId: 'usr_admin',
      workspaceId: 'ws_a',
      role: 'admin',
      name: 'Ada',
    })
    expect(auth.sessionFromCookie(result.sessionId)?.userId).toBe('usr_admin')
    // only the hash is stored
    expect(JSON.stringify(auth.meta.data.sessions)).not.toContain(result.sessionId)
  })

  it('rejects a wrong password and an unknown email with the same error', async () => {
    await expect(auth.login('admin@a.io', 'wrong-pass')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    })
    await expect(auth.login('nobody@a.io', 'password-1')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    })
  })

  it('limits repeated failures per email', async () => {
    for (let i = 0; i < 5; i++)
      await expect(auth.login('admin@a.io', 'nope-nope')).rejects.toMatchObject({ status: 401 })
    await expect(auth.login('admin@a.io', 'password-1')).rejects.toMatchObject({ status: 429 })
    t += 16 * 60 * 1000
    await expect(auth.login('admin@a.io', 'password-1')).resolves.toBeDefined()
  })

  it('expires sessions after 14 days', async () => {
    const { sessionId } = await auth.login('admin@a.io', 'password-1')
    t += 14 * 24 * 60 * 60 * 1000
    expect(auth.sessionFromCookie(sessionId)).toBeUndefined()
  })
})

describe('collab tokens', () => {
  it('authenticates with the current role, rejects after logout, expiry, removal', async () => {
    const admin = await auth.login('admin@a.io', 'password-1')
    const viewer = await auth.login('view@a.io', 'password-2')
    const token = auth.issueCollabToken(viewer.session).token
    expect(auth.authenticateCollab(token)).toMatchObject({
      userId: 'usr_view',
      role: 'viewer',
      workspaceId: 'ws_a',
    })

    await auth.updateMember(admin.session, 'usr_view', { role: 'sales' })
    expect(auth.authenticateCollab(token)?.role).toBe('sales')
    expect(changes).toContainEqual({ type: 'member', workspaceId: 'ws_a', userId: 'usr_view' })

    t += 10 * 60 * 1000
    expect(auth.authenticateCollab(token)).toBeNull()

    const fresh = auth.issueCollabToken(viewer.session).token
    await auth.removeMember(admin.session, 'usr_view')
    expect(auth.authenticateCollab(fresh)).toBeNull()
    expect(auth.sessionFromCookie(viewer.sessionId)).toBeUndefined()

    const adminToken = auth.issueCollabToken(admin.session).token
    expect(auth.authenticateCollab(adminToken)).not.toBeNull()
    await auth.logout(admin.session)
    expect(auth.authenticateCollab(adminToken)).toBeNull()
    expect(changes).toContainEqual({ type: 'session', sid: admin.session.sid })
  })

  it('rejects a forged token', () => {
    expect(auth.authenticateCollab('eyJ1aWQiOiJ1c3JfYWRtaW4ifQ.forged')).toBeNull()
  })
})

describe('members, invitations and API tokens', () => {
  it('only admins manage members; the last admin stays', async () => {
    const admin = await auth.login('admin@a.io', 'password-1')
    const viewer = await auth.login('view@a.io', 'password-2')
    await expect(auth.updateMember(viewer.session, 'usr_admin', { role: 'viewer' })).rejects.toMatchObject({
      status: 403,
    })
    await expect(auth.invite(viewer.session, { email: 'x@a.io', role: 'admin' })).rejects.toMatchObject({
      status: 403,
    })
    await expect(auth.updateMember(admin.session, 'usr_admin', { role: 'sales' })).rejects.toMatchObject({
      code: 'last_admin',
    })
    await expect(auth.removeMember(admin.session, 'usr_admin')).rejects.toMatchObject({ code: 'last_admin' })
    expect(auth.listMembers(admin.session).map((m) => m.userId)).toEqual(['usr_admin', 'usr_view'])
  })

  it('accepts an invitation once, creating the user and the membership', async () => {
    const admin = await auth.login('admin@a.io', 'password-1')
    const { token, invitation } = await auth.invite(admin.session, {
      email: 'New@A.io',
      role: 'support',
      team: 'support',
    })
    expect(invitation.email).toBe('new@a.io')
    const joined = await auth.acceptInvitation({ token, name: 'Nia', password: 'password-3' })
    expect(joined.session).toMatchObject({ workspaceId: 'ws_a', role: 'support', name: 'Nia' })
    await expect(auth.acceptInvitation({ token, name: 'Nia', password: 'password-3' })).rejects.toMatchObject(
      { status: 409 },
    )
    await expect(auth.login('new@a.io', 'password-3')).resolves.toBeDefined()
  })

  it('an existing user joining another workspace must give their password', async () => {
    const bAdmin = await auth.createUser({
      email: 'boss@b.io',
      name: 'Bo',
      password: 'password-b',
      workspaceId: 'ws_b',
      role: 'admin',
    })
    const b = await auth.login('boss@b.io', 'password-b')
    expect(bAdmin.id).toBe(b.session.userId)
    const { token } = await auth.invite(b.session, { email: 'view@a.io', role: 'sales' })
    await expect(auth.acceptInvitation({ token, name: 'x', password: 'guess-guess' })).rejects.toMatchObject({
      status: 403,
    })
    const joined = await auth.acceptInvitation({ token, name: 'x', password: 'password-2' })
    expect(joined.session).toMatchObject({
      userId: 'usr_view',
      workspaceId: 'ws_b',
      role: 'sales',
      name: 'Vic',
    })
  })

  it('expired invitations are refused', async () => {
    const admin = await auth.login('admin@a.io', 'password-1')
    const { token } = await auth.invite(admin.session, { email: 'late@a.io', role: 'viewer' })
    t += 8 * 24 * 60 * 60 * 1000
    await expect(auth.acceptInvitation({ token, name: 'L', password: 'password-9' })).rejects.toMatchObject({
      status: 404,
    })
  })

  it('API tokens authenticate until revoked, and are stored hashed', async () => {
    const admin = await auth.login('admin@a.io', 'password-1')
    const { token, apiToken } = await auth.createApiToken(admin.session, { name: 'ci', scope: 'read-write' })
    expect(token).toMatch(/^rpt_/)
    expect(JSON.stringify(auth.meta.data.apiTokens)).not.toContain(token)
    expect(auth.sessionFromApiToken(token)).toMatchObject({ userId: 'usr_admin', via: 'apiToken' })
    const collab = auth.issueCollabToken(auth.sessionFromApiToken(token) ?? admin.session).token
    expect(auth.authenticateCollab(collab)).not.toBeNull()
    await auth.revokeApiToken(admin.session, apiToken.id)
    expect(auth.sessionFromApiToken(token)).toBeUndefined()
    expect(auth.authenticateCollab(collab)).toBeNull()
  })
})
