import type { Locator, Page } from 'playwright-core'

/** Tasks: the task list of a record (`tasks` panel) and the "My tasks" page (`#/tasks`). */
export class TasksPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async openMine(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/tasks`)
    await this.page.getByTestId('my-tasks').waitFor()
  }

  /** A task row by its title (anywhere on the page). */
  row(title: string): Locator {
    return this.page.locator(`li[data-title="${title.replaceAll('"', '\\"')}"]`)
  }

  /** The "My tasks" group a task is shown in (`overdue`, `today`, `upcoming`, `someday`, `done`), or null. */
  async groupOf(title: string): Promise<string | null> {
    const row = this.row(title)
    if ((await row.count()) === 0) return null
    const group = await row
      .first()
      .evaluate((el) => el.closest('[data-testid^="tasks-"]')?.getAttribute('data-testid'))
    return group ? group.slice('tasks-'.length) : null
  }

  /** The visible "Overdue" label of a task (not colour alone). */
  overdueLabel(title: string): Locator {
    return this.row(title).getByTestId('task-overdue')
  }

  /**
   * Adds a task in the first task panel on the page. `due` is a `datetime-local` value (`YYYY-MM-DDTHH:MM`, the
   * browser's time zone); `assignee` is the member's name as the picker shows it.
   */
  async add(input: { title: string; due?: string; assignee?: string }): Promise<void> {
    const panel = this.page.getByTestId('tasks').first()
    await panel.getByTestId('task-title').fill(input.title)
    if (input.due) await panel.getByTestId('task-new-due').fill(input.due)
    if (input.assignee) await panel.getByTestId('task-new-assignee').selectOption({ label: input.assignee })
    await panel.getByTestId('task-add').click()
    await this.row(input.title).first().waitFor()
  }

  /** Ticks (or unticks) a task's done box. */
  async toggleDone(title: string): Promise<void> {
    await this.row(title).first().getByTestId('task-done').click()
  }

  /** Number of task rows in the first task panel. */
  async rowCount(): Promise<number> {
    return this.page.getByTestId('tasks').first().locator('li[data-title]').count()
  }

  /** Whether the first task panel offers the new-task form. */
  async canAdd(): Promise<boolean> {
    return (await this.page.getByTestId('tasks').first().getByTestId('task-add').count()) > 0
  }

  /** Enabled, writable controls in the first task panel's rows (0 when read-only). */
  async editableControls(): Promise<number> {
    return this.page
      .getByTestId('tasks')
      .first()
      .locator('li[data-title] :is(input:not([disabled]):not([readonly]), select:not([disabled]), button)')
      .count()
  }

  /** The plain-words validation message beside the new task's title, or null. */
  async addError(): Promise<string | null> {
    const error = this.page.getByTestId('tasks').first().locator('.task-add .field-error')
    return (await error.count()) > 0 ? error.textContent() : null
  }

  async submitEmpty(): Promise<void> {
    const panel = this.page.getByTestId('tasks').first()
    await panel.getByTestId('task-title').fill('')
    await panel.getByTestId('task-add').click()
  }

  /** How far the widest element of "My tasks" reaches past the window's right edge (≤ 0: nothing overflows). */
  async overflowPx(): Promise<number> {
    return this.page.getByTestId('my-tasks').evaluate((root) => {
      let right = 0
      for (const el of root.querySelectorAll('*')) right = Math.max(right, el.getBoundingClientRect().right)
      return Math.ceil(right - window.innerWidth)
    })
  }

  async openInbox(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/inbox`)
    await this.page.getByTestId('inbox').waitFor()
  }

  /** Texts of the inbox's notifications of `type` (`assignment`, `reminder`, …). */
  async inboxTexts(type: string): Promise<string[]> {
    return this.page
      .locator(`[data-testid^="notification-"][data-type="${type}"] .inbox__text`)
      .allTextContents()
  }
}
