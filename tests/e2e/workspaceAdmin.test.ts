import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { DEMO, DEMO_PASSWORD } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { WorkspaceMenu } from './support/WorkspacePages.ts'
import { WorkspaceSettingsPage } from './support/WorkspaceSettingsPage.ts'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1440, height: 900 }
const Members = z.object({ members: z.array(z.object({ email: z.string() }).loose()) })

/** Issue #11: a workspace's admins rename and delete it; any member leaves it (never the last admin). */
e2eDescribe('workspace settings: rename, leave, delete', () => {
  const session = e2eSession()

  it('an admin renames the workspace; a member sees the new name at once and cannot rename it', async () => {
    const admin = await session.signIn('admin')
    const sales = await session.signIn('sales')
    const url = session.env.server.url
    const settings = new WorkspaceSettingsPage(admin.page, url)
    await settings.open()
    const before = await settings.name()
    await sales.board.open()
    const salesMenu = new WorkspaceMenu(sales.page)
    expect(await salesMenu.current()).toBe(before)

    await settings.rename('   ')
    await eventually(() => settings.problems()).toContain('Enter a name for the workspace')
    await settings.rename('Rapport Team')
    await eventually(() => salesMenu.current()).toBe('Rapport Team')
    await eventually(() => new WorkspaceMenu(admin.page).current()).toBe('Rapport Team')

    const salesSettings = new WorkspaceSettingsPage(sales.page, url)
    await salesSettings.open()
    expect(await salesSettings.name()).toBe('Rapport Team')
    expect(await salesSettings.isNameReadOnly()).toBe(true)
    expect(await sales.page.getByTestId('workspace-delete').count()).toBe(0)
    await session.env.screenshot(admin.page, 'workspace-settings-1440')
    await admin.page.setViewportSize(PHONE)
    await session.env.screenshot(admin.page, 'workspace-settings-390')
    const overflow = await admin.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)
  })

  it('the last admin cannot leave; a member leaves and, with no other workspace, lands on "Create a workspace"', async () => {
    const admin = await session.signIn('admin')
    const viewer = await session.signIn('viewer')
    const url = session.env.server.url
    const adminSettings = new WorkspaceSettingsPage(admin.page, url)
    await adminSettings.open()
    await adminSettings.leave()
    await eventually(() => adminSettings.problems()).toContainEqual(
      expect.stringContaining('You are the last admin of this workspace'),
    )

    const settings = new WorkspaceSettingsPage(viewer.page, url)
    await settings.open()
    await settings.leave()
    await viewer.page.getByTestId('signup-form').waitFor()
    expect(viewer.page.url()).toMatch(/#\/signup$/)
    const members = await admin.api('/api/members', Members)
    expect(members.members.map((m) => m.email)).not.toContain(DEMO.viewer.email)

    // Signing in says what happened and where to go; sign-up with the same email and password starts a workspace.
    await viewer.page.goto(`${url}/#/`)
    await viewer.page.getByTestId('login-email').fill(DEMO.viewer.email)
    await viewer.page.getByTestId('login-password').fill(DEMO_PASSWORD)
    await viewer.page.getByTestId('login-submit').click()
    await eventually(() => viewer.page.getByTestId('login-error').textContent()).toMatch(
      /not in any workspace/,
    )
  })

  it('an admin deletes the workspace after typing its name: members lose it at once, the admin lands in their other workspace', async () => {
    const admin = await session.signIn('admin')
    const sales2 = await session.signIn('sales2')
    const url = session.env.server.url
    // The admin's second workspace, to land in.
    const menu = new WorkspaceMenu(admin.page)
    await admin.board.open()
    const name = await menu.current()
    await menu.open()
    await admin.page.getByTestId('workspace-create-name').fill('After Demo')
    await admin.page.getByTestId('workspace-create').click()
    await admin.page.getByTestId('workspace-menu').filter({ hasText: 'After Demo' }).waitFor()
    await menu.switchTo(name)

    await sales2.board.open()
    const settings = new WorkspaceSettingsPage(admin.page, url)
    await settings.open()
    await settings.startDelete('Rapport')
    expect(await settings.deleteButton().isDisabled()).toBe(true)
    await admin.page.setViewportSize(PHONE)
    await session.env.screenshot(admin.page, 'workspace-delete-390')
    await admin.page.setViewportSize(DESKTOP)
    await session.env.screenshot(admin.page, 'workspace-delete-1440')
    await settings.startDelete(name)
    await settings.deleteButton().click()

    await eventually(() => menu.current()).toBe('After Demo')
    expect(await menu.names()).toEqual(['After Demo'])
    // The member's open board loses its workspace: back to sign in, told why.
    await sales2.page.getByTestId('login-form').waitFor({ timeout: 20_000 })
    expect(await sales2.page.getByTestId('login-notice').textContent()).toBe(
      `The workspace "${name}" was deleted by an admin. Sign in to go on in another workspace, or create one.`,
    )
    const res = await sales2.page.request.get(`${url}/api/accounts`)
    expect(res.status()).toBe(401)
  })
})
