import { ACCOUNTS, archiveRecord, createAccount, docName, updateAccount } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { Projection } from './Projection.ts'
import type { ListQuery } from './RecordViews.ts'

const WS = 'ws_views'
const accountsName = docName({ workspaceId: WS, kind: 'accounts' })
const NOW = Date.UTC(2026, 0, 15)

function setup(names: string[]) {
  const projection = new Projection(silentLogger())
  const doc = new Y.Doc()
  projection.attach(accountsName, doc)
  const ids = names.map(
    (name, i) => createAccount(doc, { name, city: i % 2 ? 'Paris' : 'Berlin' }, null, { now: NOW + i }).id,
  )
  const views = projection.workspace(WS).views.accounts
  return { doc, ids, views }
}

const query = (over: Partial<ListQuery> = {}): ListQuery => ({
  filters: {},
  matchIds: null,
  sort: 'name',
  offset: 0,
  limit: 50,
  archived: 'false',
  ...over,
})

const names = (page: { items: Array<Record<string, unknown>> }) => page.items.map((r) => r.name)

describe('RecordViews (cached list views)', () => {
  it('sorts with the collator (case-insensitive, numeric) and pages through one cached view', () => {
    const { views } = setup(['beta 10', 'Alpha', 'beta 9', 'alpha 2', 'Gamma'])
    expect(names(views.query(query()))).toEqual(['Alpha', 'alpha 2', 'beta 9', 'beta 10', 'Gamma'])
    const second = views.query(query({ offset: 2, limit: 2 }))
    expect(names(second)).toEqual(['beta 9', 'beta 10'])
    expect(second).toMatchObject({ total: 5, nextOffset: 4 })
    expect(names(views.query(query({ sort: '-name', limit: 2 })))).toEqual(['Gamma', 'beta 10'])
    expect(views.cachedViews).toBe(2)
  })

  it('an edit moves the record in every cached view: the next query reflects it', () => {
    const { doc, ids, views } = setup(['Alpha', 'Bravo', 'Charlie'])
    expect(names(views.query(query()))).toEqual(['Alpha', 'Bravo', 'Charlie'])
    expect(names(views.query(query({ filters: { city: 'Berlin' } })))).toEqual(['Alpha', 'Charlie'])
    updateAccount(doc, ids[0] as string, { name: 'Zulu', city: 'Paris' }, null, { now: NOW + 100 })
    expect(names(views.query(query()))).toEqual(['Bravo', 'Charlie', 'Zulu'])
    expect(names(views.query(query({ filters: { city: 'Berlin' } })))).toEqual(['Charlie'])
    expect(names(views.query(query({ filters: { city: 'Paris' } })))).toEqual(['Bravo', 'Zulu'])
  })

  it('an archive leaves the default view and enters the archived one; a new record appears in place', () => {
    const { doc, ids, views } = setup(['Alpha', 'Bravo', 'Charlie'])
    expect(views.query(query()).total).toBe(3)
    expect(views.query(query({ archived: 'true' })).total).toBe(0)
    archiveRecord(doc, ACCOUNTS, ids[1] as string, null, { now: NOW + 100 })
    expect(names(views.query(query()))).toEqual(['Alpha', 'Charlie'])
    expect(names(views.query(query({ archived: 'true' })))).toEqual(['Bravo'])
    expect(views.query(query({ archived: 'all' })).total).toBe(3)
    createAccount(doc, { name: 'Bingo' }, null, { now: NOW + 200 })
    expect(names(views.query(query()))).toEqual(['Alpha', 'Bingo', 'Charlie'])
    expect(names(views.query(query({ sort: null })))).toHaveLength(3)
  })

  it('a deleted record leaves every view; ties on the sort field stay in id order', () => {
    const { doc, ids, views } = setup(['Same', 'Same', 'Other'])
    const sorted = [...ids].slice(0, 2).sort()
    expect(views.query(query()).items.map((r) => r.id)).toEqual([ids[2], ...sorted])
    doc.getMap('accounts').delete(sorted[0] as string)
    expect(views.query(query()).items.map((r) => r.id)).toEqual([ids[2], sorted[1]])
  })

  it('counts only visible rows and keeps a text query in relevance order', () => {
    const { ids, views } = setup(['Alpha', 'Bravo', 'Charlie'])
    const page = views.query(query({ visible: (row) => row.id !== ids[0], limit: 1 }))
    expect(names(page)).toEqual(['Bravo'])
    expect(page).toMatchObject({ total: 2, nextOffset: 1 })
    const matched = views.query(query({ sort: null, matchIds: [ids[2] as string, 'nope', ids[0] as string] }))
    expect(names(matched)).toEqual(['Charlie', 'Alpha'])
  })
})

describe('Projection bootstrap then attach', () => {
  it('reads a document when it loads (not at bootstrap) and reports its invalid records live', async () => {
    const store = memoryStore()
    const source = new Y.Doc()
    const good = createAccount(source, { name: 'Good' }, null, { now: NOW })
    const bad = createAccount(source, { name: 'Bad' }, null, { now: NOW })
    source.getMap<Y.Map<unknown>>('accounts').get(bad.id)?.set('tier', 'nonsense')
    await store.store(accountsName, Y.encodeStateAsUpdate(source))

    const projection = new Projection(silentLogger())
    const invalid: string[] = []
    projection.on((event) => {
      if (event.type === 'invalid') invalid.push(event.id)
    })
    expect(await projection.bootstrap(store)).toBe(0)
    const ws = projection.workspace(WS)
    expect(ws.records.accounts.size).toBe(0)
    expect(invalid).toEqual([])

    const loaded = new Y.Doc()
    Y.applyUpdate(loaded, (await store.load(accountsName)) as Uint8Array)
    projection.attach(accountsName, loaded)
    expect([...ws.records.accounts.keys()]).toEqual([good.id])
    expect(invalid).toEqual([bad.id])
    updateAccount(loaded, good.id, { name: 'Better' }, null, { now: NOW + 1 })
    expect(ws.records.accounts.get(good.id)?.name).toBe('Better')
  })

  it('re-indexes a document that changed between bootstrap and attach', async () => {
    const store = memoryStore()
    const source = new Y.Doc()
    const a = createAccount(source, { name: 'Before' }, null, { now: NOW })
    await store.store(accountsName, Y.encodeStateAsUpdate(source))
    const projection = new Projection(silentLogger())
    await projection.bootstrap(store)
    source.getMap('accounts').delete(a.id)
    const b = createAccount(source, { name: 'After' }, null, { now: NOW + 1 })
    projection.attach(accountsName, source)
    const ws = projection.workspace(WS)
    expect([...ws.records.accounts.keys()]).toEqual([b.id])
  })
})
