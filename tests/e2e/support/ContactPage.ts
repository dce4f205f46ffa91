import type { Locator, Page } from 'playwright-core'

/**
 * The contact page `#/contacts/<id>` (`contact-page`): live fields `field-<name>`, the account link
 * `contact-account-link`, the panels `contact-deals` (rows `contact-deal-<id>`) and `contact-tickets` (rows
 * `contact-ticket-<id>`), validation messages `error-<name>`.
 */
export class ContactPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(contactId: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/contacts/${contactId}`)
    await this.waitForContact(contactId)
  }

  async waitForContact(contactId: string): Promise<void> {
    await this.page.locator(`[data-testid="contact-page"][data-contact="${contactId}"]`).waitFor()
  }

  field(name: string): Locator {
    return this.page.getByTestId(`field-${name}`)
  }

  error(name: string): Locator {
    return this.page.getByTestId(`error-${name}`)
  }

  async name(): Promise<string> {
    return ((await this.page.getByTestId('contact-name').textContent()) ?? '').trim()
  }

  accountLink(): Locator {
    return this.page.getByTestId('contact-account-link')
  }

  deal(dealId: string): Locator {
    return this.page.getByTestId(`contact-deal-${dealId}`)
  }

  ticket(ticketId: string): Locator {
    return this.page.getByTestId(`contact-ticket-${ticketId}`)
  }

  /** Types into a text field and commits with Enter, then leaves it. */
  async setText(name: string, text: string): Promise<void> {
    const input = this.field(name)
    await input.click()
    await input.fill(text)
    await input.press('Enter')
    await input.blur()
  }
}
