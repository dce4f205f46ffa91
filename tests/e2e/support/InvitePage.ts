import type { Page } from 'playwright-core'

/** The invitation link's page (`#/invite/<token>`, `invite-*` testids). */
export class InvitePage {
  constructor(readonly page: Page) {}

  async open(link: string): Promise<void> {
    await this.page.goto(link)
    await this.page.getByTestId('invite-page').waitFor()
    await this.page.getByTestId('invite-submit').or(this.page.getByTestId('invite-error')).waitFor()
  }

  async title(): Promise<string> {
    return (await this.page.getByTestId('invite-workspace').textContent()) ?? ''
  }

  /** "<inviter> invited <email> as <role>." */
  async facts(): Promise<string> {
    return (await this.page.getByTestId('invite-facts').textContent()) ?? ''
  }

  async isExistingUser(): Promise<boolean> {
    return (await this.page.getByTestId('invite-name').count()) === 0
  }

  /** A new user joins with a name and password (an existing user: password only); waits for the shell. */
  async join(password: string, name?: string): Promise<void> {
    if (name !== undefined) await this.page.getByTestId('invite-name').fill(name)
    await this.page.getByTestId('invite-password').fill(password)
    await this.page.getByTestId('invite-submit').click()
    await this.page.getByTestId('current-user').waitFor()
  }
}
