import type { Page } from 'playwright-core'

/** The sign-in form (`login-*` testids). */
export class LoginPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`)
    await this.page.getByTestId('login-form').waitFor()
  }

  /** Signs in through the UI and waits for the shell (the current user's name in the top bar). */
  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByTestId('login-email').fill(email)
    await this.page.getByTestId('login-password').fill(password)
    await this.page.getByTestId('login-submit').click()
    await this.page.getByTestId('current-user').waitFor()
  }
}
