import type { Locator, Page } from 'playwright-core'

export interface ShownMessage {
  kind: string
  author: string
  body: string
  internalMark: boolean
}

/** A ticket's drawer (`#/support/<ticketId>`): description, contact, the conversation and its composer. */
export class TicketPage {
  readonly drawer: Locator
  readonly thread: Locator
  readonly composer: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.drawer = page.getByTestId('ticket-drawer')
    this.thread = page.getByTestId('ticket-thread')
    this.composer = page.getByTestId('ticket-composer')
  }

  async open(ticketId: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/support/${ticketId}`)
    await this.page.locator(`[data-testid="ticket-drawer"][data-ticket="${ticketId}"]`).waitFor()
  }

  /** Sends a reply (`reply`) or an internal note (`internal`) through the composer. */
  async send(kind: 'reply' | 'internal', body: string): Promise<void> {
    await this.composer.getByTestId(`ticket-composer-${kind}`).check()
    await this.composer.getByTestId('ticket-composer-body').fill(body)
    await this.composer.getByTestId('ticket-composer-send').click()
  }

  async composerError(): Promise<string | null> {
    const error = this.composer.getByTestId('ticket-composer-error')
    return (await error.count()) > 0 ? error.innerText() : null
  }

  async messages(): Promise<ShownMessage[]> {
    const items = this.thread.getByTestId('ticket-message')
    const out: ShownMessage[] = []
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i)
      out.push({
        kind: (await item.getAttribute('data-kind')) ?? '',
        author: await item.getByTestId('ticket-message-author').innerText(),
        body: await item.getByTestId('ticket-message-body').innerText(),
        internalMark: (await item.getByTestId('ticket-message-internal').count()) > 0,
      })
    }
    return out
  }

  async firstResponse(): Promise<string> {
    return this.drawer.getByTestId('ticket-first-response').innerText()
  }

  description(): Locator {
    return this.drawer.getByTestId('ticket-description')
  }

  /** Types a new description and leaves the field (which saves it). */
  async setDescription(text: string): Promise<void> {
    await this.description().fill(text)
    await this.description().blur()
  }

  /** Searches the contact picker and picks the first option whose text matches. */
  async pickContact(search: string): Promise<void> {
    await this.drawer.getByTestId('ticket-contact-search').fill(search)
    await this.drawer.locator('[data-testid^="ticket-contact-option-"]').first().click()
  }

  async contactOptions(search: string): Promise<string[]> {
    await this.drawer.getByTestId('ticket-contact-search').fill(search)
    return this.drawer.locator('[data-testid^="ticket-contact-option-"]').allInnerTexts()
  }

  async contactCard(): Promise<string> {
    return this.drawer.getByTestId('ticket-contact-card').innerText()
  }

  /** The account room's "New ticket": fills the form and creates the ticket for that account. */
  async createFromAccountRoom(subject: string, contactName?: string): Promise<void> {
    await this.page.getByTestId('account-new-ticket').click()
    const form = this.page.getByTestId('new-ticket-form')
    await form.getByTestId('new-ticket-subject').fill(subject)
    if (contactName) await form.getByTestId('new-ticket-contact').selectOption({ label: contactName })
    await form.getByTestId('new-ticket-submit').click()
  }

  /** A contact page's "New ticket" (`#/contacts/<id>`): the contact and its account are filled in. */
  async createFromContactPage(subject: string): Promise<void> {
    await this.page.getByTestId('contact-new-ticket').click()
    const form = this.page.getByTestId('new-ticket-form')
    await form.getByTestId('new-ticket-subject').fill(subject)
    await form.getByTestId('new-ticket-submit').click()
  }

  /** The subjects listed in a contact page's tickets panel. */
  async contactTicketSubjects(): Promise<string[]> {
    return this.page.locator('[data-testid^="contact-ticket-"] a').allInnerTexts()
  }

  /** The account room's ticket rows: `[ticketId, subject]`. */
  async accountTickets(): Promise<Array<[string, string]>> {
    const rows = this.page.locator('[data-testid^="account-ticket-"]')
    const out: Array<[string, string]> = []
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i)
      const id = ((await row.getAttribute('data-testid')) ?? '').slice('account-ticket-'.length)
      out.push([id, await row.locator('a').first().innerText()])
    }
    return out
  }
}
