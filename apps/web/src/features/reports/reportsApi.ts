import { z } from 'zod'
import { request } from '../auth/authApi.ts'

/** The report families of `GET /api/reports`; the change feed's record kinds map onto them (feedRefresh.ts). */
export const REPORT_FAMILIES = ['sales', 'leads', 'service', 'customers'] as const
export type ReportFamily = (typeof REPORT_FAMILIES)[number]
export const CHART_TYPES = ['bar', 'line', 'pie', 'funnel', 'table'] as const
export type ChartType = (typeof CHART_TYPES)[number]

export const ReportInfo = z.object({
  id: z.string(),
  title: z.string(),
  family: z.enum(REPORT_FAMILIES),
  chart: z.enum(CHART_TYPES),
  description: z.string().default(''),
})
export type ReportInfo = z.infer<typeof ReportInfo>

export const COLUMN_TYPES = ['text', 'number', 'money', 'percent', 'days', 'month', 'week'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]
const Column = z.object({ key: z.string(), label: z.string(), type: z.enum(COLUMN_TYPES).catch('text') })
export type ReportColumn = z.infer<typeof Column>
const Row = z.object({
  key: z.string(),
  label: z.string(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  currency: z.string().optional(),
})
export type ReportRow = z.infer<typeof Row>

/** `GET /api/reports/:id`: the figures of one report under the applied filters. */
export const ReportResult = z.object({
  id: z.string(),
  title: z.string(),
  filters: z.record(z.string(), z.unknown()).default({}),
  currency: z.object({ base: z.string().nullable(), converted: z.boolean() }),
  columns: z.array(Column),
  rows: z.array(Row),
  chart: z.object({ type: z.enum(CHART_TYPES), x: z.string(), series: z.array(z.string()) }),
  seq: z.number(),
  generatedAt: z.union([z.number(), z.string()]),
})
export type ReportResult = z.infer<typeof ReportResult>

export const DRILL_KINDS = ['deals', 'contacts', 'tickets', 'accounts'] as const
export type DrillKind = (typeof DRILL_KINDS)[number]
const DrillItem = z
  .object({
    id: z.string(),
    label: z.string(),
    amount: z.number().nullable().optional(),
    currency: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
  })
  .loose()
export type DrillItem = z.infer<typeof DrillItem>
/** `GET /api/reports/:id/rows/:rowKey/records`: the records behind one row, bar or slice. */
export const DrillPage = z.object({
  kind: z.enum(DRILL_KINDS),
  items: z.array(DrillItem),
  total: z.number(),
  nextOffset: z.number().nullable(),
})
export type DrillPage = z.infer<typeof DrillPage>

export const DashboardWidget = z.object({ reportId: z.string(), size: z.enum(['small', 'wide']) })
export type DashboardWidget = z.infer<typeof DashboardWidget>
export const DashboardAnswer = z.object({
  widgets: z.array(DashboardWidget),
  source: z.enum(['user', 'default', 'none']),
})
export type DashboardAnswer = z.infer<typeof DashboardAnswer>

export const PERIODS = ['month', 'quarter', 'year', 'all', 'custom'] as const
export type Period = (typeof PERIODS)[number]
/** The dashboard's filters, applied to every widget (`null`: not filtered). */
export interface ReportFilters {
  period: Period
  /** YYYY-MM-DD, only with `custom`. */
  from: string
  to: string
  pipelineId: string | null
  ownerId: string | null
  team: string | null
}
export const DEFAULT_FILTERS: ReportFilters = {
  period: 'quarter',
  from: '',
  to: '',
  pipelineId: null,
  ownerId: null,
  team: null,
}

/** The query string of the filters (`period=quarter&ownerId=…`), stable for equal filters. */
export function filterQuery(filters: ReportFilters): string {
  const params = new URLSearchParams({ period: filters.period })
  if (filters.period === 'custom') {
    if (filters.from) params.set('from', filters.from)
    if (filters.to) params.set('to', filters.to)
  }
  if (filters.pipelineId) params.set('pipelineId', filters.pipelineId)
  if (filters.ownerId) params.set('ownerId', filters.ownerId)
  if (filters.team) params.set('team', filters.team)
  return params.toString()
}

/** Why a custom period cannot apply yet (null when it can, or the period is not custom). */
export function customPeriodProblem(f: ReportFilters): string | null {
  if (f.period !== 'custom') return null
  if (!f.from || !f.to) return 'Choose both dates of the custom period.'
  if (f.from > f.to) return 'The custom period must start before it ends.'
  return null
}

const reportPath = (id: string) => `/api/reports/${encodeURIComponent(id)}`

/** The CSV of a report with the filters applied (a download link). */
export const csvHref = (id: string, filters: ReportFilters): string =>
  `${reportPath(id)}?${filterQuery(filters)}&format=csv`

const layoutBody = (widgets: DashboardWidget[]) => JSON.stringify({ widgets })

export const reportsApi = {
  list: () => request('/api/reports', z.object({ reports: z.array(ReportInfo) })).then((r) => r.reports),
  report: (id: string, filters: ReportFilters) =>
    request(`${reportPath(id)}?${filterQuery(filters)}`, ReportResult),
  drill: (id: string, rowKey: string, filters: ReportFilters, offset: number, limit = 25) =>
    request(
      `${reportPath(id)}/rows/${encodeURIComponent(rowKey)}/records?${filterQuery(filters)}&offset=${offset}&limit=${limit}`,
      DrillPage,
    ),
  dashboard: () => request('/api/dashboard', DashboardAnswer),
  saveDashboard: (widgets: DashboardWidget[]) =>
    request('/api/dashboard', DashboardAnswer, { method: 'PUT', body: layoutBody(widgets) }),
  resetDashboard: () => request('/api/dashboard', DashboardAnswer, { method: 'DELETE' }),
  saveDefault: (widgets: DashboardWidget[]) =>
    request('/api/dashboard/default', DashboardAnswer, { method: 'PUT', body: layoutBody(widgets) }),
}

/** The page of a record the drill-down lists (the command palette's links). */
export function recordHref(kind: DrillKind, id: string): string {
  switch (kind) {
    case 'deals':
      return `#/deals/${id}`
    case 'contacts':
      return `#/contacts/${id}`
    case 'tickets':
      return `#/support/${id}`
    case 'accounts':
      return `#/accounts/${id}`
  }
}
