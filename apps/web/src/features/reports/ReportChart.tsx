import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { type ChartDatum, chartData, chartSeries, formatAxis, formatValue } from './formatFigures.ts'
import type { ReportResult } from './reportsApi.ts'

const COLORS = ['#4f46e5', '#0f9d58', '#f59e0b', '#d93025', '#0891b2', '#9333ea', '#64748b', '#db2777']

/**
 * One report as a recharts chart: bars, lines, a pie or a funnel (horizontal bars in stage order). Clicking a bar,
 * point or slice selects its row (`onSelect(row.key)`) for the drill-down.
 */
export function ReportChart({
  report,
  onSelect,
  height = 220,
}: {
  report: ReportResult
  onSelect: (rowKey: string) => void
  height?: number
}) {
  const data = chartData(report)
  const series = chartSeries(report)
  const typeOf = new Map(series.map((s) => [s.key, s.type]))
  const tooltipFormatter = (value: unknown, name: unknown, item: unknown) => {
    const column = series.find((s) => s.label === name || s.key === name)
    const currency = (item as { payload?: ChartDatum } | null)?.payload?.currency || null
    return formatValue(typeof value === 'number' ? value : null, column?.type ?? 'number', currency)
  }
  const select = (datum: unknown) => {
    const key = (datum as { payload?: ChartDatum } | null)?.payload?.key
    if (typeof key === 'string') onSelect(key)
  }
  const tick = { fontSize: 11 }
  const axisNumber = (value: number) => formatAxis(value, typeOf.get(series[0]?.key ?? '') ?? 'number')

  if (report.chart.type === 'pie') {
    const first = series[0]
    if (!first) return null
    return (
      <ResponsiveContainer width="100%" height={height}>
        <PieChart>
          <Pie
            data={data}
            dataKey={first.key}
            nameKey="name"
            outerRadius="75%"
            onClick={(slice) => select(slice)}
            isAnimationActive={false}
          >
            {data.map((datum, i) => (
              <Cell key={datum.key} fill={COLORS[i % COLORS.length]} cursor="pointer" />
            ))}
          </Pie>
          <Tooltip formatter={(v, _name, item) => tooltipFormatter(v, first.label, item)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
        </PieChart>
      </ResponsiveContainer>
    )
  }
  if (report.chart.type === 'line') {
    return (
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={tick} />
          <YAxis tick={tick} width={44} tickFormatter={axisNumber} />
          <Tooltip formatter={tooltipFormatter} />
          {series.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
          {series.map((s, i) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={COLORS[i % COLORS.length]}
              isAnimationActive={false}
              activeDot={{ onClick: (_e: unknown, point: unknown) => select(point), cursor: 'pointer' }}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    )
  }
  const funnel = report.chart.type === 'funnel'
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart
        data={data}
        layout={funnel ? 'vertical' : 'horizontal'}
        margin={{ top: 8, right: 12, left: 0, bottom: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={funnel} horizontal={!funnel} />
        {funnel ? (
          <>
            <XAxis type="number" tick={tick} tickFormatter={axisNumber} />
            <YAxis type="category" dataKey="name" tick={tick} width={96} />
          </>
        ) : (
          <>
            <XAxis dataKey="name" tick={tick} interval="preserveStartEnd" />
            <YAxis tick={tick} width={44} tickFormatter={axisNumber} />
          </>
        )}
        <Tooltip formatter={tooltipFormatter} cursor={{ fill: 'rgb(79 70 229 / 8%)' }} />
        {series.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
        {series.map((s, i) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            fill={COLORS[i % COLORS.length]}
            cursor="pointer"
            isAnimationActive={false}
            onClick={(bar) => select(bar)}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  )
}
