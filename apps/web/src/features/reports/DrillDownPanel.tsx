import { useEffect, useState } from 'react'
import { formatValue } from './formatFigures.ts'
import { type DrillPage, type ReportFilters, recordHref, reportsApi } from './reportsApi.ts'

export interface DrillTarget {
  reportId: string
  reportTitle: string
  rowKey: string
  rowLabel: string
}

const KIND_LABEL: Record<DrillPage['kind'], string> = {
  deals: 'deals',
  contacts: 'contacts',
  tickets: 'tickets',
  accounts: 'accounts',
}

/** The records behind one bar, slice or row, each linking to its page; more on demand. */
export function DrillDownPanel({
  target,
  filters,
  seq,
  onClose,
}: {
  target: DrillTarget
  filters: ReportFilters
  /** The change-feed position of the widget's figures: when they refresh (a colleague's edit), so do the records. */
  seq?: number | null
  onClose: () => void
}) {
  const [page, setPage] = useState<DrillPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)

  // A new bar (or new filters) starts empty; a refresh of the same bar keeps the list shown until the new one arrives.
  // biome-ignore lint/correctness/useExhaustiveDependencies: target and filters are the identity of the list
  useEffect(() => {
    setPage(null)
    setError(null)
  }, [target, filters])

  // biome-ignore lint/correctness/useExhaustiveDependencies: seq is the trigger (the figures behind it changed)
  useEffect(() => {
    let cancelled = false
    reportsApi.drill(target.reportId, target.rowKey, filters, 0).then(
      (first) => !cancelled && setPage(first),
      (e: unknown) =>
        !cancelled && setError(e instanceof Error ? e.message : 'The records could not be loaded.'),
    )
    return () => {
      cancelled = true
    }
  }, [target, filters, seq])

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const more = () => {
    if (!page || page.nextOffset === null) return
    setLoadingMore(true)
    reportsApi.drill(target.reportId, target.rowKey, filters, page.nextOffset).then(
      (next) => {
        setPage({ ...next, items: [...page.items, ...next.items] })
        setLoadingMore(false)
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : 'The records could not be loaded.')
        setLoadingMore(false)
      },
    )
  }

  return (
    <aside className="drill" aria-label="Records behind the figure" data-testid="drilldown-panel">
      <header className="drill__head">
        <div>
          <div className="drill__title" data-testid="drilldown-title">
            {target.rowLabel}
          </div>
          <div className="muted">
            {target.reportTitle}
            {page && ` · ${page.total} ${KIND_LABEL[page.kind]}`}
          </div>
        </div>
        <button type="button" className="btn btn--ghost" onClick={onClose} data-testid="drilldown-close">
          Close
        </button>
      </header>
      {error && <div className="notice notice--error">{error}</div>}
      {!page && !error && <div className="empty">Loading records…</div>}
      {page && page.items.length === 0 && <div className="empty">No records behind this figure.</div>}
      {page && page.items.length > 0 && (
        <ul className="drill__list">
          {page.items.map((item) => (
            <li key={item.id}>
              <a
                href={recordHref(page.kind, item.id)}
                className="drill__item"
                data-testid="drilldown-item"
                data-id={item.id}
              >
                <span className="drill__label">{item.label}</span>
                <span className="drill__meta muted">
                  {typeof item.amount === 'number' &&
                    formatValue(item.amount, 'money', item.currency ?? null)}
                  {item.status ? ` · ${item.status}` : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {page && page.nextOffset !== null && (
        <button
          type="button"
          className="btn"
          onClick={more}
          disabled={loadingMore}
          data-testid="drilldown-more"
        >
          {loadingMore ? 'Loading…' : 'Show more'}
        </button>
      )}
    </aside>
  )
}
