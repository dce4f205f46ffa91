import type { FeedEvent } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ListPage, type ListRequest, PAGE_SIZE, pagePath, ServerListStore } from './ServerListStore.ts'

const Row = z.object({
  id: z.string(),
  name: z.string(),
  accountId: z.string().nullable().optional(),
  archived: z.boolean().optional(),
})
type Row = z.infer<typeof Row>

/** A fake server: the list's rows, answering page paths; answers are released by hand. */
function fakeServer(rows: Row[]) {
  const calls: string[] = []
  const pending: Array<() => void> = []
  const load = (path: string): Promise<ListPage<Row>> => {
    calls.push(path)
    const url = new URL(path, 'http://x')
    const offset = Number(url.searchParams.get('offset'))
    const limit = Number(url.searchParams.get('limit'))
    const q = url.searchParams.get('q')
    return new Promise((resolve) =>
      pending.push(() => {
        const matching = q ? rows.filter((r) => r.name.includes(q)) : rows
        resolve({ items: matching.slice(offset, offset + limit), total: matching.length })
      }),
    )
  }
  const flush = async () => {
    while (pending.length > 0) {
      for (const answer of pending.splice(0)) answer()
      await new Promise((r) => setTimeout(r, 0))
    }
  }
  return { calls, load, flush, rows }
}

function setup(count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `r${String(i).padStart(4, '0')}`,
    name: `Row ${i}`,
  }))
  const server = fakeServer(rows)
  const timers: Array<() => void> = []
  const store = new ServerListStore<Row>({
    schema: Row,
    load: server.load,
    onChange: () => {},
    schedule: (fn) => timers.push(fn),
    cancel: () => {},
    related: [
      {
        kind: 'accounts',
        patch: (row, event) =>
          row.accountId === event.id ? { ...row, name: `of ${String(event.row?.name)}` } : null,
      },
    ],
  })
  const runTimers = () => {
    for (const t of timers.splice(0)) t()
  }
  return { store, server, runTimers }
}

const request: ListRequest = { kind: 'accounts', sort: 'name', q: '', filters: {} }
const event = (e: Partial<FeedEvent> & { id: string }): FeedEvent => ({
  v: 1,
  seq: 1,
  kind: 'accounts',
  op: 'upsert',
  ...e,
})

describe('ServerListStore', () => {
  it('builds page paths with search, sort and filters (an empty filter value is kept)', () => {
    expect(
      pagePath(
        { kind: 'contacts', sort: '-score', q: ' ada ', filters: { accountId: '', source: null } },
        100,
        100,
      ),
    ).toBe('/api/contacts?q=ada&sort=-score&accountId=&offset=100&limit=100')
  })

  it('loads the first page, then the pages the screen shows, and drops off-screen pages on refresh', async () => {
    const { store, server, runTimers } = setup(350)
    store.setRequest(request)
    await server.flush()
    expect(store.total).toBe(350)
    expect(store.rowAt(0)?.id).toBe('r0000')
    expect(store.rowAt(PAGE_SIZE)).toBeUndefined()
    store.showRange(180, 230)
    await server.flush()
    expect(store.rowAt(200)?.id).toBe('r0200')
    expect(server.calls.at(-1)).toContain('offset=200')
    // A feed event refetches only the visible pages (1 and 2); page 0 is dropped.
    store.onEvent(event({ id: 'nope', row: { id: 'nope', name: 'New' } }))
    const before = server.calls.length
    runTimers()
    await server.flush()
    expect(server.calls.slice(before).map((c) => new URL(c, 'http://x').searchParams.get('offset'))).toEqual([
      '100',
      '200',
    ])
    expect(store.rowAt(0)).toBeUndefined()
  })

  it('patches a shown row at once from the event, removes an archived one, and refetches after the debounce', async () => {
    const { store, server, runTimers } = setup(3)
    store.setRequest(request)
    await server.flush()
    store.onEvent(event({ id: 'r0001', row: { id: 'r0001', name: 'Renamed' } }))
    expect(store.rowAt(1)?.name).toBe('Renamed')
    store.onEvent(event({ id: 'r0002', row: { id: 'r0002', name: 'x', archived: true } }))
    expect(store.total).toBe(2)
    expect(store.row('r0002')).toBeUndefined()
    // A malformed row is not shown (the refetch brings the truth).
    store.onEvent(event({ id: 'r0000', row: { id: 'r0000', name: 42 } }))
    expect(store.rowAt(0)?.name).toBe('Row 0')
    const calls = server.calls.length
    runTimers()
    expect(server.calls.length).toBe(calls + 1)
    // An edit of a shown row that keeps its sort value costs no request; one that changes it refetches.
    store.onEvent(event({ id: 'r0000', row: { id: 'r0000', name: 'Row 0', accountId: 'acc_9' } }))
    expect(store.rowAt(0)?.accountId).toBe('acc_9')
    runTimers()
    expect(server.calls.length).toBe(calls + 1)
    store.onEvent(event({ id: 'r0000', row: { id: 'r0000', name: 'Zed' } }))
    runTimers()
    expect(server.calls.length).toBe(calls + 2)
    // Events of other kinds are ignored unless related.
    store.onEvent(event({ id: 'r0000', kind: 'deals' }))
    runTimers()
    expect(server.calls.length).toBe(calls + 2)
  })

  it('patches rows of a related record and holds refetches while paused', async () => {
    const { store, server, runTimers } = setup(2)
    server.rows[0] = { id: 'r0000', name: 'Row 0', accountId: 'acc_1' }
    store.setRequest({ ...request, kind: 'contacts' })
    await server.flush()
    store.setPaused(true)
    store.onEvent(event({ id: 'acc_1', row: { id: 'acc_1', name: 'Acme' } }))
    expect(store.rowAt(0)?.name).toBe('of Acme')
    store.onEvent(event({ id: 'r0001', kind: 'contacts', op: 'remove' }))
    expect(store.row('r0001')).toBeDefined()
    const calls = server.calls.length
    runTimers()
    expect(server.calls.length).toBe(calls)
    // Unpaused, the held refetch (for the removal) runs.
    store.setPaused(false)
    runTimers()
    expect(server.calls.length).toBe(calls + 1)
  })

  it('drops a late answer of an older request, and counts all rows separately when filtered', async () => {
    const { store, server } = setup(5)
    store.setRequest(request)
    store.setRequest({ ...request, q: 'Row 3' })
    await server.flush()
    expect(store.total).toBe(1)
    expect(store.overall).toBe(5)
    expect(store.rowAt(0)?.id).toBe('r0003')
  })
})
