import type { ColumnType, ReportColumn, ReportResult, ReportRow } from './reportsApi.ts'

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
const moneyFormats = new Map<string, Intl.NumberFormat>()
function moneyFormat(currency: string): Intl.NumberFormat | null {
  let format = moneyFormats.get(currency)
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 })
    } catch {
      return null // not an ISO code Intl knows: shown as "1,234 XYZ"
    }
    moneyFormats.set(currency, format)
  }
  return format
}

/**
 * The currency a money figure of `row` is in: the row's own when the report shows amounts per currency, the base
 * when it converted them, none when it says neither.
 */
export function currencyOf(
  report: Pick<ReportResult, 'currency'>,
  row: Pick<ReportRow, 'currency'>,
): string | null {
  return row.currency ?? (report.currency.converted ? report.currency.base : null)
}

/** One figure as text for a cell, a tooltip or the drill-down ("—" for nothing). */
export function formatValue(
  value: number | string | null | undefined,
  type: ColumnType,
  currency: string | null = null,
): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return '—'
  switch (type) {
    case 'money': {
      if (!currency) return numberFormat.format(Math.round(value))
      const format = moneyFormat(currency)
      return format ? format.format(value) : `${numberFormat.format(Math.round(value))} ${currency}`
    }
    case 'percent':
      return `${numberFormat.format(value * 100)}%`
    case 'days':
      return `${numberFormat.format(value)} d`
    default:
      return numberFormat.format(value)
  }
}

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/** A chart axis tick: short (1.6M, 250K, 40%), never cut off by the axis width. */
export function formatAxis(value: number, type: ColumnType): string {
  if (!Number.isFinite(value)) return ''
  if (type === 'percent') return `${Math.round(value * 100)}%`
  return compactFormat.format(value)
}

/** The label of a row on a chart axis or legend: its x value, and its currency when amounts are per currency. */
export function rowLabel(report: ReportResult, row: ReportRow): string {
  const x = row.values[report.chart.x]
  const base = typeof x === 'string' && x !== '' ? x : typeof x === 'number' ? String(x) : row.label
  return row.currency && !report.currency.converted ? `${base} (${row.currency})` : base
}

/** The numeric series a chart draws (columns named by `chart.series` that hold numbers). */
export function chartSeries(report: ReportResult): ReportColumn[] {
  const byKey = new Map(report.columns.map((c) => [c.key, c]))
  return report.chart.series
    .map((key) => byKey.get(key))
    .filter(
      (c): c is ReportColumn =>
        c !== undefined && c.type !== 'text' && c.type !== 'month' && c.type !== 'week',
    )
}

export interface ChartDatum {
  key: string
  name: string
  /** The currency of the row's money figures ('' when none). */
  currency: string
  [series: string]: string | number
}

/** The rows as chart data: one datum per row with its label and each series value (missing → 0). */
export function chartData(report: ReportResult): ChartDatum[] {
  const series = chartSeries(report)
  return report.rows.map((row) => {
    const datum: ChartDatum = {
      key: row.key,
      name: rowLabel(report, row),
      currency: currencyOf(report, row) ?? '',
    }
    for (const column of series) {
      const value = row.values[column.key]
      datum[column.key] = typeof value === 'number' && Number.isFinite(value) ? value : 0
    }
    return datum
  })
}

/**
 * The figure a widget's heading shows: the first series' total over the rows, for bar, line and pie charts of counts
 * or amounts in one currency (a table's or funnel's figures — medians, cumulative counts — do not add up).
 */
export function headline(report: ReportResult): string | null {
  const first = chartSeries(report)[0]
  if (!first || report.rows.length === 0) return null
  if (report.chart.type === 'table' || report.chart.type === 'funnel') return null
  if (first.type !== 'number' && first.type !== 'money') return null
  const currencies = new Set(report.rows.map((r) => currencyOf(report, r)))
  if (currencies.size > 1) return null
  let total = 0
  for (const row of report.rows) {
    const value = row.values[first.key]
    if (typeof value === 'number' && Number.isFinite(value)) total += value
  }
  return `${first.label}, total: ${formatValue(total, first.type, [...currencies][0] ?? null)}`
}
