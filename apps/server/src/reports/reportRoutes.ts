import { Hono, type MiddlewareHandler } from 'hono'
import { CSV_BOM, csvLines } from '../csv.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { DrillQuery, ReportQuery } from './filters.ts'
import type { ReportAnswer, ReportService } from './ReportService.ts'

/*
 * `/api/reports` (issue #13, docs/schema.md "Reports"): the catalogue, one report's figures (JSON, or CSV with
 * `format=csv`), and the records behind one row. Any member (session or API token) reads them, for the caller's
 * workspace only.
 */
export function reportRoutes(deps: {
  reports: ReportService
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { reports, session } = deps

  app.get('/reports', session, (c) => c.json({ reports: reports.list() }))

  app.get('/reports/:id', session, async (c) => {
    const { format, ...query } = ReportQuery.parse(c.req.query())
    const answer = await reports.report(c.get('session').workspaceId, c.req.param('id'), query)
    if (format === 'json') return c.json(answer)
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', `attachment; filename="${csvFileName(answer)}"`)
    return c.body(reportCsv(answer))
  })

  app.get('/reports/:id/rows/:rowKey/records', session, async (c) => {
    const query = DrillQuery.parse(c.req.query())
    return c.json(
      await reports.drill(c.get('session').workspaceId, c.req.param('id'), c.req.param('rowKey'), query),
    )
  })
  return app
}

/** `<report id>_<from>_<to>.csv` (`all` for the whole time). */
export function csvFileName(answer: ReportAnswer): string {
  const period = answer.filters.from === null ? 'all' : `${answer.filters.from}_${answer.filters.to}`
  return `${answer.id}_${period}.csv`
}

/**
 * The report as CSV: a header row of the column labels (plus `Currency` when rows are per currency), then one line
 * per row with the same values as the JSON (numbers as JavaScript writes them, null as an empty cell). Written like
 * every CSV of the server (csv.ts): a BOM, CRLF, and a text cell that would run as a spreadsheet formula (a name
 * starting with `=`) guarded by a leading `'`.
 */
export function reportCsv(answer: ReportAnswer): string {
  const perCurrency = answer.rows.some((r) => r.currency !== undefined) && !answer.currency.converted
  const header = [...answer.columns.map((c) => c.label), ...(perCurrency ? ['Currency'] : [])]
  const lines = answer.rows.map((row) => [
    ...answer.columns.map((c) => {
      const v = row.values[c.key]
      return v === null || v === undefined ? '' : String(v)
    }),
    ...(perCurrency ? [row.currency ?? ''] : []),
  ])
  return CSV_BOM + csvLines([header, ...lines])
}

export const reportRouteDocs: Record<string, RouteDoc> = {
  'GET /api/reports': { summary: 'The reports: id, title, family, chart type, description (issue #13)' },
  'GET /api/reports/{id}': {
    summary:
      'One report over the record index: filters as applied, currency, columns, rows, chart, feed seq; format=csv for CSV',
    query: ReportQuery,
  },
  'GET /api/reports/{id}/rows/{rowKey}/records': {
    summary: 'The records behind one row of a report (drill-down), paged',
    query: DrillQuery,
  },
}
