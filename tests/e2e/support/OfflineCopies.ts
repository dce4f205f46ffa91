import type { Page } from 'playwright-core'

/** The page's IndexedDB databases (the offline copies, named `rapport:<userId>:<documentName>`), seen from outside. */
export class OfflineCopies {
  constructor(readonly page: Page) {}

  /** Every IndexedDB database name of the page's origin, sorted. */
  async names(): Promise<string[]> {
    const names = await this.page.evaluate(async () =>
      (await indexedDB.databases()).flatMap((db) => (db.name ? [db.name] : [])),
    )
    return names.sort()
  }

  /** The offline copies of `userId` of documents of workspace `workspaceId`. */
  async ofWorkspace(userId: string, workspaceId: string): Promise<string[]> {
    const prefix = `rapport:${encodeURIComponent(userId)}:${workspaceId}/`
    return (await this.names()).filter((name) => name.startsWith(prefix))
  }
}
