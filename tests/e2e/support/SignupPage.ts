import type { Page } from 'playwright-core'

/** "Create a workspace" (`#/signup`, `signup-*` testids), reached from the sign-in page's link. */
export class SignupPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  /** Opens the sign-in page and follows its "Create a workspace" link. */
  async openFromLogin(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`)
    await this.page.getByTestId('login-signup').click()
    await this.page.getByTestId('signup-form').waitFor()
  }

  async fill(values: {
    workspaceName: string
    name: string
    email: string
    password: string
  }): Promise<void> {
    await this.page.getByTestId('signup-workspace').fill(values.workspaceName)
    await this.page.getByTestId('signup-name').fill(values.name)
    await this.page.getByTestId('signup-email').fill(values.email)
    await this.page.getByTestId('signup-password').fill(values.password)
  }

  async submit(): Promise<void> {
    await this.page.getByTestId('signup-submit').click()
  }

  /** The message beside a field (`workspace`, `name`, `email`, `password`), or null when there is none. */
  async fieldError(field: 'workspace' | 'name' | 'email' | 'password'): Promise<string | null> {
    const error = this.page.getByTestId(`signup-${field}-error`)
    return (await error.count()) > 0 ? error.textContent() : null
  }

  /** Signs up and waits for the shell. */
  async signUp(values: {
    workspaceName: string
    name: string
    email: string
    password: string
  }): Promise<void> {
    await this.fill(values)
    await this.submit()
    await this.page.getByTestId('current-user').waitFor()
  }
}
