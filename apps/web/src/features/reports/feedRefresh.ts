import type { FeedKind } from '@rapport/model'
import type { ReportFamily } from './reportsApi.ts'

/**
 * Which report families a record change can move. Deals feed sales, and also leads (conversion to deal and won,
 * revenue by source) and customers (revenue per account); contacts are the leads; tickets the service figures;
 * an account room carries the account itself, its handoffs and logged activities (customers, and the sales
 * leaderboard's activities). Tasks feed no report.
 */
export const FAMILIES_OF_KIND: Record<FeedKind, readonly ReportFamily[]> = {
  deals: ['sales', 'leads', 'customers'],
  contacts: ['leads'],
  tickets: ['service'],
  accounts: ['customers', 'sales'],
  tasks: [],
}

/**
 * A widget's report family as far as known: `unknown` while the report list loads (every record change concerns
 * it), `null` for a report the server no longer offers (none does).
 */
export type WidgetFamily = ReportFamily | 'unknown' | null

/** The widgets (report ids) a change of `kind` must refetch. */
export function affectedWidgets(
  kind: FeedKind,
  widgets: ReadonlyArray<{ reportId: string; family: WidgetFamily }>,
): string[] {
  const families = FAMILIES_OF_KIND[kind]
  return widgets
    .filter((w) => w.family === 'unknown' || (w.family !== null && families.includes(w.family)))
    .map((w) => w.reportId)
}

/**
 * At most one run per key in flight, and at most one trailing run after it: a burst of requests for a key while it
 * runs collapses into ONE more run, started when the current one ends (so the last change is always fetched).
 */
export class Coalescer {
  private readonly inFlight = new Set<string>()
  private readonly trailing = new Set<string>()
  private stopped = false

  constructor(private readonly run: (key: string) => Promise<unknown>) {}

  request(key: string): void {
    if (this.stopped) return
    if (this.inFlight.has(key)) {
      this.trailing.add(key)
      return
    }
    this.start(key)
  }

  /** Keys with a run in flight (tests, diagnostics). */
  busy(): string[] {
    return [...this.inFlight]
  }

  stop(): void {
    this.stopped = true
    this.trailing.clear()
  }

  private start(key: string): void {
    this.inFlight.add(key)
    void this.run(key)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight.delete(key)
        if (this.trailing.delete(key) && !this.stopped) this.start(key)
      })
  }
}
