import { describe, expect, it } from 'vitest'
import {
  chartData,
  chartSeries,
  currencyOf,
  formatAxis,
  formatValue,
  headline,
  rowLabel,
} from './formatFigures.ts'
import type { ReportResult } from './reportsApi.ts'

const report = (converted: boolean, rows: ReportResult['rows']): ReportResult => ({
  id: 'sales.pipeline',
  title: 'Pipeline by stage',
  filters: {},
  currency: { base: converted ? 'EUR' : null, converted },
  columns: [
    { key: 'stage', label: 'Stage', type: 'text' },
    { key: 'count', label: 'Deals', type: 'number' },
    { key: 'total', label: 'Total', type: 'money' },
  ],
  rows,
  chart: { type: 'bar', x: 'stage', series: ['total', 'count', 'stage'] },
  seq: 3,
  generatedAt: 0,
})

describe('figures', () => {
  it('formats by column type', () => {
    expect(formatValue(1234.5, 'money', 'EUR')).toBe('€1,235')
    expect(formatValue(1234, 'money', 'ZZZ')).toMatch(/ZZZ\s1,234/)
    expect(formatValue(1234, 'money', null)).toBe('1,234')
    expect(formatValue(0.256, 'percent')).toBe('25.6%')
    expect(formatValue(3.25, 'days')).toBe('3.3 d')
    expect(formatValue(null, 'number')).toBe('—')
    expect(formatValue(Number.NaN, 'number')).toBe('—')
    expect(formatValue('2026-05', 'month')).toBe('2026-05')
    expect(formatAxis(1_600_000, 'money')).toBe('1.6M')
    expect(formatAxis(0.25, 'percent')).toBe('25%')
  })

  it('labels rows per currency when the report did not convert, in the base currency when it did', () => {
    const perCurrency = report(false, [
      { key: 'won:USD', label: 'Won', values: { stage: 'Won', count: 2, total: 300 }, currency: 'USD' },
      { key: 'won:EUR', label: 'Won', values: { stage: 'Won', count: 1, total: 100 }, currency: 'EUR' },
    ])
    expect(perCurrency.rows.map((r) => rowLabel(perCurrency, r))).toEqual(['Won (USD)', 'Won (EUR)'])
    expect(currencyOf(perCurrency, perCurrency.rows[0] as never)).toBe('USD')
    expect(headline(perCurrency)).toBeNull() // two currencies are never added up
    const converted = report(true, [
      { key: 'won', label: 'Won', values: { stage: 'Won', count: 3, total: 400 } },
    ])
    expect(rowLabel(converted, converted.rows[0] as never)).toBe('Won')
    expect(headline(converted)).toBe('Total, total: €400')
    expect(headline({ ...converted, chart: { ...converted.chart, type: 'funnel' } })).toBeNull()
  })

  it('draws only numeric series, missing values as 0', () => {
    const r = report(true, [{ key: 'a', label: 'A', values: { stage: 'A', count: null } }])
    expect(chartSeries(r).map((c) => c.key)).toEqual(['total', 'count'])
    expect(chartData(r)).toEqual([{ key: 'a', name: 'A', currency: 'EUR', total: 0, count: 0 }])
  })
})
