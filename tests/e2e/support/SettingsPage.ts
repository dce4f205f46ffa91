import type { Locator, Page } from 'playwright-core'

export type SettingsSection = 'pipelines' | 'fields' | 'sla' | 'currency'

/** Workspace settings (`#/settings/<section>`): pipelines and stages, custom fields, service levels, currency. */
export class SettingsPage {
  readonly root: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.root = page.getByTestId('settings-page')
  }

  async open(section: SettingsSection): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/settings/${section}`)
    await this.page.locator(`[data-testid="settings-page"][data-section="${section}"]`).waitFor()
  }

  async choosePipeline(pipelineId: string): Promise<void> {
    await this.page.getByTestId(`settings-pipeline-${pipelineId}`).click()
    await this.page.locator(`[data-testid="pipeline-editor"][data-pipeline="${pipelineId}"]`).waitFor()
  }

  /** Creates a pipeline and waits until it is chosen for editing. */
  async createPipeline(name: string): Promise<void> {
    await this.page.getByTestId('new-pipeline-name').fill(name)
    await this.page.getByTestId('create-pipeline').click()
    await this.page
      .getByTestId('pipeline-name')
      .and(this.page.locator(`[value="${name}"]`))
      .waitFor()
  }

  /** Renames the chosen pipeline (commits on Enter). */
  async renamePipeline(name: string): Promise<void> {
    await this.page.getByTestId('pipeline-name').fill(name)
    await this.page.getByTestId('pipeline-name').press('Enter')
  }

  /** Archives (or restores) the chosen pipeline. */
  async toggleArchive(): Promise<void> {
    await this.page.getByTestId('archive-pipeline').click()
  }

  stageRow(stageId: string): Locator {
    return this.page.locator(`[data-testid="stage-row"][data-stage="${stageId}"]`)
  }

  /** Renames a stage in the stage table (commits on Enter). */
  async renameStage(stageId: string, name: string): Promise<void> {
    const input = this.stageRow(stageId).getByTestId('stage-name')
    await input.fill(name)
    await input.press('Enter')
  }

  /** Stage names in board order, as the stage table shows them. */
  async stageNames(): Promise<string[]> {
    return this.page
      .getByTestId('stage-name')
      .evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))
  }

  async addStage(stage: { name: string; probability: string; rotAfterDays?: string }): Promise<void> {
    await this.page.getByTestId('add-stage-name').fill(stage.name)
    await this.page.getByTestId('add-stage-probability').fill(stage.probability)
    await this.page.getByTestId('add-stage-rotAfterDays').fill(stage.rotAfterDays ?? '')
    await this.page.getByTestId('add-stage').click()
  }

  /** The plain-words error shown beside a field of the add-stage form, or null. */
  async addStageError(): Promise<string | null> {
    const error = this.page.locator('form[aria-label="Add a stage"] .field-error').first()
    return (await error.count()) > 0 ? error.innerText() : null
  }

  /** Removes a stage, answering the dialog with the stage its deals go to. */
  async removeStage(stageId: string, moveToStageId: string): Promise<void> {
    await this.stageRow(stageId).getByTestId('remove-stage').click()
    const dialog = this.page.getByTestId('remove-stage-dialog')
    await dialog.getByTestId('remove-stage-target').selectOption(moveToStageId)
    await dialog.getByTestId('remove-stage-confirm').click()
    await dialog.waitFor({ state: 'detached' })
  }

  async addCustomField(field: {
    label: string
    entity: 'account' | 'contact' | 'deal' | 'ticket'
    type: string
    options?: string
    required?: boolean
  }): Promise<void> {
    await this.page.getByTestId('new-field-label').fill(field.label)
    await this.page.getByTestId('new-field-required').setChecked(field.required ?? false)
    await this.page.getByTestId('new-field-entity').selectOption(field.entity)
    await this.page.getByTestId('new-field-type').selectOption(field.type)
    if (field.options !== undefined) await this.page.getByTestId('new-field-options').fill(field.options)
    await this.page.getByTestId('add-field').click()
    await this.page.locator('[data-testid="field-def"] input[data-testid="field-label"]').first().waitFor()
  }

  /** Sets one priority's targets, in hours, and saves the policy. */
  async setSla(
    priority: 'low' | 'normal' | 'high' | 'urgent',
    firstResponseHours: string,
    resolutionHours: string,
  ) {
    await this.page.getByTestId(`sla-${priority}-firstResponse`).fill(firstResponseHours)
    await this.page.getByTestId(`sla-${priority}-resolution`).fill(resolutionHours)
    await this.page.getByTestId('save-sla').click()
    await this.page.getByRole('status').getByText('Saved.').waitFor()
  }

  async setCurrency(base: string, rates: Record<string, string>): Promise<void> {
    await this.page.getByTestId('currency-base').fill(base)
    let i = 0
    for (const [code, rate] of Object.entries(rates)) {
      await this.page.getByTestId('currency-rate-code').nth(i).fill(code)
      await this.page.getByTestId('currency-rate-value').nth(i).fill(rate)
      i++
    }
    await this.page.getByTestId('save-currency').click()
    await this.page.getByRole('status').getByText('Saved.').waitFor()
  }
}
