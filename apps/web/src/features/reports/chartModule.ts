import { useEffect, useState } from 'react'

/** The charts (recharts) are their own chunk: the dashboard fetches its figures while it loads. */
type ChartModule = typeof import('./ReportChart.tsx')

let loaded: ChartModule | null = null
let pending: Promise<ChartModule> | null = null

export function loadCharts(): Promise<ChartModule> {
  pending ??= import('./ReportChart.tsx').then((m) => {
    loaded = m
    return m
  })
  pending.catch(() => {
    pending = null // a later widget tries again
  })
  return pending
}

/**
 * The chart module once loaded (`null` before); `failed` when it could not be loaded, so widgets show their table.
 * No Suspense: React would hold a revealed boundary back for up to 300 ms.
 */
export function useCharts(): { charts: ChartModule | null; failed: boolean } {
  const [charts, setCharts] = useState<ChartModule | null>(loaded)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (charts) return
    let cancelled = false
    loadCharts().then(
      (m) => !cancelled && setCharts(m),
      () => !cancelled && setFailed(true),
    )
    return () => {
      cancelled = true
    }
  }, [charts])
  return { charts, failed }
}
