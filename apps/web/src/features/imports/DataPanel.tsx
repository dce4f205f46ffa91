import { IMPORT_KINDS } from './importApi.ts'
import './imports.css'

/**
 * Settings → Workspace: bring data in (the import wizard per kind, the import history), keep it clean (duplicates)
 * and, for an admin, take all of it out as one zip.
 */
export function DataPanel({ isAdmin }: { isAdmin: boolean }) {
  return (
    <section className="panel data-panel" data-testid="data-panel">
      <h2 className="panel__title">Data</h2>
      <p className="muted">Import a spreadsheet, find duplicates, or export the whole workspace.</p>
      <div className="import-result__links">
        {IMPORT_KINDS.map((kind) => (
          <a key={kind} className="btn" href={`#/import/${kind}`} data-testid={`data-import-${kind}`}>
            Import {kind}
          </a>
        ))}
        <a className="btn btn--ghost" href="#/imports" data-testid="data-imports">
          Import history
        </a>
        <a className="btn btn--ghost" href="#/duplicates" data-testid="data-duplicates">
          Duplicates
        </a>
      </div>
      {isAdmin && (
        <p className="import-result__links">
          <a
            className="btn btn--primary"
            href="/api/export"
            download="rapport-workspace.zip"
            data-testid="export-workspace"
          >
            Export workspace
          </a>
          <span className="muted">
            Every record, note and timeline entry as JSON, plus a CSV per kind, in one zip.
          </span>
        </p>
      )}
    </section>
  )
}
