import { describe, expect, it } from 'vitest'
import {
  addableReports,
  addWidget,
  type Layout,
  MAX_WIDGETS,
  moveWidget,
  normalizeLayout,
  removeWidget,
  resizeWidget,
  sameLayout,
  shiftWidget,
  suggestedLayout,
} from './dashboardLayout.ts'
import type { ReportInfo } from './reportsApi.ts'

const L: Layout = [
  { reportId: 'a', size: 'wide' },
  { reportId: 'b', size: 'small' },
  { reportId: 'c', size: 'small' },
]
const ids = (layout: Layout) => layout.map((w) => w.reportId).join('')
const report = (id: string, family: ReportInfo['family']): ReportInfo => ({
  id,
  title: id,
  family,
  chart: 'bar',
  description: '',
})

describe('dashboard layout', () => {
  it('adds a report once, small, at the end, and never past the cap', () => {
    expect(addWidget(L, 'd')).toEqual([...L, { reportId: 'd', size: 'small' }])
    expect(addWidget(L, 'b')).toBe(L)
    const full = Array.from({ length: MAX_WIDGETS }, (_, i) => ({
      reportId: `r${i}`,
      size: 'small' as const,
    }))
    expect(addWidget(full, 'x')).toBe(full)
  })

  it('removes, moves, shifts and resizes', () => {
    expect(ids(removeWidget(L, 'b'))).toBe('ac')
    expect(ids(moveWidget(L, 'a', 2))).toBe('bca')
    expect(ids(moveWidget(L, 'c', 0))).toBe('cab')
    expect(ids(moveWidget(L, 'c', 99))).toBe('abc')
    expect(moveWidget(L, 'zz', 0)).toBe(L)
    expect(ids(shiftWidget(L, 'b', -1))).toBe('bac')
    expect(ids(shiftWidget(L, 'b', 1))).toBe('acb')
    expect(ids(shiftWidget(L, 'a', -1))).toBe('abc')
    expect(ids(shiftWidget(L, 'c', 1))).toBe('abc')
    expect(resizeWidget(L, 'b', 'wide')[1]).toEqual({ reportId: 'b', size: 'wide' })
    expect(L[1]?.size).toBe('small') // never mutated
  })

  it('normalizes a stored layout: each report once, at most the cap, unknown reports kept', () => {
    const stored = [
      ...L,
      { reportId: 'a', size: 'small' as const },
      { reportId: 'gone', size: 'small' as const },
    ]
    expect(ids(normalizeLayout(stored))).toBe('abcgone')
    const many = Array.from({ length: 40 }, (_, i) => ({ reportId: `r${i}`, size: 'small' as const }))
    expect(normalizeLayout(many)).toHaveLength(MAX_WIDGETS)
  })

  it('suggests one report per family in turn, six at most, the first wide', () => {
    const reports = [
      report('s1', 'sales'),
      report('s2', 'sales'),
      report('s3', 'sales'),
      report('l1', 'leads'),
      report('v1', 'service'),
      report('v2', 'service'),
      report('c1', 'customers'),
    ]
    const suggested = suggestedLayout(reports)
    expect(ids(suggested)).toBe('s1v1l1c1s2v2')
    expect(suggested.map((w) => w.size)).toEqual(['wide', 'small', 'small', 'small', 'small', 'small'])
    expect(suggestedLayout([])).toEqual([])
    expect(ids(suggestedLayout([report('x', 'leads')]))).toBe('x')
  })

  it('lists what can still be added and compares layouts', () => {
    expect(addableReports(L, [report('a', 'sales'), report('d', 'leads')]).map((r) => r.id)).toEqual(['d'])
    expect(sameLayout(L, [...L])).toBe(true)
    expect(sameLayout(L, resizeWidget(L, 'a', 'small'))).toBe(false)
    expect(sameLayout(L, L.slice(1))).toBe(false)
  })
})
