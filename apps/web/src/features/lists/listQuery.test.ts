import { Prng } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import {
  filterRows,
  freezeOrder,
  haystackCache,
  matchesTokens,
  queryTokens,
  type RowQuery,
  sortRows,
  toggleSort,
} from './listQuery.ts'

interface Row {
  id: string
  name: string
  tier: string
  owner: string | null
  score: number | null
}

const rows: Row[] = [
  { id: 'r3', name: 'beta Labs', tier: 'growth', owner: 'u1', score: 10 },
  { id: 'r1', name: 'Acme Berlin', tier: 'strategic', owner: null, score: 90 },
  { id: 'r2', name: 'acme Paris', tier: 'growth', owner: 'u2', score: null },
  { id: 'r4', name: 'Item 10', tier: 'standard', owner: 'u1', score: 10 },
  { id: 'r5', name: 'Item 9', tier: 'standard', owner: 'u1', score: 2 },
  { id: 'r6', name: '', tier: 'standard', owner: 'u2', score: 5 },
]

const query = (patch: Partial<RowQuery<Row>>): RowQuery<Row> => ({
  text: '',
  haystack: haystackCache((r: Row) => [r.name, r.tier]),
  filters: {},
  filterValue: (r, key) => (key === 'tier' ? r.tier : key === 'owner' ? r.owner : null),
  ...patch,
})

describe('toggleSort', () => {
  it('sorts a new column ascending and flips the same column', () => {
    expect(toggleSort(null, 'name')).toEqual({ field: 'name', dir: 'asc' })
    expect(toggleSort({ field: 'name', dir: 'asc' }, 'name')).toEqual({ field: 'name', dir: 'desc' })
    expect(toggleSort({ field: 'name', dir: 'desc' }, 'name')).toEqual({ field: 'name', dir: 'asc' })
    expect(toggleSort({ field: 'name', dir: 'desc' }, 'tier')).toEqual({ field: 'tier', dir: 'asc' })
  })
})

describe('sortRows', () => {
  it('sorts text case-insensitively and numerically, empty values last in both directions', () => {
    expect(sortRows(rows, (r) => r.name, 'asc').map((r) => r.id)).toEqual([
      'r1',
      'r2',
      'r3',
      'r5',
      'r4',
      'r6',
    ])
    expect(sortRows(rows, (r) => r.name, 'desc').map((r) => r.id)).toEqual([
      'r4',
      'r5',
      'r3',
      'r2',
      'r1',
      'r6',
    ])
    expect(sortRows(rows, (r) => r.score, 'desc').map((r) => r.id)).toEqual([
      'r1',
      'r3',
      'r4',
      'r6',
      'r5',
      'r2',
    ])
  })

  it('breaks ties by id, whatever the input order', () => {
    const rng = new Prng(7)
    for (let i = 0; i < 20; i++) {
      const shuffled = [...rows].sort(() => rng.next() - 0.5)
      expect(sortRows(shuffled, (r) => r.tier, 'asc').map((r) => r.id)).toEqual([
        'r2',
        'r3',
        'r4',
        'r5',
        'r6',
        'r1',
      ])
    }
  })

  it('does not mutate its input', () => {
    const copy = [...rows]
    sortRows(copy, (r) => r.name, 'asc')
    expect(copy).toEqual(rows)
  })
})

describe('text search', () => {
  it('matches every token anywhere in the haystack', () => {
    expect(queryTokens('  Acme  BERLIN ')).toEqual(['acme', 'berlin'])
    expect(matchesTokens('acme berlin strategic', ['acme', 'strat'])).toBe(true)
    expect(matchesTokens('acme berlin strategic', ['acme', 'paris'])).toBe(false)
  })

  it('caches the haystack per record object', () => {
    let calls = 0
    const hay = haystackCache((r: Row) => {
      calls += 1
      return [r.name, null, r.tier]
    })
    const first = rows[0] as Row
    expect(hay(first)).toBe('beta labs growth')
    hay(first)
    expect(calls).toBe(1)
    hay({ ...first })
    expect(calls).toBe(2)
  })
})

describe('filterRows', () => {
  it('returns a copy of everything without a query', () => {
    const out = filterRows(rows, query({}))
    expect(out).toEqual(rows)
    expect(out).not.toBe(rows)
  })

  it('combines text and filters', () => {
    expect(filterRows(rows, query({ text: 'acme' })).map((r) => r.id)).toEqual(['r1', 'r2'])
    expect(filterRows(rows, query({ text: 'acme', filters: { tier: 'growth' } })).map((r) => r.id)).toEqual([
      'r2',
    ])
    expect(filterRows(rows, query({ filters: { tier: 'standard', owner: 'u1' } })).map((r) => r.id)).toEqual([
      'r4',
      'r5',
    ])
  })

  it("matches empty values with the filter value '' and ignores null filters", () => {
    expect(filterRows(rows, query({ filters: { owner: '' } })).map((r) => r.id)).toEqual(['r1'])
    expect(filterRows(rows, query({ filters: { owner: null } }))).toHaveLength(rows.length)
  })

  it('filters and sorts 20,000 rows correctly', () => {
    const rng = new Prng(42)
    const many: Row[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: `r${i}`,
      name: `Company ${Math.floor(rng.next() * 1e6)}`,
      tier: ['growth', 'standard', 'strategic'][i % 3] as string,
      owner: i % 5 === 0 ? null : `u${i % 4}`,
      score: i % 100,
    }))
    const q = query({ text: 'company 1', filters: { tier: 'growth' } })
    const filtered = filterRows(many, q)
    const sorted = sortRows(filtered, (r) => r.name, 'asc')
    expect(sorted.length).toBeGreaterThan(0)
    const naive = many.filter((r) => r.tier === 'growth' && r.name.includes('1'))
    expect(sorted.map((r) => r.id).sort()).toEqual(naive.map((r) => r.id).sort())
    for (let i = 1; i < sorted.length; i++) {
      expect(
        (sorted[i - 1] as Row).name.localeCompare((sorted[i] as Row).name, 'en', { numeric: true }),
      ).toBeLessThanOrEqual(0)
    }
  })
})

describe('freezeOrder', () => {
  it('keeps the previous order, drops removed ids and appends new ones', () => {
    expect(freezeOrder(['a', 'b', 'c'], ['c', 'a', 'd', 'b'])).toEqual(['a', 'b', 'c', 'd'])
    expect(freezeOrder(['a', 'b', 'c'], ['c', 'a'])).toEqual(['a', 'c'])
    expect(freezeOrder([], ['x', 'y'])).toEqual(['x', 'y'])
  })
})
