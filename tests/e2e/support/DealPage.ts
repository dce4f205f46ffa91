import type { Locator, Page } from 'playwright-core'

/**
 * The deal page `#/deals/<id>` (`deal-page`): live fields `field-<name>` (title, amount, currency, ownerId,
 * expectedCloseDate, stage, status, lostReason), the account picker `field-accountId` (options
 * `field-accountId-option-<id>`), contact checkboxes `deal-contact-<id>`, validation messages `error-<name>`.
 * Also drives the board's quick-add form (`quick-add-*-<stageId>`).
 */
export class DealPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  get root(): Locator {
    return this.page.getByTestId('deal-page')
  }

  /** Opens the deal page and waits until its fields can be edited (the pipeline document is live). */
  async open(dealId: string, options: { editable?: boolean } = {}): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/deals/${dealId}`)
    await this.waitForDeal(dealId, options)
  }

  async waitForDeal(dealId: string, { editable = true }: { editable?: boolean } = {}): Promise<void> {
    await this.page.locator(`[data-testid="deal-page"][data-deal="${dealId}"]`).waitFor()
    if (editable) await this.page.locator('[data-testid="field-title"]:enabled').waitFor()
  }

  field(name: string): Locator {
    return this.page.getByTestId(`field-${name}`)
  }

  error(name: string): Locator {
    return this.page.getByTestId(`error-${name}`)
  }

  async value(name: string): Promise<string> {
    return this.field(name).inputValue()
  }

  async title(): Promise<string> {
    return ((await this.page.getByTestId('deal-title').textContent()) ?? '').trim()
  }

  /** Types into a text field and commits with Enter (the field keeps the focus), then leaves it. */
  async setText(name: string, text: string): Promise<void> {
    const input = this.field(name)
    await input.click()
    await input.fill(text)
    await input.press('Enter')
    await input.blur()
  }

  /** Picks an option of a select field by its value. */
  async choose(name: string, value: string): Promise<void> {
    await this.field(name).selectOption(value)
  }

  async setDate(name: string, isoDate: string): Promise<void> {
    await this.field(name).fill(isoDate)
  }

  /** Searches accounts by name in a picker and picks the account `accountId`. */
  async pickAccount(accountName: string, accountId: string, testId = 'field-accountId'): Promise<void> {
    const input = this.page.getByTestId(testId)
    await input.click()
    await input.fill(accountName)
    await this.page.getByTestId(`${testId}-option-${accountId}`).click()
  }

  /** Picks an account by keyboard only: types its name, arrows down to it, Enter. */
  async pickAccountByKeyboard(
    accountName: string,
    accountId: string,
    testId = 'field-accountId',
  ): Promise<void> {
    const input = this.page.getByTestId(testId)
    await input.focus()
    await input.pressSequentially(accountName)
    const option = this.page.getByTestId(`${testId}-option-${accountId}`)
    await option.waitFor()
    const optionId = await option.getAttribute('id')
    for (let i = 0; i < 8 && (await input.getAttribute('aria-activedescendant')) !== optionId; i++) {
      await input.press('ArrowDown')
    }
    await input.press('Enter')
  }

  /** A listed contact of another account (named, with "(another account)"). */
  otherContact(contactId: string): Locator {
    return this.page.getByTestId(`deal-other-contact-${contactId}`)
  }

  /** The account the picker shows: its id and the name in the input. */
  async account(testId = 'field-accountId'): Promise<{ id: string; name: string }> {
    const input = this.page.getByTestId(testId)
    return { id: (await input.getAttribute('data-account')) ?? '', name: await input.inputValue() }
  }

  contact(contactId: string): Locator {
    return this.page.getByTestId(`deal-contact-${contactId}`)
  }

  /** Someone else's "… is editing <label>" notice on the page. */
  editingNotice(): Locator {
    return this.root.getByTestId('editing-notice')
  }

  /** Answers the lost-reason dialog: a reason and Confirm, or null to Cancel. */
  async answerLost(reason: string | null): Promise<void> {
    const dialog = this.page.getByTestId('lost-reason-dialog')
    await dialog.waitFor()
    if (reason === null) {
      await dialog.getByRole('button', { name: 'Cancel' }).click()
    } else {
      await dialog.getByRole('textbox').fill(reason)
      await dialog.getByRole('button', { name: 'Confirm' }).click()
    }
    await dialog.waitFor({ state: 'detached' })
  }

  /** Fills the board's quick-add form of a stage and submits it. */
  async quickAdd(
    stageId: string,
    deal: {
      title: string
      account?: { name: string; id: string }
      amount?: string
      currency?: string
      /** Typed values of required custom fields (fieldId → text), asked by the quick add. */
      custom?: Record<string, string>
      /** Leave the form open (to check its errors) instead of expecting it to submit. */
      submit?: boolean
    },
  ): Promise<void> {
    await this.page.getByTestId(`quick-add-${stageId}`).click()
    await this.page.getByTestId(`quick-add-input-${stageId}`).fill(deal.title)
    if (deal.account)
      await this.pickAccount(deal.account.name, deal.account.id, `quick-add-account-${stageId}`)
    if (deal.amount !== undefined)
      await this.page.getByTestId(`quick-add-amount-${stageId}`).fill(deal.amount)
    if (deal.currency !== undefined)
      await this.page.getByTestId(`quick-add-currency-${stageId}`).fill(deal.currency)
    const form = this.page.getByTestId(`quick-add-form-${stageId}`)
    for (const [fieldId, text] of Object.entries(deal.custom ?? {}))
      await form.getByTestId(`cf-input-${fieldId}`).fill(text)
    await this.page.getByTestId(`quick-add-submit-${stageId}`).click()
  }

  /** A field's error under the quick add: title, amount, currency or a required custom field's id. */
  quickAddError(stageId: string, field: string): Locator {
    return this.page.getByTestId(`quick-add-${field}-${stageId}-error`)
  }
}
