import type { Locator, Page } from 'playwright-core'

/**
 * The duplicates page (`#/duplicates`: tabs `duplicates-tab-<kind>`, pairs `pair-<idA>+<idB>` (ids sorted) with
 * `pair-evidence`, `pair-dismiss`, `pair-merge`) and the merge dialog (`merge-dialog`: `merge-survivor` /
 * `merge-merged` with `data-id`, `merge-swap`, a radio per differing field `merge-<field>-survivor|merged`,
 * `merge-moves`, `merge-confirm`). Also the create-time `duplicate-warning` of the list's new-row form.
 */
export class DuplicatesPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(kind: 'contacts' | 'accounts' = 'contacts'): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/duplicates`)
    await this.page.getByTestId('duplicates-page').waitFor()
    if (kind !== 'contacts') await this.page.getByTestId(`duplicates-tab-${kind}`).click()
  }

  pair(a: string, b: string): Locator {
    return this.page.getByTestId(`pair-${[a, b].sort().join('+')}`)
  }

  async evidence(a: string, b: string): Promise<string[]> {
    return this.pair(a, b).getByTestId('pair-evidence').locator('.chip').allTextContents()
  }

  async dismiss(a: string, b: string): Promise<void> {
    await this.pair(a, b).getByTestId('pair-dismiss').click()
    await this.pair(a, b).waitFor({ state: 'detached' })
  }

  dialog(): Locator {
    return this.page.getByTestId('merge-dialog')
  }

  /** Opens the merge dialog of a pair with `survivorId` as the record that stays (swapping when needed). */
  async startMerge(survivorId: string, mergedId: string): Promise<void> {
    await this.pair(survivorId, mergedId).getByTestId('pair-merge').click()
    await this.dialog().getByTestId('merge-survivor').waitFor()
    if ((await this.dialog().getByTestId('merge-survivor').getAttribute('data-id')) !== survivorId)
      await this.dialog().getByTestId('merge-swap').click()
    await this.page.locator(`[data-testid="merge-survivor"][data-id="${survivorId}"]`).waitFor()
  }

  /** Fields the dialog offers a choice for. */
  async differingFields(): Promise<string[]> {
    const ids = await this.dialog()
      .locator('[data-testid^="merge-field-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('merge-field-'.length))
  }

  async choose(field: string, side: 'survivor' | 'merged'): Promise<void> {
    await this.dialog().getByTestId(`merge-${field}-${side}`).check()
  }

  async chosen(field: string): Promise<'survivor' | 'merged' | null> {
    if (await this.dialog().getByTestId(`merge-${field}-survivor`).isChecked()) return 'survivor'
    if (await this.dialog().getByTestId(`merge-${field}-merged`).isChecked()) return 'merged'
    return null
  }

  async movesText(): Promise<string> {
    return ((await this.dialog().getByTestId('merge-moves').textContent()) ?? '').trim()
  }

  async confirm(): Promise<void> {
    await this.dialog().getByTestId('merge-confirm').click()
  }

  /** The create form's duplicate warning and the ids of the records it links. */
  warning(): Locator {
    return this.page.getByTestId('duplicate-warning')
  }

  async warnedIds(): Promise<string[]> {
    const ids = await this.warning()
      .locator('[data-testid^="duplicate-match-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('duplicate-match-'.length))
  }
}
