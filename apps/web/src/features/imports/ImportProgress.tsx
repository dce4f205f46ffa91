import { useState } from 'react'
import { type ImportJob, importApi } from './importApi.ts'
import { progress, statusWords } from './importWizard.ts'
import { errorText } from './useImportJob.ts'

export interface ImportProgressProps {
  job: ImportJob
  onChanged: () => void
}

/** The running job's progress bar and cancel button; once it has settled, its result and the failed rows. */
export function ImportProgress({ job, onChanged }: ImportProgressProps) {
  const [error, setError] = useState<string | null>(null)
  const [cancelling, setCancelling] = useState(false)
  const bar = progress(job)
  const running = job.status === 'running'
  const cancel = () => {
    setCancelling(true)
    importApi.cancel(job.id).then(
      () => {
        setCancelling(false)
        onChanged()
      },
      (e: unknown) => {
        setCancelling(false)
        setError(`Could not cancel — ${errorText(e)}`)
      },
    )
  }
  return (
    <section
      className="panel import-step"
      data-testid="import-progress"
      data-status={job.status}
      data-id={job.id}
    >
      <h2 className="panel__title">
        {running ? `Importing ${job.fileName}…` : `${statusWords(job.status)}: ${job.fileName}`}
      </h2>
      <div className="import-progress">
        <progress
          className="import-progress__bar"
          value={bar.value}
          max={bar.max ?? undefined}
          aria-label="Import progress"
          data-testid="import-progress-bar"
          data-processed={job.processed}
          data-total={job.total ?? ''}
        />
        <span className="muted" data-testid="import-progress-text">
          {bar.text}
        </span>
        {running && (
          <button
            type="button"
            className="btn"
            onClick={cancel}
            disabled={cancelling}
            data-testid="import-cancel"
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <ImportCounts job={job} />
      {job.error && (
        <p className="notice notice--error" role="alert" data-testid="import-job-error">
          {job.error}
        </p>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {!running && (
        <p className="import-result__links">
          {job.failed > 0 && (
            <a
              className="btn"
              href={importApi.failedRowsHref(job.id)}
              download={`failed-rows-${job.id}.csv`}
              data-testid="import-failed-rows"
            >
              Download the {job.failed} failed rows
            </a>
          )}
          <a className="btn btn--ghost" href="#/imports" data-testid="import-history-link">
            Import history
          </a>
          <a className="btn btn--ghost" href={`#/${job.kind}`}>
            Open the {job.kind}
          </a>
        </p>
      )}
    </section>
  )
}

/** Created / updated / skipped / failed, as a short list. */
export function ImportCounts({ job }: { job: ImportJob }) {
  const counts = [
    ['created', 'Created', job.created],
    ['updated', 'Updated', job.updated],
    ['skipped', 'Skipped', job.skipped],
    ['failed', 'Failed', job.failed],
  ] as const
  return (
    <dl className="import-counts">
      {counts.map(([key, label, n]) => (
        <div key={key} className={`import-counts__item import-counts__item--${key}`}>
          <dt>{label}</dt>
          <dd data-testid={`import-count-${key}`}>{n.toLocaleString('en')}</dd>
        </div>
      ))}
    </dl>
  )
}
