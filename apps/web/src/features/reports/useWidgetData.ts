import type { FeedKind } from '@rapport/model'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useCollab } from '../../collab/CollabContext.tsx'
import { feedChannel, useFeed } from '../../collab/useFeed.ts'
import { ApiError } from '../auth/authApi.ts'
import { affectedWidgets, Coalescer, type WidgetFamily } from './feedRefresh.ts'
import { filterQuery, type ReportFilters, type ReportResult, reportsApi } from './reportsApi.ts'

export interface WidgetData {
  report: ReportResult | null
  error: string | null
  loading: boolean
}

/** How often a widget asks again when its figures are older than the change that triggered the refetch. */
const BEHIND_RETRY_MS = 150
const BEHIND_RETRIES = 20

/**
 * The figures of every widget under `filters`, live: a record change on the feed refetches the widgets whose family
 * it can move (feedRefresh.ts), coalesced per widget (one request in flight, one trailing); a `reset` or a
 * reconnect that could not resume refetches every widget. An answer for older filters, or older than the one shown,
 * is dropped; an answer whose `seq` is older than the change that asked for it is asked again shortly.
 */
export function useWidgetData(
  widgets: ReadonlyArray<{ reportId: string; family: WidgetFamily }>,
  filters: ReportFilters,
): { data: Record<string, WidgetData>; refetch: (reportId: string) => void } {
  const [data, setData] = useState<Record<string, WidgetData>>({})
  const filtersKey = filterQuery(filters)
  const current = useRef({ filters, filtersKey })
  current.current = { filters, filtersKey }
  /** Per widget: the newest feed seq it must reflect, and the seq and filters of what it shows. */
  const wanted = useRef(new Map<string, number>())
  const shown = useRef(new Map<string, { seq: number; filtersKey: string }>())
  const retries = useRef(new Map<string, number>())
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>())

  const coalescer = useMemo(() => {
    const patch = (reportId: string, next: Partial<WidgetData>) =>
      setData((prev) => ({
        ...prev,
        [reportId]: { report: null, error: null, loading: false, ...prev[reportId], ...next },
      }))
    let self: Coalescer | null = null
    const run = async (reportId: string) => {
      const { filters: asked, filtersKey: key } = current.current
      patch(reportId, { loading: true })
      try {
        const report = await reportsApi.report(reportId, asked)
        if (key !== current.current.filtersKey) return // the filters changed meanwhile: a trailing run follows
        const before = shown.current.get(reportId)
        if (before && before.filtersKey === key && report.seq < before.seq) return
        shown.current.set(reportId, { seq: report.seq, filtersKey: key })
        patch(reportId, { report, error: null, loading: false })
        const want = wanted.current.get(reportId) ?? 0
        const tries = retries.current.get(reportId) ?? 0
        if (report.seq < want && tries < BEHIND_RETRIES) {
          retries.current.set(reportId, tries + 1)
          const timer = setTimeout(() => {
            timers.current.delete(timer)
            self?.request(reportId)
          }, BEHIND_RETRY_MS)
          timers.current.add(timer)
        } else retries.current.delete(reportId)
      } catch (error) {
        if (key !== current.current.filtersKey) return
        const message =
          error instanceof ApiError && error.status === 404
            ? 'This report is no longer available.'
            : error instanceof Error
              ? error.message
              : 'The report could not be loaded.'
        patch(reportId, { error: message, loading: false })
      }
    }
    self = new Coalescer(run)
    return self
  }, [])

  useEffect(() => {
    const pending = timers.current
    return () => {
      coalescer.stop()
      for (const timer of pending) clearTimeout(timer)
    }
  }, [coalescer])

  // Every widget on first show and whenever the filters change.
  const ids = widgets.map((w) => w.reportId).join('\n')
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch when the widget set or the filters change
  useEffect(() => {
    for (const id of ids.split('\n')) if (id) coalescer.request(id)
  }, [ids, filtersKey, coalescer])

  const widgetsRef = useRef(widgets)
  widgetsRef.current = widgets
  const { registry, member } = useCollab()
  useFeed((signal) => {
    if (signal.type === 'event') {
      const kind: FeedKind = signal.event.kind
      for (const id of affectedWidgets(kind, widgetsRef.current)) {
        wanted.current.set(id, Math.max(wanted.current.get(id) ?? 0, signal.event.seq))
        coalescer.request(id)
      }
      return
    }
    if (signal.type === 'live' && signal.resumed) return // every missed event came first
    // A (re)connect that could not resume, or a reset: what is shown may miss changes up to the feed's seq now. A
    // widget whose figures hold that seq already is current (the first connect right after the first fetch); one
    // being fetched asks again if its answer is older (the `wanted` check above).
    const seq = feedChannel(registry, member.workspaceId).lastSeq
    const { filtersKey: key } = current.current
    const busy = new Set(coalescer.busy())
    for (const w of widgetsRef.current) {
      if (seq === undefined) {
        coalescer.request(w.reportId)
        continue
      }
      wanted.current.set(w.reportId, Math.max(wanted.current.get(w.reportId) ?? 0, seq))
      const shownNow = shown.current.get(w.reportId)
      if (shownNow && shownNow.filtersKey === key && shownNow.seq >= seq) continue
      if (!busy.has(w.reportId)) coalescer.request(w.reportId)
    }
  })

  const refetch = useCallback((reportId: string) => coalescer.request(reportId), [coalescer])
  return { data, refetch }
}
