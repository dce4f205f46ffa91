import type { Locator, Page } from 'playwright-core'

/**
 * Custom fields wherever they show: the `CustomFieldsSection` of a record page or drawer (`cf-input-<fieldId>`,
 * `cf-error-<fieldId>`, read-only `cf-value-<fieldId>`), and the list columns (`cell-<id>-cf-<fieldId>`) and
 * toolbar filters (`filter-cf.<fieldId>`) of the accounts and contacts lists.
 */
export class CustomFieldsUi {
  constructor(readonly page: Page) {}

  input(fieldId: string): Locator {
    return this.page.getByTestId(`cf-input-${fieldId}`)
  }

  /** Types a value into a text-like field and commits it (Enter). */
  async type(fieldId: string, value: string): Promise<void> {
    await this.input(fieldId).fill(value)
    await this.input(fieldId).press('Enter')
  }

  async choose(fieldId: string, value: string): Promise<void> {
    await this.input(fieldId).selectOption(value)
  }

  async error(fieldId: string): Promise<string | null> {
    const error = this.page.getByTestId(`cf-error-${fieldId}`)
    return (await error.count()) > 0 ? error.innerText() : null
  }

  /** The read-only value (viewers), as shown. */
  async shownValue(fieldId: string): Promise<string> {
    return this.page.getByTestId(`cf-value-${fieldId}`).innerText()
  }

  listCell(recordId: string, fieldId: string): Locator {
    return this.page.getByTestId(`cell-${recordId}-cf-${fieldId}`)
  }

  /** Sets a list's toolbar filter on a custom field (`null` = any). */
  async filterList(fieldId: string, value: string | null): Promise<void> {
    await this.page.getByTestId(`filter-cf.${fieldId}`).selectOption(value ?? { index: 0 })
  }
}
