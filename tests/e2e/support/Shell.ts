import type { Locator, Page } from 'playwright-core'

export type ConnectionStatus = 'connected' | 'syncing' | 'offline'

/** The top bar: navigation, current user and the connection indicator. */
export class Shell {
  readonly connection: Locator

  constructor(readonly page: Page) {
    this.connection = page.getByTestId('connection-status')
  }

  async status(): Promise<string | null> {
    return this.connection.getAttribute('data-status')
  }

  /** Local changes the server has not confirmed yet (the indicator's `data-unsynced`). */
  async unsynced(): Promise<number> {
    return Number((await this.connection.getAttribute('data-unsynced')) ?? '0')
  }

  /**
   * How far the last navigation link runs into the bar's right side (the search, the indicator, the user), in px:
   * 0 or less when they do not overlap.
   */
  async navOverlap(): Promise<number> {
    const last = await this.page.locator('.topnav .topnav__link').last().boundingBox()
    const right = await this.page.locator('.topbar__right').boundingBox()
    if (!last || !right) throw new Error('the top bar has no navigation or right side')
    return last.x + last.width - right.x
  }

  /** The indicator's text, e.g. "Offline · 2 unsynced changes". */
  async connectionText(): Promise<string> {
    return (await this.connection.textContent()) ?? ''
  }

  async currentUser(): Promise<string> {
    return ((await this.page.getByTestId('current-user').textContent()) ?? '').trim()
  }

  /** "Rapport was updated": the banner of a tab older than its workspace's data, with its Reload button. */
  updatedBanner(): Locator {
    return this.page.getByTestId('app-updated')
  }

  /** Clicks the banner's Reload button and waits for the page to load again. */
  async reloadForUpdate(): Promise<void> {
    await Promise.all([
      this.page.waitForEvent('load'),
      this.updatedBanner().getByRole('button', { name: 'Reload' }).click(),
    ])
  }

  async goto(section: 'pipelines' | 'accounts' | 'contacts' | 'support' | 'inbox'): Promise<void> {
    await this.page.getByTestId(`nav-${section}`).click()
  }
}
