import MiniSearch from 'minisearch'

export const SEARCH_KINDS = ['accounts', 'contacts', 'deals', 'tickets', 'notes'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

/** What one searchable thing contributes: `title` is boosted, `fields` are the other indexed words, `body` long text. */
export interface SearchEntry {
  kind: SearchKind
  id: string
  title: string
  subtitle: string
  accountId: string | null
  fields: string
  body: string
}

export interface SearchHit {
  kind: SearchKind
  id: string
  title: string
  subtitle: string
  accountId: string | null
  score: number
}

interface StoredDoc extends SearchEntry {
  key: string
}

/** Full-text search of one workspace (MiniSearch: prefix + fuzzy). Entries are keyed by `kind:id`. */
export class SearchIndex {
  private readonly mini = new MiniSearch<StoredDoc>({
    idField: 'key',
    fields: ['title', 'fields', 'body'],
    storeFields: ['kind', 'id', 'title', 'subtitle', 'accountId'],
  })

  upsert(entry: SearchEntry): void {
    const doc: StoredDoc = { ...entry, key: `${entry.kind}:${entry.id}` }
    if (this.mini.has(doc.key)) this.mini.replace(doc)
    else this.mini.add(doc)
  }

  remove(kind: SearchKind, id: string): void {
    const key = `${kind}:${id}`
    if (this.mini.has(key)) this.mini.discard(key)
  }

  get size(): number {
    return this.mini.documentCount
  }

  search(query: string, options: { kinds?: readonly SearchKind[]; limit?: number } = {}): SearchHit[] {
    const q = query.trim()
    if (!q) return []
    const kinds = options.kinds ? new Set<string>(options.kinds) : null
    const results = this.mini.search(q, {
      prefix: true,
      fuzzy: (term) => (term.length > 3 ? 0.2 : false),
      combineWith: 'AND',
      boost: { title: 3, fields: 1.5 },
      filter: kinds ? (result) => kinds.has(result.kind as string) : undefined,
    })
    return results.slice(0, options.limit ?? 20).map((r) => ({
      kind: r.kind as SearchKind,
      id: r.id as string,
      title: r.title as string,
      subtitle: r.subtitle as string,
      accountId: (r.accountId as string | null) ?? null,
      score: r.score,
    }))
  }
}
