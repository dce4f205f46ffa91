import type { Locator, Page } from 'playwright-core'

/** Settings › Workspace (`#/settings/workspace`): rename, leave, delete with its name typed. */
export class WorkspaceSettingsPage {
  readonly root: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.root = page.getByTestId('workspace-settings')
  }

  async open(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/settings/workspace`)
    await this.root.waitFor()
  }

  async name(): Promise<string> {
    return this.page.getByTestId('workspace-name').inputValue()
  }

  async isNameReadOnly(): Promise<boolean> {
    return (await this.page.getByTestId('workspace-name').getAttribute('readonly')) !== null
  }

  async rename(name: string): Promise<void> {
    await this.page.getByTestId('workspace-name').fill(name)
    await this.page.getByTestId('workspace-rename').click()
  }

  /** "Leave workspace", then its confirmation. */
  async leave(): Promise<void> {
    await this.page.getByTestId('workspace-leave').click()
    await this.page.getByTestId('workspace-leave-confirm').click()
  }

  /** Opens the delete form and types `typed` as the confirmation (nothing is deleted yet). */
  async startDelete(typed: string): Promise<void> {
    if ((await this.page.getByTestId('workspace-delete-name').count()) === 0) {
      await this.page.getByTestId('workspace-delete').click()
    }
    await this.page.getByTestId('workspace-delete-name').fill(typed)
  }

  deleteButton(): Locator {
    return this.page.getByTestId('workspace-delete-confirm')
  }

  /** The plain-words problems shown in the panel (role alert). */
  async problems(): Promise<string[]> {
    return this.root.getByRole('alert').allTextContents()
  }
}
