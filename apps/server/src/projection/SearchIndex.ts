import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch'

/** Terms shorter than this are matched exactly or by prefix, never fuzzily. */
const FUZZY_MIN_LENGTH = 5
/** Above this many wanted hits, search runs the widest tier only (see `search`). */
const MAX_TIERED_LIMIT = 200

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

interface IndexedDoc {
  key: string
  title: string
  fields: string
  body: string
}

type Shown = Omit<SearchEntry, 'fields' | 'body'>

/** How long changes wait for more before MiniSearch applies them (reads apply them at once). */
const SETTLE_MS = 20

const keyOf = (kind: SearchKind, id: string): string => `${kind}:${id}`
const kindOfKey = (key: string): string => key.slice(0, key.indexOf(':'))

/**
 * Full-text search of one workspace (MiniSearch). Entries are keyed by `kind:id`. What a hit shows (title, subtitle,
 * account) is kept here rather than as MiniSearch stored fields, so a query copies it for the returned page only,
 * not for each of the thousands of documents a common word matches.
 */
export class SearchIndex {
  private readonly mini = new MiniSearch<IndexedDoc>({
    idField: 'key',
    fields: ['title', 'fields', 'body'],
    storeFields: [],
  })
  private readonly shown = new Map<string, Shown>()

  /**
   * Changes not yet applied to MiniSearch (`kind:id` → entry, or null for a removal). Indexing runs off the update
   * that caused it (SETTLE_MS after the first pending change, so a burst of edits — a record's keystrokes — indexes
   * each record once, and MiniSearch's replace/vacuum does not run on the event loop after every update), and every
   * read applies what is pending first: a search always sees every change made before it.
   */
  private readonly pending = new Map<string, SearchEntry | null>()
  private settleScheduled = false

  upsert(entry: SearchEntry): void {
    this.defer(keyOf(entry.kind, entry.id), entry)
  }

  remove(kind: SearchKind, id: string): void {
    this.defer(keyOf(kind, id), null)
  }

  get size(): number {
    this.settle()
    return this.mini.documentCount
  }

  /** Applies every pending change now. */
  settle(): void {
    if (this.pending.size === 0) return
    for (const [key, entry] of this.pending) {
      if (entry) this.apply(key, entry)
      else if (this.shown.delete(key) && this.mini.has(key)) this.mini.discard(key)
    }
    this.pending.clear()
  }

  private defer(key: string, entry: SearchEntry | null): void {
    this.pending.set(key, entry)
    if (this.settleScheduled) return
    this.settleScheduled = true
    setTimeout(() => {
      this.settleScheduled = false
      this.settle()
    }, SETTLE_MS).unref?.()
  }

  private apply(key: string, entry: SearchEntry): void {
    const doc: IndexedDoc = { key, title: entry.title, fields: entry.fields, body: entry.body }
    const previous = this.shown.get(key)
    if (previous && this.mini.has(key)) this.mini.replace(doc)
    else this.mini.add(doc)
    const { kind, id, title, subtitle, accountId } = entry
    this.shown.set(key, { kind, id, title, subtitle, accountId })
  }

  /**
   * Tiered matching, all terms required (AND): exact words first; words as prefixes (from two letters) only when
   * exact matches do not fill `limit`; typo tolerance (1–2 edits, terms of 5+ letters) only when prefixes do not
   * either. Later tiers weigh less in MiniSearch's scoring anyway, so a full page of earlier-tier hits keeps its
   * order; skipping them saves expanding a common prefix to hundreds of indexed words on every keystroke.
   */
  search(query: string, options: { kinds?: readonly SearchKind[]; limit?: number } = {}): SearchHit[] {
    const q = query.trim()
    if (!q) return []
    this.settle()
    const limit = options.limit ?? 20
    const kinds = options.kinds ? new Set<string>(options.kinds) : null
    const base = {
      combineWith: 'AND',
      boost: { title: 3, fields: 1.5 },
      filter: kinds ? (result: SearchResult) => kinds.has(kindOfKey(result.id as string)) : undefined,
    } satisfies SearchOptions
    const terms = q.split(/\s+/)
    const prefixed = { ...base, prefix: (term: string) => term.length >= 2 }
    const fuzzy = {
      ...prefixed,
      fuzzy: (term: string) => (term.length >= FUZZY_MIN_LENGTH ? 0.2 : false),
      maxFuzzy: 2,
    }
    // A large limit (a list filtered by a text query wants every match) goes straight to the widest tier.
    if (limit > MAX_TIERED_LIMIT) return this.hits(this.mini.search(q, fuzzy), limit)
    let results = this.mini.search(q, base)
    if (results.length < limit && terms.some((term) => term.length >= 2)) {
      results = this.mini.search(q, prefixed)
    }
    if (results.length < limit && terms.some((term) => term.length >= FUZZY_MIN_LENGTH)) {
      results = this.mini.search(q, fuzzy)
    }
    return this.hits(results, limit)
  }

  private hits(results: SearchResult[], limit: number): SearchHit[] {
    const hits: SearchHit[] = []
    for (const r of results) {
      if (hits.length >= limit) break
      const shown = this.shown.get(r.id as string)
      if (shown) hits.push({ ...shown, score: r.score })
    }
    return hits
  }
}
