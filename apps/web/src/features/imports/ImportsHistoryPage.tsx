import { useCallback, useEffect, useState } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { ConfirmDialog } from './ConfirmDialog.tsx'
import { IMPORT_KINDS, type ImportJob, importApi } from './importApi.ts'
import { isSettled, jobActions, progress, statusWords, undoWords } from './importWizard.ts'
import { errorText } from './useImportJob.ts'
import './imports.css'

const POLL_MS = 1_000

/** The workspace's imports, newest first, with undo (after a confirmation) and resume for an interrupted one. */
export function ImportsHistoryPage() {
  const { session } = useSession()
  const [jobs, setJobs] = useState<ImportJob[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const [undoing, setUndoing] = useState<ImportJob | null>(null)
  const [busy, setBusy] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)
  const refresh = useCallback(() => setTick((n) => n + 1), [])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` asks for a fresh fetch
  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = () =>
      importApi.list().then(
        (list) => {
          if (cancelled) return
          setJobs(list)
          setError(null)
          if (list.some((j) => !isSettled(j))) timer = setTimeout(load, POLL_MS)
        },
        (e: unknown) => !cancelled && setError(`Could not load the imports — ${errorText(e)}`),
      )
    void load()
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [tick])

  const act = (action: Promise<unknown>, failure: string) => {
    setBusy(true)
    setActionError(null)
    action.then(
      () => {
        setBusy(false)
        setUndoing(null)
        refresh()
      },
      (e: unknown) => {
        setBusy(false)
        setActionError(`${failure} — ${errorText(e)}`)
      },
    )
  }
  const who = (job: ImportJob) =>
    job.createdByName ?? session.members.find((m) => m.userId === job.createdBy)?.name ?? 'someone'

  return (
    <div className="import-page" data-testid="imports-page">
      <div className="toolbar">
        <h1 className="page__title">Imports</h1>
        <span className="toolbar__spacer" />
        {IMPORT_KINDS.map((kind) => (
          <a key={kind} className="btn" href={`#/import/${kind}`} data-testid={`import-new-${kind}`}>
            Import {kind}
          </a>
        ))}
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {actionError && !undoing && (
        <p className="notice notice--error" role="alert" data-testid="imports-action-error">
          {actionError}
        </p>
      )}
      {jobs === null ? (
        <div className="empty">Loading imports…</div>
      ) : jobs.length === 0 ? (
        <div className="empty">No imports yet.</div>
      ) : (
        <ul className="import-history" data-testid="imports-list">
          {jobs.map((job) => {
            const actions = jobActions(job)
            return (
              <li
                key={job.id}
                className="panel import-history__item"
                data-testid={`import-${job.id}`}
                data-status={job.status}
              >
                <div className="import-history__head">
                  <strong className="import-history__file">{job.fileName}</strong>
                  <span
                    className={`chip import-status import-status--${job.status}`}
                    data-testid="import-status"
                  >
                    {statusWords(job.status)}
                  </span>
                </div>
                <p className="muted">
                  {job.kind} · {progress(job).text} · by {who(job)}
                  {job.startedAt ? ` · ${new Date(job.startedAt).toLocaleString()}` : ''}
                </p>
                <p className="import-history__counts" data-testid="import-counts">
                  {job.created} created · {job.updated} updated · {job.skipped} skipped · {job.failed} failed
                </p>
                {job.undo && (
                  <p className="muted" data-testid="import-undo-result">
                    {undoWords(job)}
                  </p>
                )}
                {job.error && <p className="notice notice--error">{job.error}</p>}
                <div className="import-history__actions">
                  {job.failed > 0 && (
                    <a
                      className="btn btn--ghost"
                      href={importApi.failedRowsHref(job.id)}
                      download={`failed-rows-${job.id}.csv`}
                    >
                      Failed rows
                    </a>
                  )}
                  {actions.resume && (
                    <button
                      type="button"
                      className="btn"
                      disabled={busy}
                      onClick={() => act(importApi.resume(job.id), 'The import did not resume')}
                      data-testid="import-resume"
                    >
                      Resume
                    </button>
                  )}
                  {actions.undo && (
                    <button
                      type="button"
                      className="btn"
                      disabled={busy}
                      onClick={() => {
                        setActionError(null)
                        setUndoing(job)
                      }}
                      data-testid="import-undo"
                    >
                      Undo
                    </button>
                  )}
                </div>
              </li>
            )
          })}
        </ul>
      )}
      {undoing && (
        <ConfirmDialog
          title={`Undo the import of ${undoing.fileName}?`}
          confirmLabel="Undo the import"
          danger
          busy={busy}
          error={actionError}
          onConfirm={() => act(importApi.undo(undoing.id), 'The import was not undone')}
          onCancel={() => setUndoing(null)}
          testId="undo-dialog"
        >
          <p>
            The {undoing.created.toLocaleString('en')} {undoing.kind} it created go to the trash, and the{' '}
            {undoing.updated.toLocaleString('en')} it updated get their earlier values back — except fields
            someone has changed since.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}
