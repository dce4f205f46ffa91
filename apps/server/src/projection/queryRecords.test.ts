import { describe, expect, it } from 'vitest'
import { queryRecords } from './queryRecords.ts'

const rows = [
  { id: 'a', name: 'Delta', tier: 'growth', amount: 5, position: { column: 'lead', key: 'a0' } },
  { id: 'b', name: 'alpha', tier: 'standard', amount: 50, position: { column: 'won', key: 'a0' } },
  { id: 'c', name: 'Charlie', tier: 'growth', amount: null, position: { column: 'lead', key: 'a1' } },
  { id: 'd', name: 'bravo', tier: 'growth', amount: 20, position: { column: 'lead', key: 'a2' } },
]
const base = { filters: {}, matchIds: null, sort: null, offset: 0, limit: 50 }

describe('queryRecords', () => {
  it('filters by equality, including stage from position.column', () => {
    const page = queryRecords(rows, {
      ...base,
      filters: { tier: 'growth', stage: 'lead', ownerId: undefined },
    })
    expect(page.items.map((r) => r.id)).toEqual(['a', 'c', 'd'])
    expect(page.total).toBe(3)
  })

  it('sorts ascending case-insensitively and descending with nulls last when ascending', () => {
    expect(queryRecords(rows, { ...base, sort: 'name' }).items.map((r) => r.id)).toEqual(['b', 'd', 'c', 'a'])
    expect(queryRecords(rows, { ...base, sort: 'amount' }).items.map((r) => r.id)).toEqual([
      'a',
      'd',
      'b',
      'c',
    ])
    expect(queryRecords(rows, { ...base, sort: '-amount' }).items.map((r) => r.id)).toEqual([
      'c',
      'b',
      'd',
      'a',
    ])
  })

  it('paginates with a next offset until the end', () => {
    const first = queryRecords(rows, { ...base, sort: 'name', limit: 3 })
    expect(first.items.map((r) => r.id)).toEqual(['b', 'd', 'c'])
    expect(first.nextOffset).toBe(3)
    const second = queryRecords(rows, { ...base, sort: 'name', limit: 3, offset: 3 })
    expect(second.items.map((r) => r.id)).toEqual(['a'])
    expect(second.nextOffset).toBeNull()
  })

  it('keeps relevance order of a text query and drops ids that are not rows', () => {
    const page = queryRecords(rows, { ...base, matchIds: ['d', 'zz', 'a'] })
    expect(page.items.map((r) => r.id)).toEqual(['d', 'a'])
  })
})
