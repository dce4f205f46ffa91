import { SETTINGS_FORMAT, SETTINGS_KEY, SETTINGS_MAP } from '@rapport/model'
import { afterEach, expect, it } from 'vitest'
import { z } from 'zod'
import { collabToken, login } from '../integration/helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from '../integration/helpers/collabClient.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { DEMO, DEMO_PASSWORD, type E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { OfflineCopies } from './support/OfflineCopies.ts'
import { MembersPage, WorkspaceMenu } from './support/WorkspacePages.ts'
import { WorkspaceSettingsPage } from './support/WorkspaceSettingsPage.ts'

const Me = z.object({ user: z.object({ id: z.string() }), workspace: z.object({ id: z.string() }) }).loose()

const clients: CollabClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

/** The user's id and workspace id, and their offline copies of that workspace once the open page has made some. */
async function offlineCopiesOf(
  user: E2eUser,
): Promise<{ userId: string; workspaceId: string; copies: OfflineCopies }> {
  const me = await user.api('/api/auth/me', Me)
  const copies = new OfflineCopies(user.page)
  await eventually(
    async () => (await copies.ofWorkspace(me.user.id, me.workspace.id)).length,
  ).toBeGreaterThan(0)
  return { userId: me.user.id, workspaceId: me.workspace.id, copies }
}

/**
 * Issue #11: tabs that outlive what they show. A tab built before a server upgrade says so and offers a reload (it
 * would read the new settings structures as invalid); a page whose workspace was deleted, or whose user was removed
 * from it, deletes its offline copies of that workspace (y-indexeddb databases) when it learns so.
 */
e2eDescribe('stale tabs: app updated, workspace gone', () => {
  const session = e2eSession()

  it('a tab older than its workspace data shows "Rapport was updated" with a Reload button that reloads', async () => {
    const sales = await session.signIn('sales')
    await sales.board.open()
    const { workspace } = await sales.api('/api/auth/me', Me)
    const url = session.env.server.url
    const cookie = await login(url, DEMO.admin.email, DEMO_PASSWORD)
    const settings = await openSyncedDoc({
      wsUrl: `${url.replace(/^http/, 'ws')}/collab`,
      name: `${workspace.id}/workspace`,
      token: () => collabToken(url, cookie),
    })
    clients.push(settings)
    expect(await sales.shell.updatedBanner().count()).toBe(0)

    // A server upgrade raises the document's layout version past what this build knows.
    settings.doc.getMap(SETTINGS_MAP).set(SETTINGS_KEY.format, SETTINGS_FORMAT + 1)
    await waitForAcked(settings)
    await sales.shell.updatedBanner().waitFor()
    expect(await sales.shell.updatedBanner().textContent()).toContain('Rapport was updated')
    await session.env.screenshot(sales.page, 'app-updated-banner')
    await sales.shell.reloadForUpdate()
    // Reloaded: this build still is older than the data, so it says so again at once.
    await sales.shell.updatedBanner().waitFor()

    // Back to the version this build knows (the test's own undo): the banner goes, live.
    settings.doc.getMap(SETTINGS_MAP).set(SETTINGS_KEY.format, SETTINGS_FORMAT)
    await waitForAcked(settings)
    await eventually(() => sales.shell.updatedBanner().count()).toBe(0)
  })

  it('a member removed by an admin is signed out, told why, and the page deletes its offline copies of the workspace', async () => {
    const admin = await session.signIn('admin')
    const sales = await session.signIn('sales')
    await sales.board.open()
    const { userId, workspaceId, copies } = await offlineCopiesOf(sales)

    await admin.board.open()
    await new WorkspaceMenu(admin.page).goto('members')
    await new MembersPage(admin.page).remove(DEMO.sales.email)

    await sales.page.getByTestId('login-form').waitFor({ timeout: 20_000 })
    expect(await sales.page.getByTestId('login-notice').textContent()).toMatch(
      /^An admin removed you from the workspace ".+"\. Sign in to go on in another workspace, or create one\.$/,
    )
    await eventually(() => copies.ofWorkspace(userId, workspaceId)).toEqual([])
  })

  it("deleting a workspace: the members' open pages and the admin's own delete their offline copies of it", async () => {
    const admin = await session.signIn('admin')
    const sales2 = await session.signIn('sales2')
    const url = session.env.server.url
    const menu = new WorkspaceMenu(admin.page)
    await admin.board.open()
    const name = await menu.current()
    await menu.open()
    await admin.page.getByTestId('workspace-create-name').fill('After Demo')
    await admin.page.getByTestId('workspace-create').click()
    await admin.page.getByTestId('workspace-menu').filter({ hasText: 'After Demo' }).waitFor()
    await menu.switchTo(name)
    await admin.board.open()
    const adminCopies = await offlineCopiesOf(admin)
    await sales2.board.open()
    const memberCopies = await offlineCopiesOf(sales2)

    const settings = new WorkspaceSettingsPage(admin.page, url)
    await settings.open()
    await settings.startDelete(name)
    // The server removes the admin's session with the workspace's, closes the sockets, purges the documents, and only
    // then moves the admin to another workspace and answers. A page that asks /api/auth/me in that window (a loaded
    // machine) gets the 401 the server gives then; it must not sign the admin out. The answer is held until it has.
    let deleting = false
    const refused = admin.page.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 401)
    await admin.page.route('**/api/auth/me', (route) =>
      deleting
        ? route.fulfill({
            status: 401,
            json: { error: { code: 'unauthorized', message: 'Authentication required' } },
          })
        : route.fallback(),
    )
    await admin.page.route('**/api/workspaces/*', async (route) => {
      if (route.request().method() !== 'DELETE') return route.fallback()
      deleting = true
      const answer = await route.fetch()
      await refused
      deleting = false
      await route.fulfill({ response: answer })
    })
    await settings.deleteButton().click()
    await eventually(() => menu.current()).toBe('After Demo')
    await eventually(() =>
      adminCopies.copies.ofWorkspace(adminCopies.userId, adminCopies.workspaceId),
    ).toEqual([])

    await sales2.page.getByTestId('login-form').waitFor({ timeout: 20_000 })
    expect(await sales2.page.getByTestId('login-notice').textContent()).toContain('was deleted by an admin')
    await eventually(() =>
      memberCopies.copies.ofWorkspace(memberCopies.userId, memberCopies.workspaceId),
    ).toEqual([])
  })
})
