import type { Page } from 'playwright-core'

/** The Ctrl/Cmd+K command palette (`palette`, `palette-input`, items `palette-item-<kind>-<id>`). */
export class CommandPalettePage {
  constructor(readonly page: Page) {}

  /** Opens the palette from the top bar and searches `query` (results stay open). */
  async search(query: string): Promise<void> {
    await this.page.getByTestId('palette-open').click()
    await this.page.getByTestId('palette-input').fill(query)
  }

  /** Opens the palette from the top bar, searches `query` and opens the record `<kind>-<id>` from the results. */
  async openRecord(
    query: string,
    kind: 'account' | 'contact' | 'deal' | 'ticket',
    id: string,
  ): Promise<void> {
    await this.page.getByTestId('palette-open').click()
    await this.page.getByTestId('palette-input').fill(query)
    await this.page.getByTestId(`palette-item-${kind}-${id}`).click()
    await this.page.getByTestId('palette').waitFor({ state: 'detached' })
  }
}
