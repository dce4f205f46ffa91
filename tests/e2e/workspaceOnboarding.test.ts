import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BoardPage } from './support/BoardPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { DEMO, DEMO_PASSWORD, type E2eEnv, startE2e } from './support/e2eEnv.ts'
import { eventually } from './support/eventually.ts'
import { InvitePage } from './support/InvitePage.ts'
import { LoginPage } from './support/LoginPage.ts'
import { SignupPage } from './support/SignupPage.ts'
import { AccountSettingsPage, MembersPage, TokensPage, WorkspaceMenu } from './support/WorkspacePages.ts'

const DESKTOP = { width: 1440, height: 900 }
const PHONE = { width: 390, height: 844 }
const OWNER = {
  workspaceName: 'Northwind Traders',
  name: 'Nora Owner',
  email: 'nora@northwind.test',
  password: 'nora-pass-1',
}
const COLLEAGUE = { name: 'Cole League', email: 'cole@northwind.test', password: 'cole-pass-1' }

e2eDescribe(
  'a team runs its own workspace: sign-up, invitations, members, switching, password, API tokens',
  () => {
    let env: E2eEnv
    let owner: Page
    const contexts: BrowserContext[] = []
    const newPage = async (viewport = DESKTOP): Promise<Page> => {
      const context = await env.browser.newContext({ viewport })
      contexts.push(context)
      return context.newPage()
    }
    /**
     * Screenshots of the current screen at 1440 and 390 px wide (tests/artifacts/); returns how far the screen's
     * own content (`root`, not the shared top bar) reaches past the right edge at 390 px (<= 0: it fits).
     */
    const shoot = async (page: Page, name: string, root = '.ws-page, .login__card') => {
      await env.screenshot(page, `${name}-1440`)
      await page.setViewportSize(PHONE)
      await env.screenshot(page, `${name}-390`)
      const overflow = await page.evaluate((selector) => {
        const el = document.querySelector(selector)
        if (!el) return Number.POSITIVE_INFINITY
        const rights = [el, ...el.querySelectorAll('*')].map((c) => c.getBoundingClientRect().right)
        return Math.max(...rights) - window.innerWidth
      }, root)
      await page.setViewportSize(DESKTOP)
      return overflow
    }

    beforeAll(async () => {
      env = await startE2e()
    })
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined)
      await env?.close()
    })

    it('signs up a new workspace from the sign-in page and lands on an empty board with the default pipeline', async () => {
      owner = await newPage()
      const signup = new SignupPage(owner, env.server.url)
      await signup.openFromLogin()
      await signup.submit()
      expect(await signup.fieldError('workspace')).toBe('Enter a name for the workspace')
      expect(await signup.fieldError('email')).toBe('Enter an email address like name@company.com')
      expect(await signup.fieldError('password')).toBe('Use at least 8 characters')
      expect(await shoot(owner, 'signup-errors')).toBeLessThanOrEqual(0)
      // A known email is sent to sign in instead, beside the email field.
      await signup.fill({ ...OWNER, email: DEMO.admin.email })
      await signup.submit()
      await eventually(() => signup.fieldError('email')).toMatch(/already exists\. Sign in, then create/)

      await signup.fill(OWNER)
      await signup.submit()
      await owner.getByTestId('current-user').waitFor()
      const menu = new WorkspaceMenu(owner)
      expect(await menu.current()).toBe(OWNER.workspaceName)
      const board = new BoardPage(owner, env.server.url)
      await board.board.waitFor()
      const stages = await board.stageIds()
      expect(stages).toHaveLength(6)
      for (const stage of stages) expect(await board.count(stage)).toBe(0)
      expect(await owner.locator('[data-testid^="pipeline-tab-"]').count()).toBeLessThanOrEqual(1)
      expect(await owner.locator('[data-testid^="card-"]').count()).toBe(0)
      await shoot(owner, 'signup-empty-board', '.topbar')
    })

    it('invites a colleague, who accepts in a second browser and appears on the members page', async () => {
      const menu = new WorkspaceMenu(owner)
      await menu.goto('members')
      const members = new MembersPage(owner)
      const link = await members.invite(COLLEAGUE.email, 'sales')
      expect(link).toMatch(new RegExp(`^${env.server.url}/#/invite/[A-Za-z0-9_-]{43}$`))
      await members.pending(COLLEAGUE.email).waitFor()
      expect(await shoot(owner, 'members-invited')).toBeLessThanOrEqual(0)

      const colleague = await newPage()
      const invite = new InvitePage(colleague)
      await invite.open(link)
      expect(await invite.title()).toBe(`Join ${OWNER.workspaceName}`)
      expect(await invite.facts()).toBe(`${OWNER.name} invited ${COLLEAGUE.email} as a sales member.`)
      expect(await invite.isExistingUser()).toBe(false)
      expect(await shoot(colleague, 'invite-accept')).toBeLessThanOrEqual(0)
      await invite.join(COLLEAGUE.password, COLLEAGUE.name)
      expect(await new WorkspaceMenu(colleague).current()).toBe(OWNER.workspaceName)

      await members.reload()
      await eventually(() => members.emails()).toContain(COLLEAGUE.email)
      expect(await members.pending(COLLEAGUE.email).count()).toBe(0)
      expect(await members.row(COLLEAGUE.email).getByTestId('member-role').inputValue()).toBe('sales')
      // The only admin cannot demote themselves; a role change of the colleague sticks.
      await members.setRole(OWNER.email, 'sales')
      await eventually(() => members.error()).toMatch(/at least one admin/)
      await eventually(() => members.row(OWNER.email).getByTestId('member-role').inputValue()).toBe('admin')
      await members.setRole(COLLEAGUE.email, 'support')
      await members.reload()
      expect(await members.row(COLLEAGUE.email).getByTestId('member-role').inputValue()).toBe('support')
      // The colleague sees the members, read-only.
      await new WorkspaceMenu(colleague).goto('members')
      await new MembersPage(colleague).row(OWNER.email).waitFor()
      expect(await colleague.getByTestId('member-role').count()).toBe(0)
      // Used links say so.
      const reuse = await newPage()
      await reuse.goto(link)
      await reuse.getByTestId('invite-error').waitFor()
      expect(await reuse.getByTestId('invite-error').textContent()).toBe(
        'This invitation has already been used',
      )
    })

    it('an existing user joins by signing in and switches between the two workspaces', async () => {
      const link = await new MembersPage(owner).invite(DEMO.sales.email, 'support')
      const sam = await newPage()
      await new LoginPage(sam, env.server.url).open()
      await new LoginPage(sam, env.server.url).signIn(DEMO.sales.email, DEMO_PASSWORD)
      const invite = new InvitePage(sam)
      await invite.open(link)
      expect(await invite.isExistingUser()).toBe(true)
      await invite.join(DEMO_PASSWORD)
      const menu = new WorkspaceMenu(sam)
      expect(await menu.current()).toBe(OWNER.workspaceName)
      expect(await menu.names()).toEqual(['Northwind Traders', 'Rapport Demo'])
      expect(await shoot(sam, 'workspace-menu', '[data-testid="workspace-menu-list"]')).toBeLessThanOrEqual(0)

      const board = new BoardPage(sam, env.server.url)
      await menu.switchTo('Rapport Demo')
      await board.board.waitFor()
      await sam.locator('[data-testid^="card-"]').first().waitFor()
      expect(await sam.getByTestId('current-user').textContent()).toContain('sales')
      await menu.switchTo(OWNER.workspaceName)
      await board.board.waitFor()
      await eventually(() => board.stageIds().then((ids) => ids.length)).toBe(6)
      expect(await sam.locator('[data-testid^="card-"]').count()).toBe(0)
      expect(await sam.getByTestId('current-user').textContent()).toContain('support')

      // The admin removes Sam: his session there ends, and Northwind leaves his workspace list.
      const members = new MembersPage(owner)
      await members.reload()
      await members.remove(DEMO.sales.email)
      await sam.reload()
      await sam.getByTestId('login-form').waitFor()
      await new LoginPage(sam, env.server.url).signIn(DEMO.sales.email, DEMO_PASSWORD)
      expect(await new WorkspaceMenu(sam).names()).toEqual(['Rapport Demo'])
    })

    it('changes the password: wrong current password is refused beside the field; other sessions are signed out', async () => {
      const here = await newPage()
      const elsewhere = await newPage()
      for (const page of [here, elsewhere]) {
        const login = new LoginPage(page, env.server.url)
        await login.open()
        await login.signIn(COLLEAGUE.email, COLLEAGUE.password)
      }
      await new WorkspaceMenu(here).goto('profile')
      expect(await here.getByTestId('profile-email').getAttribute('readonly')).not.toBeNull()
      const settings = new AccountSettingsPage(here)
      await settings.changePassword('not-my-password', 'cole-pass-2')
      expect(await settings.fieldError('current')).toBe('Your current password is not right')
      await settings.changePassword(COLLEAGUE.password, 'cole-pass-2', 'cole-pass-3')
      expect(await settings.fieldError('confirm')).toBe('The two new passwords differ')
      await settings.changePassword(COLLEAGUE.password, 'cole-pass-2')
      await here.getByTestId('password-changed').waitFor()
      expect(await shoot(here, 'password-changed')).toBeLessThanOrEqual(0)

      await elsewhere.reload()
      await elsewhere.getByTestId('login-form').waitFor()
      await here.reload()
      await here.getByTestId('profile-page').waitFor()
      const fresh = new LoginPage(elsewhere, env.server.url)
      await fresh.signIn(COLLEAGUE.email, 'cole-pass-2')
    })

    it('creates a read-only API token shown once, uses it like curl, and revokes it', async () => {
      await new WorkspaceMenu(owner).goto('tokens')
      const tokens = new TokensPage(owner)
      const secret = await tokens.create('Nightly export', 'read')
      expect(secret).toMatch(/^rpt_/)
      expect(await tokens.row('Nightly export').getByTestId('token-scope').textContent()).toBe('Read only')
      expect(await tokens.row('Nightly export').getByTestId('token-last-used').textContent()).toBe('Never')
      expect(await shoot(owner, 'api-tokens')).toBeLessThanOrEqual(0)

      const curl = (method: string, path: string, body?: unknown) =>
        fetch(`${env.server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      const read = await curl('GET', '/api/accounts')
      expect(read.status).toBe(200)
      expect(((await read.json()) as { total: number }).total).toBe(0)
      const write = await curl('POST', '/api/accounts', { name: 'Nope' })
      expect(write.status).toBe(403)

      await tokens.reload()
      expect(await tokens.row('Nightly export').getByTestId('token-last-used').textContent()).not.toBe(
        'Never',
      )
      expect(await owner.getByTestId('token-secret').count()).toBe(0) // shown once only
      await tokens.revoke('Nightly export')
      expect((await curl('GET', '/api/accounts')).status).toBe(401)
    })
  },
)
