import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'

/*
 * Key tables written by `apply` in the record's transaction (`dup_keys`: duplicateKeys.ts, `import_keys`:
 * importKeys.ts): rows (workspace_id, kind, <key columns>, id), indexed by (workspace_id, kind, id). A batch replaces
 * the rows of every record it touched: removed and archived records keep none.
 */

// biome-ignore lint/suspicious/noExplicitAny: Kysely over a schema built at run time (as kyselyRecordIndex.ts)
export type KeyDb = import('kysely').Kysely<any> | import('kysely').Transaction<any>

export interface KeyedChange {
  change:
    | { op: 'upsert'; workspaceId: string; kind: RecordKind; id: string; record: ProjectedRecord }
    | { op: 'remove'; workspaceId: string; kind: RecordKind; id: string }
}

/** Per row: the key columns between `kind` and `id` (e.g. `{ rule, value }`). */
export type KeyColumns = Record<string, string>

/**
 * Replaces in `table` the key rows of the records of `items` whose kind `isKind` accepts: deletes those records'
 * rows, then inserts `keysOf` of each upserted, non-archived one.
 */
export async function replaceKeyRows<K extends RecordKind>(
  trx: KeyDb,
  table: string,
  items: readonly KeyedChange[],
  isKind: (kind: RecordKind) => kind is K,
  keysOf: (kind: K, record: ProjectedRecord) => Iterable<KeyColumns>,
): Promise<void> {
  const rows: Array<Record<string, string>> = []
  const touched = new Map<string, { workspaceId: string; kind: K; ids: string[] }>()
  for (const { change } of items) {
    const kind = change.kind
    if (!isKind(kind)) continue
    const group = `${change.workspaceId}\u0000${kind}`
    const entry = touched.get(group) ?? { workspaceId: change.workspaceId, kind, ids: [] }
    entry.ids.push(change.id)
    touched.set(group, entry)
    if (change.op !== 'upsert' || change.record.archived === true) continue
    for (const columns of keysOf(kind, change.record))
      rows.push({ workspace_id: change.workspaceId, kind, ...columns, id: change.id })
  }
  for (const { workspaceId, kind, ids } of touched.values()) {
    for (let i = 0; i < ids.length; i += 500) {
      await trx
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind)
        .where('id', 'in', ids.slice(i, i + 500))
        .execute()
    }
  }
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + 200))
      .execute()
}
