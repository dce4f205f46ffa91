import { lowerBound } from '@rapport/model'
import {
  byId,
  compareValues,
  fieldValue,
  filterEntries,
  matchesFilters,
  parseSort,
  type RecordPage,
  type RecordQuery,
  sortRows,
} from './queryRecords.ts'
import type { ProjectedRecord } from './recordKinds.ts'

export type ArchivedMode = 'false' | 'true' | 'all'

export interface ListQuery extends RecordQuery {
  archived: ArchivedMode
  /** Whether the caller may see a row (access policy); called once per candidate row, so keep it cheap. */
  visible?: (row: ProjectedRecord) => boolean
}

/** How many filtered views one kind keeps (least recently used dropped first). */
const MAX_VIEWS = 32

const archivedPasses = (mode: ArchivedMode, row: ProjectedRecord): boolean =>
  mode === 'all' || (row.archived === true) === (mode === 'true')

interface View {
  archived: ArchivedMode
  sort: string | null
  filters: ReadonlyArray<readonly [string, unknown]>
  rows: ProjectedRecord[]
}

/** The total order of a view: the sort field (if any), then id. */
function viewOrder(sort: string | null): (a: ProjectedRecord, b: ProjectedRecord) => number {
  if (!sort) return byId
  const { field, desc } = parseSort(sort)
  return (a, b) => {
    const c = compareValues(fieldValue(a, field), fieldValue(b, field))
    return (desc ? -c : c) || byId(a, b)
  }
}

/**
 * Sorted, filtered views of one kind's projected records, built on first use and kept up to date incrementally:
 * `Projection` calls `changed(before, after)` on every set or delete of a record of the kind, and each cached view
 * moves that one row (binary search + splice) instead of being re-sorted. A list query without a text query then
 * costs one pass over a cached view (visibility and total) instead of copying and sorting every record per request.
 */
export class RecordViews {
  /** `archived|sort|filters` → view. Map iteration order doubles as LRU order. */
  private readonly views = new Map<string, View>()

  constructor(private readonly records: ReadonlyMap<string, ProjectedRecord>) {}

  /** A record of the kind changed (`before`/`after` null for a create/delete): move it in every cached view. */
  changed(before: ProjectedRecord | null, after: ProjectedRecord | null): void {
    for (const [key, view] of this.views) {
      if (!this.move(view, before, after)) this.views.delete(key)
    }
  }

  /** Number of views currently cached (tests). */
  get cachedViews(): number {
    return this.views.size
  }

  query(query: ListQuery): RecordPage<ProjectedRecord> {
    const filters = filterEntries(query.filters)
    const candidates = query.matchIds
      ? this.matched(query.matchIds, query.archived, filters, query.sort)
      : this.view(query.archived, query.sort, filters)
    return paginate(candidates, query.offset, query.limit, query.visible)
  }

  /** Applies one change to `view`; false when the view is inconsistent and must be dropped. */
  private move(view: View, before: ProjectedRecord | null, after: ProjectedRecord | null): boolean {
    const passes = (row: ProjectedRecord | null): row is ProjectedRecord =>
      row !== null && archivedPasses(view.archived, row) && matchesFilters(row, view.filters)
    const order = viewOrder(view.sort)
    if (passes(before)) {
      const at = lowerBound(view.rows, before, order)
      if (view.rows[at] !== before) return false
      view.rows.splice(at, 1)
    }
    if (passes(after)) view.rows.splice(lowerBound(view.rows, after, order), 0, after)
    return true
  }

  /** Rows of a text query, in relevance order (or sorted, ties in relevance order). Small: not cached. */
  private matched(
    ids: readonly string[],
    archived: ArchivedMode,
    filters: ReadonlyArray<readonly [string, unknown]>,
    sort: string | null,
  ): ProjectedRecord[] {
    const list: ProjectedRecord[] = []
    for (const id of ids) {
      const row = this.records.get(id)
      if (row && archivedPasses(archived, row) && matchesFilters(row, filters)) list.push(row)
    }
    return sort ? sortRows(list, sort) : list
  }

  private view(
    archived: ArchivedMode,
    sort: string | null,
    filters: ReadonlyArray<readonly [string, unknown]>,
  ): readonly ProjectedRecord[] {
    const key = JSON.stringify([archived, sort, filters])
    const hit = this.views.get(key)
    if (hit) {
      this.views.delete(key)
      this.views.set(key, hit)
      return hit.rows
    }
    // Filtered views derive from the unfiltered one with the same order: filter a sorted list, never re-sort.
    const rows =
      filters.length > 0
        ? this.view(archived, sort, []).filter((row) => matchesFilters(row, filters))
        : this.base(archived, sort)
    this.views.set(key, { archived, sort, filters, rows })
    while (this.views.size > MAX_VIEWS) {
      const oldest = this.views.keys().next().value
      if (oldest === undefined) break
      this.views.delete(oldest)
    }
    return rows
  }

  private base(archived: ArchivedMode, sort: string | null): ProjectedRecord[] {
    const rows: ProjectedRecord[] = []
    for (const row of this.records.values()) if (archivedPasses(archived, row)) rows.push(row)
    rows.sort(byId)
    return sort ? sortRows(rows, sort) : rows
  }
}

/** One page of `rows` counting only visible rows; `total` counts every visible row. */
function paginate(
  rows: readonly ProjectedRecord[],
  offset: number,
  limit: number,
  visible: ((row: ProjectedRecord) => boolean) | undefined,
): RecordPage<ProjectedRecord> {
  if (!visible) {
    const items = rows.slice(offset, offset + limit)
    const next = offset + items.length
    return { items, total: rows.length, nextOffset: next < rows.length ? next : null }
  }
  const items: ProjectedRecord[] = []
  let total = 0
  for (const row of rows) {
    if (!visible(row)) continue
    if (total >= offset && items.length < limit) items.push(row)
    total += 1
  }
  const next = offset + items.length
  return { items, total, nextOffset: next < total ? next : null }
}
