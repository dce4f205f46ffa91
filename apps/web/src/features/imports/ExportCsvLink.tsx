import './imports.css'

export type ExportKind = 'accounts' | 'contacts' | 'deals' | 'tickets' | 'tasks'

/**
 * The list's query parameters for its export: the same search, filters and sort the list shows, without paging
 * (`GET /api/<kind>/export.csv` streams every row).
 */
export function exportCsvHref(
  kind: ExportKind,
  query: { q?: string; sort?: string | null; filters?: Readonly<Record<string, string | null>> } = {},
): string {
  const params = new URLSearchParams()
  if (query.q && query.q.trim() !== '') params.set('q', query.q.trim())
  if (query.sort) params.set('sort', query.sort)
  for (const [key, value] of Object.entries(query.filters ?? {})) if (value !== null) params.set(key, value)
  const search = params.toString()
  return `/api/${kind}/export.csv${search ? `?${search}` : ''}`
}

/** "Export CSV": downloads the list as it is filtered and sorted. */
export function ExportCsvLink({ kind, href }: { kind: ExportKind; href: string }) {
  return (
    <a className="btn btn--ghost export-link" href={href} download={`${kind}.csv`} data-testid="list-export">
      Export CSV
    </a>
  )
}

/** "Import": the wizard for this list's kind. */
export function ImportLink({ kind }: { kind: 'accounts' | 'contacts' | 'deals' | 'tickets' }) {
  return (
    <a className="btn btn--ghost export-link" href={`#/import/${kind}`} data-testid="list-import">
      Import
    </a>
  )
}
