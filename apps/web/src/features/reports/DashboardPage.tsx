import {
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import { rectSortingStrategy, SortableContext, sortableKeyboardCoordinates } from '@dnd-kit/sortable'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { loadCharts } from './chartModule.ts'
import { DashboardFilters } from './DashboardFilters.tsx'
import { DrillDownPanel, type DrillTarget } from './DrillDownPanel.tsx'
import {
  addableReports,
  addWidget,
  type Layout,
  MAX_WIDGETS,
  moveWidget,
  normalizeLayout,
  removeWidget,
  resizeWidget,
  shiftWidget,
  suggestedLayout,
} from './dashboardLayout.ts'
import {
  customPeriodProblem,
  type DashboardAnswer,
  DEFAULT_FILTERS,
  type ReportFilters,
  type ReportInfo,
  reportsApi,
} from './reportsApi.ts'
import { useWidgetData } from './useWidgetData.ts'
import { WidgetCard } from './WidgetCard.tsx'
import './dashboard.css'

// The charts download and evaluate while the layout and the figures load.
loadCharts().catch(() => undefined)

type Source = DashboardAnswer['source'] | 'suggested'
const SOURCE_LABEL: Record<Source, string> = {
  user: 'Your layout',
  default: 'Workspace default',
  none: 'Suggested layout',
  suggested: 'Suggested layout',
}
const errorText = (e: unknown, fallback: string) => (e instanceof Error ? e.message : fallback)

/**
 * The live dashboard (`#/dashboard`): the user's arrangement of reports (else the workspace default, else a
 * suggestion), the filters every widget applies, drill-down into the records behind a figure. This module and the
 * charts are one chunk, loaded when the dashboard opens.
 */
export function DashboardPage() {
  const { session } = useSession()
  const isAdmin = session.role === 'admin'
  const [reports, setReports] = useState<ReportInfo[] | null>(null)
  const [layout, setLayout] = useState<Layout | null>(null)
  const [source, setSource] = useState<Source>('none')
  const [loadError, setLoadError] = useState<string | null>(null)
  const [arranging, setArranging] = useState(false)
  const [status, setStatus] = useState<{ kind: 'info' | 'error'; text: string } | null>(null)
  // What the filter bar shows, and what the widgets apply: a custom period applies once both dates are chosen.
  const [draft, setDraft] = useState<ReportFilters>(DEFAULT_FILTERS)
  const [filters, setFilters] = useState<ReportFilters>(DEFAULT_FILTERS)
  const changeFilters = (next: ReportFilters) => {
    setDraft(next)
    if (customPeriodProblem(next) === null) setFilters(next)
  }
  const periodProblem = customPeriodProblem(draft)
  const [drill, setDrill] = useState<DrillTarget | null>(null)

  const show = useCallback((answer: DashboardAnswer, list: ReportInfo[] | null) => {
    if (answer.source === 'none') {
      if (list) {
        setLayout(suggestedLayout(list))
        setSource('suggested')
      }
      return false
    }
    setLayout(normalizeLayout(answer.widgets))
    setSource(answer.source)
    return true
  }, [])

  // The layout and the report list load side by side; a saved layout's widgets start fetching as soon as it is
  // there (the list is needed only for the suggestion, the titles and which feed events concern a widget).
  useEffect(() => {
    let cancelled = false
    const fail = (e: unknown) =>
      !cancelled && setLoadError(errorText(e, 'The dashboard could not be loaded.'))
    const listed = reportsApi.list()
    reportsApi.dashboard().then((answer) => {
      if (cancelled || show(answer, null)) return
      listed.then((list) => !cancelled && show(answer, list), fail)
    }, fail)
    listed.then((list) => !cancelled && setReports(list), fail)
    return () => {
      cancelled = true
    }
  }, [show])

  const infoById = useMemo(() => new Map((reports ?? []).map((r) => [r.id, r])), [reports])
  const widgets = useMemo(
    () =>
      (layout ?? []).map((w) => ({ reportId: w.reportId, family: infoById.get(w.reportId)?.family ?? null })),
    [layout, infoById],
  )
  const { data } = useWidgetData(widgets, filters)

  // Layout writes go one after another, so the last change made is the one stored (two PUTs in flight could land
  // in either order).
  const writes = useRef<Promise<unknown>>(Promise.resolve())
  const [pendingWrites, setPendingWrites] = useState(0)
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  )
  const write = <T,>(call: () => Promise<T>, busy: string, done: (answer: T) => string, failed: string) => {
    setStatus({ kind: 'info', text: busy })
    setPendingWrites((n) => n + 1)
    const next = writes.current.then(call)
    writes.current = next.catch(() => undefined)
    next
      .then(
        (answer) => setStatus({ kind: 'info', text: done(answer) }),
        (e: unknown) => setStatus({ kind: 'error', text: errorText(e, failed) }),
      )
      .finally(() => setPendingWrites((n) => n - 1))
  }
  const save = (next: Layout) => {
    setLayout(next)
    setSource('user')
    write(
      () => reportsApi.saveDashboard([...next]),
      'Saving…',
      () => 'Layout saved.',
      'The layout could not be saved.',
    )
  }
  const saveDefault = () => {
    if (!layout) return
    const widgets = [...layout]
    write(
      () => reportsApi.saveDefault(widgets),
      'Saving…',
      () => 'Saved as the workspace default.',
      'The default could not be saved.',
    )
  }
  const reset = () =>
    write(
      () => reportsApi.resetDashboard(),
      'Resetting…',
      (answer) => {
        show(answer, reports)
        return 'Back to the workspace default.'
      },
      'The layout could not be reset.',
    )

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!layout || !over || active.id === over.id) return
    const to = layout.findIndex((w) => w.reportId === over.id)
    const next = moveWidget(layout, String(active.id), to)
    if (next !== layout) save(next)
  }

  if (loadError) return <div className="notice notice--error">{loadError}</div>
  if (!layout) return <div className="empty">Loading dashboard…</div>
  const addable = addableReports(layout, reports ?? [])

  return (
    <div className="dashboard" data-testid="dashboard-page">
      <div className="dashboard__bar">
        <h1 className="dashboard__heading">Dashboard</h1>
        <span className="muted" data-testid="dashboard-source">
          {SOURCE_LABEL[source]}
        </span>
        <div className="dashboard__tools">
          <button
            type="button"
            className={`btn${arranging ? ' btn--primary' : ''}`}
            aria-pressed={arranging}
            onClick={() => setArranging((a) => !a)}
            data-testid="dashboard-arrange"
          >
            {arranging ? 'Done' : 'Arrange'}
          </button>
        </div>
      </div>
      <DashboardFilters filters={draft} onChange={changeFilters} />
      {periodProblem && (
        <div className="notice notice--info" data-testid="dashboard-period-hint">
          {periodProblem}
        </div>
      )}
      {arranging && (
        <div className="dashboard__arrange panel" data-testid="dashboard-arrange-panel">
          <label className="dash-filter">
            <span>Add a report</span>
            <select
              value=""
              disabled={addable.length === 0 || layout.length >= MAX_WIDGETS}
              onChange={(e) => e.target.value && save(addWidget(layout, e.target.value))}
              data-testid="dashboard-add"
            >
              <option value="">
                {layout.length >= MAX_WIDGETS ? `At most ${MAX_WIDGETS} widgets` : 'Choose…'}
              </option>
              {addable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={reset} data-testid="dashboard-reset">
            Reset to default
          </button>
          {isAdmin && (
            <button type="button" className="btn" onClick={saveDefault} data-testid="dashboard-save-default">
              Save as workspace default
            </button>
          )}
        </div>
      )}
      {status && (
        <div
          className={`notice notice--${status.kind}`}
          role="status"
          data-testid="dashboard-status"
          data-pending={pendingWrites}
        >
          {status.text}
        </div>
      )}
      {layout.length === 0 ? (
        <div className="empty">No reports on this dashboard. Choose Arrange to add some.</div>
      ) : (
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
          <SortableContext items={layout.map((w) => w.reportId)} strategy={rectSortingStrategy}>
            <div className="dashboard__grid">
              {layout.map((widget, i) => (
                <WidgetCard
                  key={widget.reportId}
                  widget={widget}
                  info={infoById.get(widget.reportId) ?? null}
                  state={data[widget.reportId]}
                  filters={filters}
                  arrange={
                    arranging
                      ? {
                          first: i === 0,
                          last: i === layout.length - 1,
                          onShift: (by) => save(shiftWidget(layout, widget.reportId, by)),
                          onResize: (size) => save(resizeWidget(layout, widget.reportId, size)),
                          onRemove: () => save(removeWidget(layout, widget.reportId)),
                        }
                      : null
                  }
                  onSelect={(rowKey, rowLabel) =>
                    setDrill({
                      reportId: widget.reportId,
                      reportTitle: infoById.get(widget.reportId)?.title ?? widget.reportId,
                      rowKey,
                      rowLabel,
                    })
                  }
                />
              ))}
            </div>
          </SortableContext>
        </DndContext>
      )}
      {drill && (
        <DrillDownPanel
          target={drill}
          filters={filters}
          seq={data[drill.reportId]?.report?.seq ?? null}
          onClose={() => setDrill(null)}
        />
      )}
    </div>
  )
}
