import {
  addStage,
  createPipeline,
  type Pipeline,
  reorderPipeline,
  reorderStage,
  STAGE_OUTCOMES,
  type Stage,
  updatePipeline,
  updateStage,
  type WorkspaceSettings,
} from '@rapport/model'
import { type FormEvent, useState } from 'react'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { FieldError } from '../../ui/FieldError.tsx'
import { RemoveStageDialog } from './RemoveStageDialog.tsx'
import { SettingInput } from './SettingInput.tsx'
import type { RunCommand } from './SettingsPage.tsx'
import { parseStageForm, type StageForm } from './settingsForms.ts'

interface Props {
  settings: WorkspaceSettings
  readOnly: boolean
  run: RunCommand
}

const OUTCOME_LABEL = { open: 'Open', won: 'Won', lost: 'Lost' } as const
const pct = (p: number) => String(Math.round(p * 10_000) / 100)

/** Pipelines (create, rename, reorder, archive) and the stages of the chosen one. */
export function PipelineSettings({ settings, readOnly, run }: Props) {
  const [chosenId, setChosenId] = useState<string | null>(null)
  const [newName, setNewName] = useState('')
  const [newError, setNewError] = useState<string | null>(null)
  const pipelines = settings.pipelines
  const chosen = pipelines.find((p) => p.id === chosenId) ?? pipelines[0] ?? null

  const create = (e: FormEvent) => {
    e.preventDefault()
    const name = newName.trim()
    if (name === '') return setNewError('Give the pipeline a name.')
    if (name.length > 100) return setNewError('Keep the name under 100 characters.')
    let id = ''
    if (run((doc) => (id = createPipeline(doc, { name }, LOCAL_ORIGIN).id))) {
      setNewName('')
      setNewError(null)
      setChosenId(id)
    }
  }

  return (
    <div className="settings__split">
      <section className="panel settings__list" aria-label="Pipelines">
        <h2 className="panel__title">Pipelines</h2>
        <ol className="settings__items">
          {pipelines.map((p, i) => (
            <li key={p.id} className={`settings__item${p.id === chosen?.id ? ' is-active' : ''}`}>
              <button
                type="button"
                className="settings__item-name"
                onClick={() => setChosenId(p.id)}
                aria-pressed={p.id === chosen?.id}
                data-testid={`settings-pipeline-${p.id}`}
              >
                {p.name}
                {p.archived && <small className="muted"> · archived</small>}
              </button>
              {!readOnly && (
                <span className="settings__order">
                  <button
                    type="button"
                    className="btn btn--ghost btn--icon"
                    aria-label={`Move ${p.name} up`}
                    disabled={i === 0}
                    onClick={() => run((doc) => reorderPipeline(doc, p.id, i - 1, LOCAL_ORIGIN))}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn--ghost btn--icon"
                    aria-label={`Move ${p.name} down`}
                    disabled={i === pipelines.length - 1}
                    onClick={() => run((doc) => reorderPipeline(doc, p.id, i + 1, LOCAL_ORIGIN))}
                  >
                    ↓
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
        {!readOnly && (
          <form className="settings__add" onSubmit={create}>
            <label className="setting-input">
              <span className="setting-input__label">New pipeline</span>
              <input
                value={newName}
                onChange={(e) => setNewName(e.target.value)}
                placeholder="Name"
                data-testid="new-pipeline-name"
                aria-invalid={newError ? true : undefined}
              />
              <FieldError message={newError} />
            </label>
            <button type="submit" className="btn" data-testid="create-pipeline">
              Create pipeline
            </button>
          </form>
        )}
      </section>
      {chosen && <PipelineEditor key={chosen.id} pipeline={chosen} readOnly={readOnly} run={run} />}
    </div>
  )
}

function PipelineEditor({
  pipeline,
  readOnly,
  run,
}: {
  pipeline: Pipeline
  readOnly: boolean
  run: RunCommand
}) {
  const [removing, setRemoving] = useState<Stage | null>(null)
  const rename = (text: string) => {
    const name = text.trim()
    if (name === '') return 'Give the pipeline a name.'
    if (name.length > 100) return 'Keep the name under 100 characters.'
    run((doc) => updatePipeline(doc, pipeline.id, { name }, LOCAL_ORIGIN))
    return null
  }
  return (
    <section className="panel settings__editor" data-testid="pipeline-editor" data-pipeline={pipeline.id}>
      <div className="settings__editor-head">
        <SettingInput
          label="Pipeline name"
          value={pipeline.name}
          readOnly={readOnly}
          onCommit={rename}
          testId="pipeline-name"
        />
        {!readOnly && (
          <button
            type="button"
            className="btn btn--ghost"
            data-testid="archive-pipeline"
            onClick={() =>
              run((doc) => updatePipeline(doc, pipeline.id, { archived: !pipeline.archived }, LOCAL_ORIGIN))
            }
          >
            {pipeline.archived ? 'Restore pipeline' : 'Archive pipeline'}
          </button>
        )}
      </div>
      <h3 className="settings__subtitle">Stages</h3>
      <div className="settings__table-wrap">
        <table className="settings__table" data-testid="stages">
          <thead>
            <tr>
              <th>Name</th>
              <th>Probability</th>
              <th>Rots after</th>
              <th>Outcome</th>
              {!readOnly && <th className="visually-hidden">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {pipeline.stages.map((stage, i) => (
              <StageRow
                key={stage.id}
                pipeline={pipeline}
                stage={stage}
                index={i}
                readOnly={readOnly}
                run={run}
                onRemove={() => setRemoving(stage)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {!readOnly && <AddStageForm pipeline={pipeline} run={run} />}
      {removing && (
        <RemoveStageDialog pipeline={pipeline} stage={removing} onClose={() => setRemoving(null)} />
      )}
    </section>
  )
}

interface StageRowProps {
  pipeline: Pipeline
  stage: Stage
  index: number
  readOnly: boolean
  run: RunCommand
  onRemove: () => void
}

function StageRow({ pipeline, stage, index, readOnly, run, onRemove }: StageRowProps) {
  const form = (over: Partial<StageForm>): StageForm => ({
    name: stage.name,
    probability: pct(stage.probability),
    rotAfterDays: stage.rotAfterDays === null ? '' : String(stage.rotAfterDays),
    outcome: stage.outcome,
    ...over,
  })
  const save = (over: Partial<StageForm>, field: keyof StageForm): string | null => {
    const parsed = parseStageForm(form(over))
    if (!parsed.ok) return parsed.errors[field] ?? Object.values(parsed.errors)[0] ?? null
    run((doc) => updateStage(doc, pipeline.id, stage.id, parsed.value, LOCAL_ORIGIN))
    return null
  }
  return (
    <tr data-testid="stage-row" data-stage={stage.id}>
      <td className="settings__cell-name">
        <SettingInput
          label="Stage name"
          hideLabel
          value={stage.name}
          readOnly={readOnly}
          onCommit={(name) => save({ name }, 'name')}
          testId="stage-name"
        />
      </td>
      <td>
        <SettingInput
          label="Probability"
          hideLabel
          type="number"
          suffix="%"
          value={pct(stage.probability)}
          readOnly={readOnly}
          onCommit={(probability) => save({ probability }, 'probability')}
          testId="stage-probability"
        />
      </td>
      <td>
        <SettingInput
          label="Rots after (days)"
          hideLabel
          type="number"
          suffix="days"
          placeholder="never"
          value={stage.rotAfterDays === null ? '' : String(stage.rotAfterDays)}
          readOnly={readOnly}
          onCommit={(rotAfterDays) => save({ rotAfterDays }, 'rotAfterDays')}
          testId="stage-rot"
        />
      </td>
      <td>
        <div className="setting-input setting-input--bare">
          <span className="visually-hidden" aria-hidden="true">
            Outcome
          </span>
          {readOnly ? (
            <span className="settings__readonly">{OUTCOME_LABEL[stage.outcome]}</span>
          ) : (
            <select
              aria-label="Outcome"
              value={stage.outcome}
              data-testid="stage-outcome"
              onChange={(e) => save({ outcome: e.target.value as Stage['outcome'] }, 'outcome')}
            >
              {STAGE_OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {OUTCOME_LABEL[o]}
                </option>
              ))}
            </select>
          )}
        </div>
      </td>
      {!readOnly && (
        <td className="settings__row-actions">
          <button
            type="button"
            className="btn btn--ghost btn--icon"
            aria-label={`Move ${stage.name} left`}
            disabled={index === 0}
            onClick={() => run((doc) => reorderStage(doc, pipeline.id, stage.id, index - 1, LOCAL_ORIGIN))}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn--ghost btn--icon"
            aria-label={`Move ${stage.name} right`}
            disabled={index === pipeline.stages.length - 1}
            onClick={() => run((doc) => reorderStage(doc, pipeline.id, stage.id, index + 1, LOCAL_ORIGIN))}
          >
            ↓
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            disabled={pipeline.stages.length <= 1}
            onClick={onRemove}
            data-testid="remove-stage"
          >
            Remove
          </button>
        </td>
      )}
    </tr>
  )
}

const EMPTY_STAGE: StageForm = { name: '', probability: '10', rotAfterDays: '', outcome: 'open' }

function AddStageForm({ pipeline, run }: { pipeline: Pipeline; run: RunCommand }) {
  const [form, setForm] = useState<StageForm>(EMPTY_STAGE)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const parsed = parseStageForm(form)
    if (!parsed.ok) return setErrors(parsed.errors)
    if (run((doc) => addStage(doc, pipeline.id, parsed.value, LOCAL_ORIGIN))) {
      setForm(EMPTY_STAGE)
      setErrors({})
    }
  }
  const field = (
    key: keyof StageForm,
    label: string,
    extra: { type?: string; placeholder?: string } = {},
  ) => (
    <label className="setting-input">
      <span className="setting-input__label">{label}</span>
      <input
        {...extra}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        aria-invalid={errors[key] ? true : undefined}
        data-testid={`add-stage-${key}`}
      />
      <FieldError message={errors[key]} />
    </label>
  )
  return (
    <form className="settings__add settings__add--stage" onSubmit={submit} aria-label="Add a stage">
      {field('name', 'New stage')}
      {field('probability', 'Probability (%)', { type: 'number' })}
      {field('rotAfterDays', 'Rots after (days)', { type: 'number', placeholder: 'never' })}
      <label className="setting-input">
        <span className="setting-input__label">Outcome</span>
        <select
          value={form.outcome}
          onChange={(e) => setForm({ ...form, outcome: e.target.value as StageForm['outcome'] })}
          data-testid="add-stage-outcome"
        >
          {STAGE_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABEL[o]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn" data-testid="add-stage">
        Add stage
      </button>
    </form>
  )
}
