import { useSortable } from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import { useState } from 'react'
import { useCharts } from './chartModule.ts'
import { currencyOf, formatValue, headline, rowLabel } from './formatFigures.ts'
import {
  csvHref,
  type DashboardWidget,
  type ReportFilters,
  type ReportInfo,
  type ReportResult,
} from './reportsApi.ts'
import type { WidgetData } from './useWidgetData.ts'

export interface ArrangeControls {
  first: boolean
  last: boolean
  onShift: (by: -1 | 1) => void
  onResize: (size: DashboardWidget['size']) => void
  onRemove: () => void
}

/** The figures as a table (the chart's fallback, and what screen readers get); a row opens its records. */
function FigureTable({ report, onSelect }: { report: ReportResult; onSelect: (rowKey: string) => void }) {
  return (
    <div className="widget__table-wrap">
      <table className="widget__table">
        <thead>
          <tr>
            {report.columns.map((c) => (
              <th key={c.key} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={row.key} data-testid="widget-row" data-row-key={row.key}>
              {report.columns.map((c, i) => {
                const value = row.values[c.key]
                const text = formatValue(value, c.type, currencyOf(report, row))
                return (
                  <td
                    key={c.key}
                    data-column={c.key}
                    data-value={value === null || value === undefined ? '' : String(value)}
                    className={c.type === 'text' || c.type === 'month' || c.type === 'week' ? '' : 'num'}
                  >
                    {i === 0 ? (
                      <button type="button" className="linklike" onClick={() => onSelect(row.key)}>
                        {c.type === 'text' ? rowLabel(report, row) : text}
                      </button>
                    ) : (
                      text
                    )}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** One widget: a report as a chart (or its table), its headline figure, CSV export and, when arranging, controls. */
export function WidgetCard({
  widget,
  info,
  state,
  filters,
  arrange,
  onSelect,
}: {
  widget: DashboardWidget
  info: ReportInfo | null
  state: WidgetData | undefined
  filters: ReportFilters
  arrange: ArrangeControls | null
  onSelect: (rowKey: string, label: string) => void
}) {
  const [asTable, setAsTable] = useState(false)
  const { charts, failed: chartsFailed } = useCharts()
  // While arranging, the widget is dragged by its handle (pointer, or keyboard: Space, arrows, Space) to a new place.
  const sortable = useSortable({ id: widget.reportId, disabled: !arrange })
  const report = state?.report ?? null
  const title = report?.title ?? info?.title ?? widget.reportId
  const figure = report ? headline(report) : null
  const chartable = report && report.chart.type !== 'table' && report.rows.length > 0 && !chartsFailed
  const select = (rowKey: string) => {
    const row = report?.rows.find((r) => r.key === rowKey)
    if (report && row) onSelect(rowKey, rowLabel(report, row))
  }
  return (
    <section
      ref={sortable.setNodeRef}
      style={{ transform: CSS.Translate.toString(sortable.transform), transition: sortable.transition }}
      className={`widget widget--${widget.size}${sortable.isDragging ? ' widget--dragging' : ''}`}
      data-testid={`widget-${widget.reportId}`}
      data-report-id={widget.reportId}
      data-seq={report?.seq ?? ''}
      data-period={typeof report?.filters.period === 'string' ? report.filters.period : ''}
      data-loading={state?.loading ? 'true' : 'false'}
      aria-label={title}
    >
      <header className="widget__head">
        <div className="widget__titles">
          <h2 className="widget__title">{title}</h2>
          {figure && (
            <div className="widget__figure" data-testid="widget-figure">
              {figure}
            </div>
          )}
          {report && !report.currency.converted && report.rows.some((r) => r.currency) && (
            <div className="muted widget__note">Amounts per currency (no exchange rates set)</div>
          )}
        </div>
        <div className="widget__actions">
          {chartable && (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              aria-pressed={asTable}
              onClick={() => setAsTable((t) => !t)}
              data-testid="widget-toggle-table"
            >
              {asTable ? 'Chart' : 'Table'}
            </button>
          )}
          {info && (
            <a
              className="btn btn--ghost btn--small"
              href={csvHref(widget.reportId, filters)}
              download
              data-testid="widget-csv"
            >
              CSV
            </a>
          )}
        </div>
      </header>
      {arrange && (
        <div className="widget__arrange" data-testid="widget-arrange">
          <button
            type="button"
            className="btn btn--small widget__handle"
            aria-label={`Drag ${title} to another place`}
            data-testid="widget-handle"
            {...sortable.attributes}
            {...sortable.listeners}
          >
            ⠿ Drag
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={arrange.first}
            onClick={() => arrange.onShift(-1)}
            aria-label={`Move ${title} up`}
            data-testid="widget-up"
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={arrange.last}
            onClick={() => arrange.onShift(1)}
            aria-label={`Move ${title} down`}
            data-testid="widget-down"
          >
            ↓
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => arrange.onResize(widget.size === 'wide' ? 'small' : 'wide')}
            data-testid="widget-size"
          >
            {widget.size === 'wide' ? 'Make small' : 'Make wide'}
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={arrange.onRemove}
            data-testid="widget-remove"
          >
            Remove
          </button>
        </div>
      )}
      <div className="widget__body">
        {state?.error && <div className="notice notice--error">{state.error}</div>}
        {!report && !state?.error && <div className="empty widget__empty">Loading…</div>}
        {report && report.rows.length === 0 && (
          <div className="empty widget__empty">No data for these filters.</div>
        )}
        {report &&
          report.rows.length > 0 &&
          (chartable && !asTable ? (
            charts ? (
              <div className="widget__chart" data-testid="widget-chart">
                <charts.ReportChart report={report} onSelect={select} />
              </div>
            ) : (
              <div className="widget__chart empty">Loading chart…</div>
            )
          ) : (
            <FigureTable report={report} onSelect={select} />
          ))}
      </div>
    </section>
  )
}
