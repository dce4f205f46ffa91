import type { Locator, Page } from 'playwright-core'

/** The header's workspace menu: switch, create, and links to the workspace's settings pages. */
export class WorkspaceMenu {
  constructor(readonly page: Page) {}

  async current(): Promise<string> {
    return ((await this.page.getByTestId('workspace-menu').textContent()) ?? '').replace('▾', '').trim()
  }

  async open(): Promise<void> {
    if ((await this.page.getByTestId('workspace-menu-list').count()) === 0) {
      await this.page.getByTestId('workspace-menu').click()
    }
    await this.page.getByTestId('workspace-option').first().waitFor()
  }

  /** Names of the user's workspaces as the menu lists them. */
  async names(): Promise<string[]> {
    await this.open()
    const options = this.page.getByTestId('workspace-option').locator('span:first-child')
    return options.allTextContents()
  }

  /** Switches to a workspace by name and waits until the header shows it. */
  async switchTo(name: string): Promise<void> {
    await this.open()
    await this.page.getByTestId('workspace-option').filter({ hasText: name }).click()
    await this.page.getByTestId('workspace-menu').filter({ hasText: name }).waitFor()
  }

  async goto(page: 'members' | 'tokens' | 'profile'): Promise<void> {
    await this.page.getByTestId('workspace-menu').click()
    await this.page.getByTestId(`menu-${page}`).click()
    await this.page.getByTestId(`${page}-page`).waitFor()
  }
}

/** `#/members`: the members table and the admin's invitation form. */
export class MembersPage {
  constructor(readonly page: Page) {}

  row(email: string): Locator {
    return this.page.getByTestId(`member-${email}`)
  }

  /** The row of an invitation nobody has used yet. */
  pending(email: string): Locator {
    return this.page.getByTestId(`pending-${email}`)
  }

  async emails(): Promise<string[]> {
    const ids = await this.page
      .locator('[data-testid^="member-"][data-testid*="@"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('member-'.length))
  }

  /** Creates an invitation link for `email` with `role` and returns the link shown to copy. */
  async invite(email: string, role: 'admin' | 'sales' | 'support' | 'viewer'): Promise<string> {
    await this.page.getByTestId('invite-email-input').fill(email)
    await this.page.getByTestId('invite-role').selectOption(role)
    await this.page.getByTestId('invite-send').click()
    // The form empties its email once the new link is shown (the previous link is hidden meanwhile).
    await this.page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('[data-testid="invite-email-input"]')?.value === '',
    )
    const link = this.page.getByTestId('invite-link')
    await link.waitFor()
    return (await link.textContent()) ?? ''
  }

  async reload(): Promise<void> {
    await this.page.reload()
    await this.page.getByTestId('members-page').waitFor()
  }

  async setRole(email: string, role: 'admin' | 'sales' | 'support' | 'viewer'): Promise<void> {
    await this.row(email).getByTestId('member-role').selectOption(role)
  }

  /** Removes a member (Remove, then the confirming button) and waits until the row is gone. */
  async remove(email: string): Promise<void> {
    await this.row(email).getByTestId('member-remove').click()
    await this.row(email).getByTestId('member-remove-confirm').click()
    await this.row(email).waitFor({ state: 'detached' })
  }

  /** The notice of a refused change (e.g. the last admin), or null. */
  async error(): Promise<string | null> {
    const notice = this.page.getByTestId('members-error')
    return (await notice.count()) > 0 ? notice.textContent() : null
  }
}

/** `#/tokens`: create (secret shown once), list, revoke. */
export class TokensPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.getByTestId(`token-${name}`)
  }

  async create(name: string, scope: 'read' | 'read-write'): Promise<string> {
    await this.page.getByTestId('token-name').fill(name)
    await this.page.getByTestId('token-scope-select').selectOption(scope)
    await this.page.getByTestId('token-create').click()
    await this.row(name).waitFor()
    return (await this.page.getByTestId('token-secret').textContent()) ?? ''
  }

  async revoke(name: string): Promise<void> {
    await this.row(name).getByTestId('token-revoke').click()
    await this.row(name).getByTestId('token-revoked').waitFor()
  }

  async reload(): Promise<void> {
    await this.page.reload()
    await this.page.getByTestId('tokens-page').waitFor()
  }
}

/** `#/profile`: name and email (read-only) and the password change. */
export class AccountSettingsPage {
  constructor(readonly page: Page) {}

  async changePassword(current: string, next: string, confirm = next): Promise<void> {
    await this.page.getByTestId('password-current').fill(current)
    await this.page.getByTestId('password-new').fill(next)
    await this.page.getByTestId('password-confirm').fill(confirm)
    await this.page.getByTestId('password-submit').click()
  }

  async fieldError(field: 'current' | 'new' | 'confirm'): Promise<string | null> {
    const error = this.page.getByTestId(`password-${field}-error`)
    await error.or(this.page.getByTestId('password-changed')).first().waitFor()
    return (await error.count()) > 0 ? error.textContent() : null
  }
}
