import type { FeedEvent, FeedKind } from '@rapport/model'
import type { z } from 'zod'

/** Rows per REST page (`limit`); the list loads the pages the screen shows. */
export const PAGE_SIZE = 100
/** Feed events within this long are folded into one refetch of the visible rows. */
export const REFRESH_DEBOUNCE_MS = 50

/** What a list asks the server for: `GET /api/<kind>?q&sort&<filters>` (an empty filter value = "none"). */
export interface ListRequest {
  kind: 'accounts' | 'contacts' | 'deals' | 'tickets'
  /** `field` or `-field` (a REST sort of the kind), or null for the server's order. */
  sort: string | null
  q: string
  /** Filter key → value; `null` = any. `''` asks for records where the field is empty. */
  filters: Readonly<Record<string, string | null>>
}

export interface ListPage<T> {
  items: T[]
  total: number
}

export type LoadPage<T> = (path: string) => Promise<ListPage<T>>

export interface RelatedKind<T> {
  kind: FeedKind
  /** The row with the related record's change applied, or null when the row does not show that record. */
  patch: (row: T, event: FeedEvent) => T | null
}

export interface ServerListOptions<T> {
  /** Checks a feed event's row before it is shown (a row failing it is refetched instead). */
  schema: z.ZodType<T>
  load: LoadPage<T>
  /** Changes of other kinds the rows show (a contact row shows its account's name). */
  related?: readonly RelatedKind<T>[]
  onChange: () => void
  schedule?: (fn: () => void, ms: number) => unknown
  cancel?: (handle: unknown) => void
}

/** The path of one page of a request. */
export function pagePath(request: ListRequest, offset: number, limit: number): string {
  const params = new URLSearchParams()
  if (request.q.trim() !== '') params.set('q', request.q.trim())
  if (request.sort) params.set('sort', request.sort)
  for (const [key, value] of Object.entries(request.filters)) if (value !== null) params.set(key, value)
  params.set('offset', String(offset))
  params.set('limit', String(limit))
  return `/api/${request.kind}?${params}`
}

/** The record key a REST sort field reads (a member's name from its id, the account's name from its id, …). */
function sortedKey(field: string): string {
  if (field.startsWith('cf.')) return 'customFields'
  return SORT_KEYS[field] ?? field
}
const SORT_KEYS: Readonly<Record<string, string>> = {
  owner: 'ownerId',
  assignee: 'assigneeId',
  accountName: 'accountId',
}

/** Whether a row changed from `before` to `after` may move in, out of or within the list's order. */
function movesIn(request: ListRequest, before: object, after: object): boolean {
  if (request.q.trim() !== '') return true
  const a = before as Record<string, unknown>
  const b = after as Record<string, unknown>
  const same = (key: string) => JSON.stringify(a[key]) === JSON.stringify(b[key])
  if (request.sort && !same(sortedKey(request.sort.replace(/^-/, '')))) return true
  for (const [key, value] of Object.entries(request.filters)) {
    if (value === null) continue
    if (key.startsWith('cf.') ? !same('customFields') : !same(key)) return true
  }
  return false
}

const filtered = (request: ListRequest): boolean =>
  request.q.trim() !== '' || Object.values(request.filters).some((v) => v !== null)

/**
 * The rows of a REST list, page by page as the screen needs them, kept current by the change feed: an event for a
 * shown row patches it (or takes it out) at once, and any event of the list's kinds refetches the visible pages
 * shortly after (debounced), so order, filters, search and counts come from the server. Pages off screen are
 * dropped then and fetched again when scrolled to. While `paused` (a cell is being edited) rows are patched but
 * never moved; the refetch waits.
 */
export class ServerListStore<T extends { id: string; archived?: boolean }> {
  private request: ListRequest | null = null
  private pages = new Map<number, T[]>()
  /** Latest request token per page: an older answer that arrives late is dropped. */
  private tokens = new Map<number, number>()
  private nextToken = 1
  private generation = 0
  private range: [number, number] = [0, PAGE_SIZE]
  private timer: unknown = null
  private paused = false
  private pendingRefresh = false
  /** Matching rows; null until the first answer. */
  total: number | null = null
  /** Rows without search and filters (the "of N" of the toolbar). */
  overall: number | null = null
  error: string | null = null
  /** Increases on every change (for React). */
  version = 0

  constructor(private readonly options: ServerListOptions<T>) {}

  /** A new request (search, sort or filters changed): starts over from the first pages. */
  setRequest(request: ListRequest): void {
    this.request = request
    this.generation += 1
    this.pages = new Map()
    this.tokens = new Map()
    this.total = null
    this.error = null
    this.changed()
    this.refresh(true)
  }

  /** The rows on screen are `start`…`end` (exclusive): loads the pages they need. */
  showRange(start: number, end: number): void {
    this.range = [Math.max(0, start), Math.max(start, end)]
    for (const page of this.visiblePages())
      if (!this.pages.has(page) && !this.tokens.has(page)) this.fetch(page)
  }

  rowAt(index: number): T | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** The loaded row with `id` (a row being edited is looked up by id). */
  row(id: string): T | undefined {
    for (const rows of this.pages.values()) {
      const found = rows.find((r) => r.id === id)
      if (found) return found
    }
    return undefined
  }

  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused && this.pendingRefresh) this.scheduleRefresh()
  }

  /** Shows a local change at once (an edit on its way to the server). */
  patchRow(id: string, patch: Partial<T>): void {
    if (this.replace(id, (row) => ({ ...row, ...patch }))) this.changed()
  }

  /**
   * A feed event: patch or take out a shown row now; refetch the visible pages soon unless the event only changed
   * a shown row in place (same sort value, same filtered values, no search): an edit of a visible record costs no
   * request.
   */
  onEvent(event: FeedEvent): void {
    const request = this.request
    if (!request) return
    if (event.kind === request.kind) {
      const before = this.row(event.id)
      if (event.op === 'remove' || event.row?.archived === true) {
        if (!this.paused && this.removeRow(event.id)) this.changed()
        this.scheduleRefresh()
        return
      }
      const parsed = event.row ? this.options.schema.safeParse(event.row) : null
      if (before && parsed?.success) {
        this.replace(event.id, (row) => ({ ...row, ...parsed.data }))
        this.changed()
        if (!movesIn(request, before, parsed.data)) return
      }
      this.scheduleRefresh()
      return
    }
    const related = this.options.related?.find((r) => r.kind === event.kind)
    if (!related) return
    let touched = false
    for (const [page, rows] of this.pages) {
      let copy: T[] | null = null
      rows.forEach((row, i) => {
        const next = related.patch(row, event)
        if (next) {
          copy ??= rows.slice()
          copy[i] = next
        }
      })
      if (copy) {
        this.pages.set(page, copy)
        touched = true
      }
    }
    // A related record's change is shown in place; it never moves a row (lists do not sort by related fields).
    if (touched) this.changed()
  }

  /** The feed restarted or lost events: what is shown may be old — refetch now. */
  onReset(): void {
    this.refresh(false)
  }

  dispose(): void {
    if (this.timer !== null)
      (this.options.cancel ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>)
    this.timer = null
    this.request = null
    this.generation += 1
  }

  private scheduleRefresh(): void {
    if (this.paused) {
      this.pendingRefresh = true
      return
    }
    if (this.timer !== null) return
    const schedule = this.options.schedule ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
    this.timer = schedule(() => {
      this.timer = null
      this.refresh(false)
    }, REFRESH_DEBOUNCE_MS)
  }

  /** Refetches the visible pages (and the overall count when filtered); drops the pages off screen. */
  private refresh(first: boolean): void {
    if (!this.request) return
    if (this.paused && !first) {
      this.pendingRefresh = true
      return
    }
    this.pendingRefresh = false
    const visible = new Set(this.visiblePages())
    for (const page of [...this.pages.keys()]) if (!visible.has(page)) this.pages.delete(page)
    for (const page of [...this.tokens.keys()]) if (!visible.has(page)) this.tokens.delete(page)
    for (const page of visible) this.fetch(page)
    if (filtered(this.request)) this.fetchOverall()
  }

  private visiblePages(): number[] {
    const [start, end] = this.range
    const first = Math.floor(start / PAGE_SIZE)
    const last = Math.floor(Math.max(start, end - 1) / PAGE_SIZE)
    const pages: number[] = []
    for (let p = first; p <= last; p++) pages.push(p)
    // Only pages that can exist once the total is known.
    return this.total === null
      ? pages.slice(0, 1)
      : pages.filter((p) => p === 0 || p * PAGE_SIZE < (this.total ?? 0))
  }

  private fetch(page: number): void {
    const request = this.request
    if (!request) return
    const token = this.nextToken++
    const generation = this.generation
    this.tokens.set(page, token)
    this.options.load(pagePath(request, page * PAGE_SIZE, PAGE_SIZE)).then(
      (answer) => {
        if (generation !== this.generation || this.tokens.get(page) !== token) return
        this.tokens.delete(page)
        this.pages.set(page, answer.items)
        const grew = this.total === null
        this.total = answer.total
        if (!filtered(request)) this.overall = answer.total
        this.error = null
        this.changed()
        // The first answer tells how many rows there are: load the rest of the screen.
        if (grew) this.showRange(...this.range)
      },
      (error: unknown) => {
        if (generation !== this.generation || this.tokens.get(page) !== token) return
        this.tokens.delete(page)
        this.error = error instanceof Error ? error.message : String(error)
        this.changed()
      },
    )
  }

  private fetchOverall(): void {
    const request = this.request
    if (!request) return
    const generation = this.generation
    this.options.load(pagePath({ ...request, q: '', filters: {} }, 0, 1)).then(
      (answer) => {
        if (generation !== this.generation) return
        this.overall = answer.total
        this.changed()
      },
      () => undefined,
    )
  }

  private replace(id: string, fn: (row: T) => T): boolean {
    for (const [page, rows] of this.pages) {
      const i = rows.findIndex((r) => r.id === id)
      if (i < 0) continue
      const copy = rows.slice()
      copy[i] = fn(rows[i] as T)
      this.pages.set(page, copy)
      return true
    }
    return false
  }

  private removeRow(id: string): boolean {
    for (const [page, rows] of this.pages) {
      const i = rows.findIndex((r) => r.id === id)
      if (i < 0) continue
      this.pages.set(
        page,
        rows.filter((r) => r.id !== id),
      )
      if (this.total !== null) this.total = Math.max(0, this.total - 1)
      return true
    }
    return false
  }

  private changed(): void {
    this.version += 1
    this.options.onChange()
  }
}
