import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type { DuplicateKind } from '../recordIndex/duplicateKeys.ts'

/** One merge as remembered: `mergedId` was merged into `survivorId` (the merged record is archived). */
export interface MergeEntry {
  kind: DuplicateKind
  survivorId: string
  mergedId: string
  at: number
  by: string
}

interface LogState {
  /** Per workspace: `kind:a:b` (a < b) of pairs dismissed as "not a duplicate". */
  dismissed: Record<string, string[]>
  /** Per workspace: merged record id → the merge. */
  merges: Record<string, Record<string, MergeEntry>>
}

const pairKey = (kind: DuplicateKind, a: string, b: string): string =>
  a < b ? `${kind}:${a}:${b}` : `${kind}:${b}:${a}`

/**
 * What the duplicate tools remember beyond the documents: pairs dismissed as "not a duplicate" and the merges made
 * (`mergedInto` pointers), in `duplicates.json` of the data directory. Not derived data, so not in the record index
 * (which is rebuilt from the documents). A deleted workspace's entries are dropped by `forget`.
 */
export class DuplicateLog {
  private constructor(private readonly db: Low<LogState>) {}

  static async open(file: string): Promise<DuplicateLog> {
    const db = new Low<LogState>(new JSONFile<LogState>(file), { dismissed: {}, merges: {} })
    await db.read()
    db.data.dismissed ??= {}
    db.data.merges ??= {}
    return new DuplicateLog(db)
  }

  isDismissed(workspaceId: string, kind: DuplicateKind, a: string, b: string): boolean {
    return this.dismissedSet(workspaceId).has(pairKey(kind, a, b))
  }

  dismissedSet(workspaceId: string): ReadonlySet<string> {
    return new Set(this.db.data.dismissed[workspaceId] ?? [])
  }

  static pairKey = pairKey

  async dismiss(workspaceId: string, kind: DuplicateKind, a: string, b: string): Promise<void> {
    const list = this.db.data.dismissed[workspaceId] ?? []
    const key = pairKey(kind, a, b)
    if (list.includes(key)) return
    list.push(key)
    this.db.data.dismissed[workspaceId] = list
    await this.db.write()
  }

  mergedInto(workspaceId: string, id: string): MergeEntry | null {
    return this.db.data.merges[workspaceId]?.[id] ?? null
  }

  async recordMerge(workspaceId: string, entry: MergeEntry): Promise<void> {
    const merges = this.db.data.merges[workspaceId] ?? {}
    merges[entry.mergedId] = entry
    this.db.data.merges[workspaceId] = merges
    await this.db.write()
  }

  async forget(workspaceId: string): Promise<void> {
    delete this.db.data.dismissed[workspaceId]
    delete this.db.data.merges[workspaceId]
    await this.db.write()
  }
}
