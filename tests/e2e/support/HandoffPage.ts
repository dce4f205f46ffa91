import type { Locator, Page } from 'playwright-core'

/** The handoff panel of the account room and the inbox (H5's screens). */
export class HandoffPage {
  constructor(readonly page: Page) {}

  handoff(handoffId: string): Locator {
    return this.page.getByTestId(`handoff-${handoffId}`)
  }

  async status(handoffId: string): Promise<string | null> {
    if ((await this.handoff(handoffId).count()) === 0) return null
    return this.handoff(handoffId).getAttribute('data-status')
  }

  brief(handoffId: string): Locator {
    return this.handoff(handoffId).getByTestId('handoff-brief').locator('.ProseMirror')
  }

  /** Types at the end of the brief, one keystroke at a time. */
  async typeInBrief(handoffId: string, text: string): Promise<void> {
    await this.brief(handoffId).click()
    await this.page.keyboard.press('Control+End')
    await this.page.keyboard.type(text, { delay: 5 })
  }

  async briefText(handoffId: string): Promise<string> {
    if ((await this.brief(handoffId).count()) === 0) return ''
    return this.brief(handoffId).innerText()
  }

  async sendTo(handoffId: string, receiverLabel: RegExp): Promise<void> {
    const select = this.handoff(handoffId).getByTestId('handoff-receiver')
    const options = await select.locator('option').allInnerTexts()
    const label = options.find((o) => receiverLabel.test(o))
    if (!label) throw new Error(`no receiver matching ${receiverLabel} in ${options.join(', ')}`)
    await select.selectOption({ label })
    await this.handoff(handoffId).getByTestId('handoff-send').click()
  }

  async accept(handoffId: string): Promise<void> {
    await this.handoff(handoffId).getByTestId('handoff-accept').click()
  }

  /** The unread count on the Inbox nav link. */
  async unread(): Promise<number> {
    return Number((await this.page.getByTestId('inbox-unread').getAttribute('data-count')) ?? '0')
  }

  notifications(): Locator {
    return this.page.locator('[data-testid^="notification-ntf"]')
  }

  team(): Locator {
    return this.page.getByTestId('account-team')
  }

  timeline(): Locator {
    return this.page.getByTestId('timeline')
  }
}
