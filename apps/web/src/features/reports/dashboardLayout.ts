import type { DashboardWidget, ReportFamily, ReportInfo } from './reportsApi.ts'

/** The most widgets a dashboard holds (the server refuses more). */
export const MAX_WIDGETS = 30
/** How many widgets the built-in suggestion shows when neither the user nor an admin saved a layout. */
const SUGGESTED = 6

export type Layout = readonly DashboardWidget[]

/** Adds `reportId` at the end (small), unless it is already there or the dashboard is full. */
export function addWidget(layout: Layout, reportId: string, size: DashboardWidget['size'] = 'small'): Layout {
  if (layout.length >= MAX_WIDGETS || layout.some((w) => w.reportId === reportId)) return layout
  return [...layout, { reportId, size }]
}

export function removeWidget(layout: Layout, reportId: string): Layout {
  return layout.filter((w) => w.reportId !== reportId)
}

/** Moves the widget of `reportId` to place `to` (clamped); unknown ids leave the layout as it is. */
export function moveWidget(layout: Layout, reportId: string, to: number): Layout {
  const from = layout.findIndex((w) => w.reportId === reportId)
  if (from < 0) return layout
  const target = Math.max(0, Math.min(layout.length - 1, to))
  if (target === from) return layout
  const next = [...layout]
  const [widget] = next.splice(from, 1)
  next.splice(target, 0, widget as DashboardWidget)
  return next
}

/** Moves a widget one place up (`-1`) or down (`+1`). */
export function shiftWidget(layout: Layout, reportId: string, by: -1 | 1): Layout {
  const from = layout.findIndex((w) => w.reportId === reportId)
  return from < 0 ? layout : moveWidget(layout, reportId, from + by)
}

export function resizeWidget(layout: Layout, reportId: string, size: DashboardWidget['size']): Layout {
  return layout.map((w) => (w.reportId === reportId ? { ...w, size } : w))
}

/**
 * What the dashboard shows from a stored layout: each report once (the first wins), at most `MAX_WIDGETS`. Widgets of
 * reports the server no longer offers stay (shown as unavailable) so saving never drops what the user chose.
 */
export function normalizeLayout(layout: Layout): Layout {
  const seen = new Set<string>()
  const out: DashboardWidget[] = []
  for (const widget of layout) {
    if (seen.has(widget.reportId) || out.length >= MAX_WIDGETS) continue
    seen.add(widget.reportId)
    out.push(widget)
  }
  return out
}

/**
 * The built-in dashboard when nothing is saved: up to six reports, taking one per family in turn (sales, service,
 * leads, customers, then again), the first one wide.
 */
export function suggestedLayout(reports: readonly ReportInfo[]): Layout {
  const order: ReportFamily[] = ['sales', 'service', 'leads', 'customers']
  const queues = order.map((family) => reports.filter((r) => r.family === family))
  const picked: string[] = []
  for (let round = 0; picked.length < SUGGESTED && queues.some((q) => q.length > round); round++) {
    for (const queue of queues) {
      const report = queue[round]
      if (report && picked.length < SUGGESTED) picked.push(report.id)
    }
  }
  return picked.map((reportId, i) => ({ reportId, size: i === 0 ? 'wide' : 'small' }))
}

/** The reports that can still be added (not on the dashboard), in the server's order. */
export function addableReports(layout: Layout, reports: readonly ReportInfo[]): ReportInfo[] {
  const on = new Set(layout.map((w) => w.reportId))
  return reports.filter((r) => !on.has(r.id))
}

export const sameLayout = (a: Layout, b: Layout): boolean =>
  a.length === b.length && a.every((w, i) => w.reportId === b[i]?.reportId && w.size === b[i]?.size)
