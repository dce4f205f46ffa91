import type { Pipeline, Stage } from '@rapport/model'
import { useState } from 'react'
import { ApiError } from '../auth/authApi.ts'
import { settingsApi } from './settingsApi.ts'

/**
 * Asks where the deals of a stage go, then has the server move them (model `moveDeal` on the pipeline document,
 * broadcast and stored) and remove the stage, so no deal is left in a removed column.
 */
export function RemoveStageDialog({
  pipeline,
  stage,
  onClose,
}: {
  pipeline: Pipeline
  stage: Stage
  onClose: () => void
}) {
  const others = pipeline.stages.filter((s) => s.id !== stage.id)
  const [target, setTarget] = useState(others[0]?.id ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const confirm = () => {
    setBusy(true)
    settingsApi.removeStage(pipeline.id, stage.id, target).then(onClose, (err: unknown) => {
      setBusy(false)
      setError(err instanceof ApiError ? err.message : 'The stage could not be removed. Try again.')
    })
  }
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="remove-stage-title"
        data-testid="remove-stage-dialog"
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2 id="remove-stage-title" className="panel__title">
          Remove the stage “{stage.name}”?
        </h2>
        <label className="setting-input">
          <span className="setting-input__label">Move its deals to</span>
          <select
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="remove-stage-target"
            // biome-ignore lint/a11y/noAutofocus: the dialog's one choice
            autoFocus
          >
            {others.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--primary"
            disabled={busy || !target}
            onClick={confirm}
            data-testid="remove-stage-confirm"
          >
            Move deals and remove
          </button>
        </div>
      </div>
    </div>
  )
}
