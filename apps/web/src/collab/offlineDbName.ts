const PREFIX = 'rapport'

/** IndexedDB database name of one user's offline copy of one document. Different users never share one. */
export function offlineDbName(userId: string, documentName: string): string {
  return `${PREFIX}:${encodeURIComponent(userId)}:${documentName}`
}

/** True when `dbName` is `userId`'s offline copy of a document of workspace `workspaceId` (names start `W/`). */
export function isOfflineDbOfWorkspace(userId: string, workspaceId: string, dbName: string): boolean {
  return dbName.startsWith(`${PREFIX}:${encodeURIComponent(userId)}:${workspaceId}/`)
}

/** True when `dbName` is one of `userId`'s offline copies. */
export function isOfflineDbOf(userId: string, dbName: string): boolean {
  return dbName.startsWith(`${PREFIX}:${encodeURIComponent(userId)}:`)
}

interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

function defaultStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

/**
 * Remembers which offline databases a user has, so logout can delete all of them (also in browsers
 * without `indexedDB.databases()`).
 */
export class OfflineIndex {
  private readonly key: string

  constructor(
    private readonly userId: string,
    private readonly storage: KeyValueStorage | null = defaultStorage(),
  ) {
    this.key = `${PREFIX}:offline-dbs:${encodeURIComponent(userId)}`
  }

  list(): string[] {
    const raw = this.storage?.getItem(this.key)
    if (!raw) return []
    try {
      const parsed: unknown = JSON.parse(raw)
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
    } catch {
      return []
    }
  }

  add(dbName: string): void {
    const names = this.list()
    if (names.includes(dbName)) return
    this.storage?.setItem(this.key, JSON.stringify([...names, dbName]))
  }

  /** Deletes every known offline database of this user (and any others `indexedDB.databases()` reveals). */
  async clearAll(deleteDb: (name: string) => Promise<unknown>): Promise<void> {
    const names = new Set(this.list())
    for (const name of await this.browserDatabases()) if (isOfflineDbOf(this.userId, name)) names.add(name)
    await Promise.all([...names].map((n) => deleteDb(n).catch(() => undefined)))
    this.storage?.removeItem(this.key)
  }

  /**
   * Deletes this user's offline databases of one workspace (it was deleted, or the user left or was removed from it):
   * its data must not stay in the browser. The user's copies of other workspaces stay.
   */
  async clearWorkspace(workspaceId: string, deleteDb: (name: string) => Promise<unknown>): Promise<void> {
    const matches = (name: string) => isOfflineDbOfWorkspace(this.userId, workspaceId, name)
    const names = new Set(this.list().filter(matches))
    for (const name of await this.browserDatabases()) if (matches(name)) names.add(name)
    await Promise.all([...names].map((n) => deleteDb(n).catch(() => undefined)))
    const left = this.list().filter((n) => !names.has(n))
    if (left.length === 0) this.storage?.removeItem(this.key)
    else this.storage?.setItem(this.key, JSON.stringify(left))
  }

  /** Names of this origin's IndexedDB databases, where the browser can list them. */
  private async browserDatabases(): Promise<string[]> {
    if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return []
    const dbs = await indexedDB.databases().catch(() => [])
    return dbs.flatMap((db) => (db.name ? [db.name] : []))
  }
}
