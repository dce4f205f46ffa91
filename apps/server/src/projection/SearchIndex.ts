/*
 * The shapes of full-text search, shared by the record index (which searches: recordIndex/) and `searchEntryOf`
 * (recordKinds.ts, what a record contributes). The projection no longer keeps an in-memory search index of its own:
 * every search goes to the record index, and indexing each edit in memory only cost the update path.
 */

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
