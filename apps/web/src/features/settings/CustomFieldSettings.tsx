import {
  CUSTOM_FIELD_ENTITIES,
  CUSTOM_FIELD_TYPES,
  type CustomFieldDef,
  type CustomFieldEntity,
  type CustomFieldType,
  newId,
  removeCustomField,
  upsertCustomField,
  type WorkspaceSettings,
} from '@rapport/model'
import { type FormEvent, useState } from 'react'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { FieldError } from '../../ui/FieldError.tsx'
import { SettingInput } from './SettingInput.tsx'
import type { RunCommand } from './SettingsPage.tsx'
import { parseOptions } from './settingsForms.ts'

export const ENTITY_LABEL: Record<CustomFieldEntity, string> = {
  account: 'Accounts',
  contact: 'Contacts',
  deal: 'Deals',
  ticket: 'Tickets',
}
export const TYPE_LABEL: Record<CustomFieldType, string> = {
  text: 'Text',
  number: 'Number',
  currency: 'Amount',
  date: 'Date',
  boolean: 'Yes / no',
  select: 'One choice',
  multiselect: 'Several choices',
  user: 'Member',
  url: 'Web address',
  email: 'Email',
}
const hasOptions = (type: CustomFieldType) => type === 'select' || type === 'multiselect'

interface Props {
  settings: WorkspaceSettings
  readOnly: boolean
  run: RunCommand
}

function labelProblem(label: string): string | null {
  if (label.trim() === '') return 'Give the field a name.'
  if (label.trim().length > 100) return 'Keep the name under 100 characters.'
  return null
}

/** Custom fields per record kind: add (name, kind, type, choices, required), rename, change choices, remove. */
export function CustomFieldSettings({ settings, readOnly, run }: Props) {
  const save = (def: CustomFieldDef, patch: Partial<CustomFieldDef>) =>
    run((doc) => upsertCustomField(doc, { ...def, ...patch }, LOCAL_ORIGIN))
  return (
    <div className="settings__stack">
      {!readOnly && <AddFieldForm run={run} />}
      {CUSTOM_FIELD_ENTITIES.map((entity) => {
        const defs = settings.customFields.filter((d) => d.entity === entity)
        return (
          <section
            key={entity}
            className="panel"
            aria-label={ENTITY_LABEL[entity]}
            data-testid={`fields-${entity}`}
          >
            <h2 className="panel__title">{ENTITY_LABEL[entity]}</h2>
            {defs.length === 0 && <p className="muted">No custom fields yet.</p>}
            <ul className="settings__fields">
              {defs.map((def) => (
                <li key={def.id} className="settings__field" data-testid="field-def" data-field={def.id}>
                  <SettingInput
                    label="Field name"
                    value={def.label}
                    readOnly={readOnly}
                    onCommit={(label) => {
                      const problem = labelProblem(label)
                      if (!problem) save(def, { label: label.trim() })
                      return problem
                    }}
                    testId="field-label"
                  />
                  <span className="chip">{TYPE_LABEL[def.type]}</span>
                  {hasOptions(def.type) && (
                    <SettingInput
                      label="Choices (comma-separated)"
                      value={def.options.join(', ')}
                      readOnly={readOnly}
                      onCommit={(text) => {
                        const options = parseOptions(text)
                        if (options.length === 0) return 'Give at least one choice.'
                        save(def, { options })
                        return null
                      }}
                      testId="field-options"
                    />
                  )}
                  <label className="settings__check">
                    <input
                      type="checkbox"
                      checked={def.required}
                      disabled={readOnly}
                      onChange={(e) => save(def, { required: e.target.checked })}
                    />
                    Required
                  </label>
                  {!readOnly && (
                    <button
                      type="button"
                      className="btn btn--ghost"
                      data-testid="remove-field"
                      onClick={() => {
                        if (
                          window.confirm(
                            `Remove the field “${def.label}”? Stored values are kept but hidden.`,
                          )
                        )
                          run((doc) => removeCustomField(doc, def.id, LOCAL_ORIGIN))
                      }}
                    >
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )
      })}
    </div>
  )
}

function AddFieldForm({ run }: { run: RunCommand }) {
  const [label, setLabel] = useState('')
  const [entity, setEntity] = useState<CustomFieldEntity>('account')
  const [type, setType] = useState<CustomFieldType>('text')
  const [options, setOptions] = useState('')
  const [required, setRequired] = useState(false)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const next: Record<string, string> = {}
    const problem = labelProblem(label)
    if (problem) next.label = problem
    const choices = hasOptions(type) ? parseOptions(options) : []
    if (hasOptions(type) && choices.length === 0) next.options = 'Give at least one choice.'
    setErrors(next)
    if (Object.keys(next).length > 0) return
    const def = { id: newId('cf'), label: label.trim(), entity, type, options: choices, required }
    if (run((doc) => upsertCustomField(doc, def, LOCAL_ORIGIN))) {
      setLabel('')
      setOptions('')
      setRequired(false)
    }
  }
  return (
    <form
      className="panel settings__add settings__add--field"
      onSubmit={submit}
      aria-label="Add a custom field"
    >
      <h2 className="panel__title">Add a field</h2>
      <label className="setting-input">
        <span className="setting-input__label">Name</span>
        <input
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          aria-invalid={errors.label ? true : undefined}
          data-testid="new-field-label"
        />
        <FieldError message={errors.label} />
      </label>
      <label className="setting-input">
        <span className="setting-input__label">On</span>
        <select
          value={entity}
          onChange={(e) => setEntity(e.target.value as CustomFieldEntity)}
          data-testid="new-field-entity"
        >
          {CUSTOM_FIELD_ENTITIES.map((x) => (
            <option key={x} value={x}>
              {ENTITY_LABEL[x]}
            </option>
          ))}
        </select>
      </label>
      <label className="setting-input">
        <span className="setting-input__label">Type</span>
        <select
          value={type}
          onChange={(e) => setType(e.target.value as CustomFieldType)}
          data-testid="new-field-type"
        >
          {CUSTOM_FIELD_TYPES.map((x) => (
            <option key={x} value={x}>
              {TYPE_LABEL[x]}
            </option>
          ))}
        </select>
      </label>
      {hasOptions(type) && (
        <label className="setting-input">
          <span className="setting-input__label">Choices (comma-separated)</span>
          <input
            value={options}
            onChange={(e) => setOptions(e.target.value)}
            aria-invalid={errors.options ? true : undefined}
            data-testid="new-field-options"
          />
          <FieldError message={errors.options} />
        </label>
      )}
      <label className="settings__check">
        <input
          type="checkbox"
          checked={required}
          onChange={(e) => setRequired(e.target.checked)}
          data-testid="new-field-required"
        />
        Required
      </label>
      <button type="submit" className="btn btn--primary" data-testid="add-field">
        Add field
      </button>
    </form>
  )
}
