import type { Locator, Page } from 'playwright-core'

/** The Trash (`#/trash`): archived records by kind, with Restore (and Delete for good for admins). */
export class TrashPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/trash`)
    await this.page.getByTestId('trash').waitFor()
  }

  /** The row of an archived record in the group of its kind (`accounts`, `contacts`, `deals`, `tickets`, `tasks`). */
  row(kind: string, id: string): Locator {
    return this.page.getByTestId(`trash-${kind}`).getByTestId(`trash-row-${id}`)
  }

  async restore(kind: string, id: string): Promise<void> {
    await this.row(kind, id).getByTestId('restore').click()
    await this.row(kind, id).waitFor({ state: 'detached' })
  }

  /** Deletes an archived record for good (admins), accepting the confirmation. */
  async deleteForGood(kind: string, id: string): Promise<void> {
    this.page.once('dialog', (dialog) => void dialog.accept())
    await this.row(kind, id).getByTestId('delete-for-good').click()
    await this.row(kind, id).waitFor({ state: 'detached' })
  }

  /** Opens a contact's page and archives it there. */
  async archiveContact(id: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/contacts/${id}`)
    await this.page.getByTestId('contact-page').waitFor()
    await this.archiveShown()
  }

  /** Restore buttons on the page (a viewer gets none). */
  async restoreButtons(): Promise<number> {
    await this.page.getByTestId('trash-accounts').waitFor()
    return this.page.getByTestId('restore').count()
  }

  /** Archives the record shown on the current page with its "Archive" button. */
  async archiveShown(): Promise<void> {
    await this.page.getByTestId('archive-record').click()
  }
}
