import type { Locator, Page } from 'playwright-core'

export type ListKind = 'accounts' | 'contacts'

/**
 * A record list page (`#/accounts`, `#/contacts`): the virtualized table `list-<kind>` with rows `row-<id>` and
 * cells `cell-<id>-<field>` (an editable cell's editor is `cell-<id>-<field>-input`), the toolbar's `list-search`,
 * `list-count` and `list-new`, and the new-row form (`new-<field>`, `new-submit`).
 */
export class ListPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  table(kind: ListKind): Locator {
    return this.page.getByTestId(`list-${kind}`)
  }

  /** Opens a list and waits for its first row. */
  async open(kind: ListKind): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/${kind}`)
    await this.table(kind).locator('[data-testid^="row-"]').first().waitFor()
  }

  /** Opens a list (possibly empty) and waits until it can create a record (its "New …" button shows). */
  async openToCreate(kind: ListKind): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/${kind}`)
    await this.page.getByTestId('list-new').waitFor()
  }

  row(id: string): Locator {
    return this.page.getByTestId(`row-${id}`)
  }

  cell(id: string, field: string): Locator {
    return this.page.getByTestId(`cell-${id}-${field}`)
  }

  cellInput(id: string, field: string): Locator {
    return this.page.getByTestId(`cell-${id}-${field}-input`)
  }

  /** Record ids of the rendered rows (the table is virtualized: only rows near the viewport), top to bottom. */
  async rowIds(kind: ListKind): Promise<string[]> {
    const ids = await this.table(kind)
      .locator('[data-testid^="row-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('row-'.length))
  }

  /** The toolbar's count, e.g. `60 accounts` or `3 of 60 accounts`. */
  async countText(): Promise<string> {
    return ((await this.page.getByTestId('list-count').textContent()) ?? '').trim()
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('list-search').fill(text)
  }

  /** A cell's shown text (not its editor). */
  async cellText(id: string, field: string): Promise<string> {
    return ((await this.cell(id, field).textContent()) ?? '').trim()
  }

  /** Opens a text cell's editor, replaces its value and leaves the editor open with the draft typed. */
  async typeInCell(id: string, field: string, text: string): Promise<void> {
    await this.cell(id, field).click()
    const input = this.cellInput(id, field)
    await input.fill('')
    await input.pressSequentially(text)
  }

  /** Edits a text cell inline: click, type, Enter. */
  async editCell(id: string, field: string, text: string): Promise<void> {
    await this.typeInCell(id, field, text)
    await this.cellInput(id, field).press('Enter')
    await this.cellInput(id, field).waitFor({ state: 'detached' })
  }

  /** Opens the new-row form, fills it (selects by option value) and submits it. */
  async createRow(values: Readonly<Record<string, string>>): Promise<void> {
    await this.page.getByTestId('list-new').click()
    for (const [name, value] of Object.entries(values)) {
      const field = this.page.getByTestId(`new-${name}`)
      const tag = await field.evaluate((el) => el.tagName.toLowerCase())
      if (tag === 'select') await field.selectOption(value)
      else await field.fill(value)
    }
    await this.page.getByTestId('new-submit').click()
  }
}
