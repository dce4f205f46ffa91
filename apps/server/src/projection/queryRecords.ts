/** Filter / sort / paginate plain records (the projection's rows). Pure. */
export interface RecordQuery {
  /** Field equality filters; a value `null` matches null. Undefined filters are ignored. */
  filters: Record<string, string | number | boolean | null | undefined>
  /** Ids allowed by a text query, in relevance order (null = no text query). */
  matchIds: string[] | null
  /** `field` ascending or `-field` descending; null keeps relevance order (with `q`) or id order. */
  sort: string | null
  offset: number
  limit: number
}

export interface RecordPage<T> {
  items: T[]
  total: number
  nextOffset: number | null
}

type Row = { id: string } & Record<string, unknown>

/** The value a filter or sort sees: `stage` and `status` of board records live in `position.column`. */
export function fieldValue(row: Row, field: string): unknown {
  if (field === 'stage' || field === 'stageId')
    return (row.position as { column?: unknown } | undefined)?.column
  if (field === 'status' && row.position && !('status' in row)) {
    return (row.position as { column?: unknown }).column
  }
  const dot = field.indexOf('.')
  if (dot > 0) {
    const head = row[field.slice(0, dot)]
    return head && typeof head === 'object'
      ? (head as Record<string, unknown>)[field.slice(dot + 1)]
      : undefined
  }
  return row[field]
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1
  return String(a).localeCompare(String(b), 'en', { sensitivity: 'base', numeric: true })
}

export function queryRecords<T extends Row>(rows: Iterable<T>, query: RecordQuery): RecordPage<T> {
  const filters = Object.entries(query.filters).filter(([, v]) => v !== undefined)
  let list: T[]
  if (query.matchIds) {
    const byId = new Map<string, T>()
    for (const row of rows) byId.set(row.id, row)
    list = query.matchIds.map((id) => byId.get(id)).filter((row): row is T => row !== undefined)
  } else {
    list = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }
  list = list.filter((row) => filters.every(([field, value]) => fieldValue(row, field) === value))
  if (query.sort) {
    const desc = query.sort.startsWith('-')
    const field = desc ? query.sort.slice(1) : query.sort
    // Array.prototype.sort is stable: ties keep relevance / id order.
    list.sort((a, b) => {
      const c = compareValues(fieldValue(a, field), fieldValue(b, field))
      return desc ? -c : c
    })
  }
  const total = list.length
  const items = list.slice(query.offset, query.offset + query.limit)
  const next = query.offset + items.length
  return { items, total, nextOffset: next < total ? next : null }
}
