import type { Locator, Page } from 'playwright-core'

export interface ActivityEntry {
  type: 'call' | 'email' | 'meeting'
  date?: string
  time?: string
  durationMins?: string
  outcome?: string
  /** Contact names to tick. */
  contacts?: string[]
  /** Deal title to pick. */
  deal?: string
}

/** The "Log activity" form of the account room's timeline, and the timeline's sentences. */
export class ActivityForm {
  readonly form: Locator
  readonly timeline: Locator

  constructor(readonly page: Page) {
    this.form = page.getByTestId('log-activity-form')
    this.timeline = page.getByTestId('timeline')
  }

  async open(): Promise<void> {
    await this.timeline.getByTestId('log-activity-open').click()
    await this.form.waitFor()
  }

  async fill(entry: ActivityEntry): Promise<void> {
    await this.form.getByTestId(`log-activity-type-${entry.type}`).check()
    if (entry.date !== undefined) await this.form.getByTestId('log-activity-date').fill(entry.date)
    if (entry.time !== undefined) await this.form.getByTestId('log-activity-time').fill(entry.time)
    if (entry.durationMins !== undefined)
      await this.form.getByTestId('log-activity-duration').fill(entry.durationMins)
    if (entry.outcome !== undefined) await this.form.getByTestId('log-activity-outcome').fill(entry.outcome)
    for (const name of entry.contacts ?? []) await this.form.getByLabel(name, { exact: true }).check()
    if (entry.deal) await this.form.getByTestId('log-activity-deal').selectOption({ label: entry.deal })
  }

  async submit(): Promise<void> {
    await this.form.getByTestId('log-activity-submit').click()
  }

  /** The plain-words problem shown beside `field` (`outcome`, `durationMins`, `at`), or null. */
  async problem(field: string): Promise<string | null> {
    const error = this.form.getByTestId(`log-activity-error-${field}`)
    return (await error.count()) > 0 ? error.innerText() : null
  }

  async isOpen(): Promise<boolean> {
    return (await this.form.count()) > 0
  }

  /** The timeline's sentences, newest first. */
  async sentences(): Promise<string[]> {
    return this.timeline.getByTestId('timeline-sentence').allInnerTexts()
  }

  /** Removes the entry whose sentence is `sentence` (offered to its author and admins only). */
  async remove(sentence: string): Promise<void> {
    await this.timeline
      .getByTestId('timeline-entry')
      .filter({ has: this.page.getByTestId('timeline-sentence').getByText(sentence, { exact: true }) })
      .getByTestId('timeline-remove')
      .click()
  }

  /** How many entries offer "Remove" (the viewer's own logged entries). */
  async removable(): Promise<number> {
    return this.timeline.getByTestId('timeline-remove').count()
  }

  async canLog(): Promise<boolean> {
    return (await this.timeline.getByTestId('log-activity-open').count()) > 0
  }

  showOlder(): Locator {
    return this.timeline.getByTestId('timeline-show-older')
  }
}
