import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { readSettings } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  collabToken,
  destroyProviders,
  type ErrorBody,
  expectDenied,
  login,
  openProvider,
  sessionCookie,
} from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

interface Profile {
  user: { id: string; email: string; name: string }
  workspace: { id: string; name: string }
  role: string
}
interface Landing {
  session: Profile | null
}
interface Workspaces {
  workspaces: Array<{ id: string; name: string; role: string }>
}

const PASSWORD = 'password-123'

let s: StartedServer
/** Sign-ups are limited per address (10 in 10 min): each team moves the server's clock on by 2 minutes. */
let clockOffset = 0
beforeAll(async () => {
  s = await startServer({ now: () => Date.now() + clockOffset })
})
afterEach(() => destroyProviders())
afterAll(async () => {
  await s.stop()
})

let counter = 0
/** A new workspace with its admin (signed in) and a sales member (signed in). */
const newTeam = async (workspaceName: string) => {
  counter += 1
  clockOffset += 2 * 60_000
  const email = `admin${counter}@life${counter}.io`
  const created = await api<Profile>(s.url, '/api/auth/signup', {
    body: { workspaceName, name: `Admin ${counter}`, email, password: PASSWORD },
  })
  expect(created.status).toBe(201)
  const workspaceId = created.body.workspace.id
  const memberEmail = `member${counter}@life${counter}.io`
  await s.server.auth.createUser({
    email: memberEmail,
    name: `Member ${counter}`,
    password: PASSWORD,
    workspaceId,
    role: 'sales',
  })
  return {
    workspaceId,
    admin: { email, cookie: sessionCookie(created.headers) },
    member: { email: memberEmail, cookie: await login(s.url, memberEmail, PASSWORD) },
  }
}

const historyDirs = async (workspaceId: string): Promise<string[]> =>
  (await readdir(join(s.dataDir, 'history')).catch(() => [] as string[])).filter((d) =>
    d.startsWith(encodeURIComponent(`${workspaceId}/`)),
  )

describe('renaming a workspace', () => {
  it('admins rename it; every member sees the new name at once, in the document and in their list', async () => {
    const team = await newTeam('Old Name')
    const memberDoc = await openProvider({
      wsUrl: s.wsUrl,
      name: `${team.workspaceId}/workspace`,
      token: await collabToken(s.url, team.member.cookie),
    })
    expect(readSettings(memberDoc.doc).name).toBe('Old Name')

    const renamed = await api<{ workspace: { id: string; name: string } }>(
      s.url,
      `/api/workspaces/${team.workspaceId}`,
      { method: 'PATCH', cookie: team.admin.cookie, body: { name: '  New Name ' } },
    )
    expect(renamed.status).toBe(200)
    expect(renamed.body.workspace).toEqual({ id: team.workspaceId, name: 'New Name' })
    await expect.poll(() => readSettings(memberDoc.doc).name).toBe('New Name')
    const list = await api<Workspaces>(s.url, '/api/workspaces', { cookie: team.member.cookie })
    expect(list.body.workspaces.map((w) => w.name)).toEqual(['New Name'])
    const me = await api<Profile>(s.url, '/api/auth/me', { cookie: team.member.cookie })
    expect(me.body.workspace.name).toBe('New Name')
  })

  it('refuses non-admins (403), strangers (404) and an empty name (400, in words)', async () => {
    const team = await newTeam('Keep')
    const other = await newTeam('Elsewhere')
    const path = `/api/workspaces/${team.workspaceId}`
    const byMember = await api<ErrorBody>(s.url, path, {
      method: 'PATCH',
      cookie: team.member.cookie,
      body: { name: 'Mine' },
    })
    expect(byMember.status).toBe(403)
    const byStranger = await api<ErrorBody>(s.url, path, {
      method: 'PATCH',
      cookie: other.admin.cookie,
      body: { name: 'Mine' },
    })
    expect(byStranger.status).toBe(404)
    expect(byStranger.body.error.code).toBe('workspace_not_found')
    const empty = await api<ErrorBody>(s.url, path, {
      method: 'PATCH',
      cookie: team.admin.cookie,
      body: { name: '   ' },
    })
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toMatch(/Enter a name for the workspace/)
    const list = await api<Workspaces>(s.url, '/api/workspaces', { cookie: team.admin.cookie })
    expect(list.body.workspaces.map((w) => w.name)).toEqual(['Keep'])
  })
})

describe('deleting a workspace', () => {
  it('asks for its name, then removes everything at once: sessions, sockets, tokens, documents, versions', async () => {
    const team = await newTeam('Doomed Ltd')
    const id = team.workspaceId
    // The admin has a second workspace to land in; the member has none.
    const home = await api<{ workspace: { id: string } }>(s.url, '/api/workspaces', {
      cookie: team.admin.cookie,
      body: { name: 'Home Base' },
    })
    const account = await api<{ id: string }>(s.url, '/api/accounts', {
      cookie: team.admin.cookie,
      body: { name: 'Doomed Customer' },
    })
    expect(account.status).toBe(201)
    const token = await api<{ token: string }>(s.url, '/api/api-tokens', {
      cookie: team.member.cookie,
      body: { name: 'script', scope: 'read-write' },
    })
    const memberDoc = await openProvider({
      wsUrl: s.wsUrl,
      name: `${id}/workspace`,
      token: await collabToken(s.url, team.member.cookie),
    })
    const adminRoom = await openProvider({
      wsUrl: s.wsUrl,
      name: `${id}/account/${account.body.id}`,
      token: await collabToken(s.url, team.admin.cookie),
    })
    await expect
      .poll(() => s.server.documentStore.list(`${id}/`))
      .toContain(`${id}/account/${account.body.id}`)
    await expect.poll(() => historyDirs(id)).not.toEqual([])

    const path = `/api/workspaces/${id}`
    const wrong = await api<ErrorBody>(s.url, path, {
      method: 'DELETE',
      cookie: team.admin.cookie,
      body: { confirmName: 'Doomed' },
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toMatchObject({ code: 'confirmation_mismatch' })
    expect(wrong.body.error.message).toMatch(/name/)
    const byMember = await api<ErrorBody>(s.url, path, {
      method: 'DELETE',
      cookie: team.member.cookie,
      body: { confirmName: 'Doomed Ltd' },
    })
    expect(byMember.status).toBe(403)
    expect((await api(s.url, '/api/accounts', { cookie: team.member.cookie })).status).toBe(200)

    const deleted = await api<Landing>(s.url, path, {
      method: 'DELETE',
      cookie: team.admin.cookie,
      body: { confirmName: 'Doomed Ltd' },
    })
    expect(deleted.status).toBe(200)
    // The admin lands in their other workspace with a new session.
    expect(deleted.body.session?.workspace).toEqual({ id: home.body.workspace.id, name: 'Home Base' })
    const homeCookie = sessionCookie(deleted.headers)
    expect((await api<Profile>(s.url, '/api/auth/me', { cookie: homeCookie })).body.workspace.id).toBe(
      home.body.workspace.id,
    )

    // Every member loses access at once: REST, API tokens, open sockets and new sockets.
    expect((await api(s.url, '/api/auth/me', { cookie: team.admin.cookie })).status).toBe(401)
    // A member's page is told why (the sign-in page shows it), not just "expired".
    const why = await api<ErrorBody>(s.url, '/api/accounts', { cookie: team.member.cookie })
    expect(why.status).toBe(401)
    expect(why.body.error).toEqual({
      code: 'workspace_deleted',
      message:
        'The workspace "Doomed Ltd" was deleted by an admin. Sign in to go on in another workspace, or create one.',
    })
    expect((await api(s.url, '/api/accounts', { bearer: token.body.token })).status).toBe(401)
    await expect.poll(() => memberDoc.closes()).toBeGreaterThan(0)
    await expect.poll(() => adminRoom.closes()).toBeGreaterThan(0)
    const homeToken = await collabToken(s.url, homeCookie)
    expect(await expectDenied({ wsUrl: s.wsUrl, name: `${id}/accounts`, token: homeToken })).toBe('Forbidden')
    const list = await api<Workspaces>(s.url, '/api/workspaces', { cookie: homeCookie })
    expect(list.body.workspaces.map((w) => w.name)).toEqual(['Home Base'])

    // Its documents, versions, index and metadata are gone.
    await expect.poll(() => s.server.documentStore.list(`${id}/`)).toEqual([])
    expect(await historyDirs(id)).toEqual([])
    const projected = s.server.projection.workspace(id)
    expect(projected.records.accounts.size).toBe(0)
    expect(projected.notes.size).toBe(0)
    const meta = s.server.meta.data
    expect(meta.workspaces.some((w) => w.id === id)).toBe(false)
    expect(meta.memberships.some((m) => m.workspaceId === id)).toBe(false)
    expect(meta.sessions.some((x) => x.workspaceId === id)).toBe(false)
    expect(meta.apiTokens.some((t) => t.workspaceId === id)).toBe(false)
    expect(meta.removedWorkspaces).toContain(id)
    // A document of it opened by the server now is empty and never stored.
    await s.server.hocuspocus
      .openDirectConnection(`${id}/account/${account.body.id}`, { system: true })
      .then(async (c) => {
        expect(c.document?.getMap('accounts').size).toBe(0)
        await c.transact((doc) => doc.getMap('accounts').set('late', 1))
        await c.disconnect()
      })
    await s.server.persistence.flushAll()
    expect(await s.server.documentStore.list(`${id}/`)).toEqual([])
  })

  it('a member left without any workspace is told so at login, and starts a new one through sign-up', async () => {
    const team = await newTeam('Short Lived')
    const deleted = await api<Landing>(s.url, `/api/workspaces/${team.workspaceId}`, {
      method: 'DELETE',
      cookie: team.admin.cookie,
      body: { confirmName: 'Short Lived' },
    })
    expect(deleted.status).toBe(200)
    expect(deleted.body.session).toBeNull()
    expect(deleted.headers.get('set-cookie') ?? '').toMatch(/rapport_session=;/)

    const refused = await api<ErrorBody>(s.url, '/api/auth/login', {
      body: { email: team.member.email, password: PASSWORD },
    })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('no_workspace')
    expect(refused.body.error.message).toMatch(/sign-up/)
    // Sign-up with the same email needs the right password.
    const wrongPassword = await api<ErrorBody>(s.url, '/api/auth/signup', {
      body: { workspaceName: 'Next', name: 'Anyone', email: team.member.email, password: 'not-the-password' },
    })
    expect(wrongPassword.status).toBe(409)
    const again = await api<Profile>(s.url, '/api/auth/signup', {
      body: { workspaceName: 'Next One', name: 'Ignored', email: team.member.email, password: PASSWORD },
    })
    expect(again.status).toBe(201)
    expect(again.body).toMatchObject({ workspace: { name: 'Next One' }, role: 'admin' })
  })
})

describe('leaving a workspace', () => {
  it('any member can leave; their sessions and sockets there end; the last admin cannot', async () => {
    const team = await newTeam('Leavers')
    const memberDoc = await openProvider({
      wsUrl: s.wsUrl,
      name: `${team.workspaceId}/workspace`,
      token: await collabToken(s.url, team.member.cookie),
    })
    const path = `/api/workspaces/${team.workspaceId}/leave`
    const lastAdmin = await api<ErrorBody>(s.url, path, { method: 'POST', cookie: team.admin.cookie })
    expect(lastAdmin.status).toBe(409)
    expect(lastAdmin.body.error).toMatchObject({ code: 'last_admin' })
    expect(lastAdmin.body.error.message).toMatch(/last admin/)

    const left = await api<Landing>(s.url, path, { method: 'POST', cookie: team.member.cookie })
    expect(left.status).toBe(200)
    expect(left.body.session).toBeNull()
    expect((await api(s.url, '/api/auth/me', { cookie: team.member.cookie })).status).toBe(401)
    await expect.poll(() => memberDoc.closes()).toBeGreaterThan(0)
    const members = await api<{ members: Array<{ email: string }> }>(s.url, '/api/members', {
      cookie: team.admin.cookie,
    })
    expect(members.body.members.map((m) => m.email)).toEqual([team.admin.email])
    // Leaving a workspace one is not in: 404.
    const stranger = await newTeam('Strangers')
    const notIn = await api<ErrorBody>(s.url, path, { method: 'POST', cookie: stranger.admin.cookie })
    expect(notIn.status).toBe(404)
  })

  it('a member of several workspaces lands in the next one', async () => {
    const a = await newTeam('Aardvark')
    const b = await newTeam('Bison')
    await s.server.auth.createUser({
      email: b.member.email,
      name: 'Member of both',
      password: PASSWORD,
      workspaceId: a.workspaceId,
      role: 'support',
    })
    const left = await api<Landing>(s.url, `/api/workspaces/${b.workspaceId}/leave`, {
      method: 'POST',
      cookie: b.member.cookie,
    })
    expect(left.status).toBe(200)
    expect(left.body.session?.workspace.id).toBe(a.workspaceId)
    const cookie = sessionCookie(left.headers)
    expect((await api<Profile>(s.url, '/api/auth/me', { cookie })).body.role).toBe('support')
  })
})

describe('the demo workspace', () => {
  it('can be deleted like any other, and stays deleted after a restart', async () => {
    const demo = await startServer({ seedDemo: true })
    try {
      const admin = demo.server.demoLogins?.find((l) => l.role === 'admin')
      if (!admin) throw new Error('no demo admin')
      const cookie = await login(demo.url, admin.email, admin.password)
      const me = await api<Profile>(demo.url, '/api/auth/me', { cookie })
      const { id, name } = me.body.workspace
      expect((await demo.server.documentStore.list(`${id}/`)).length).toBeGreaterThan(5)
      const deleted = await api<Landing>(demo.url, `/api/workspaces/${id}`, {
        method: 'DELETE',
        cookie,
        body: { confirmName: name },
      })
      expect(deleted.status).toBe(200)
      expect(deleted.body.session).toBeNull()
      expect(await demo.server.documentStore.list(`${id}/`)).toEqual([])
      await demo.stop({ keep: true })
      const again = await startServer({ dataDir: demo.dataDir, seedDemo: true })
      try {
        expect(again.server.demoLogins).toBeNull()
        expect(await again.server.documentStore.list(`${id}/`)).toEqual([])
        expect(again.server.meta.data.workspaces).toEqual([])
      } finally {
        await again.stop()
      }
    } finally {
      await demo.stop()
    }
  })
})
