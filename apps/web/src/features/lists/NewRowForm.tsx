import type { CustomFieldDef, CustomFieldValue } from '@rapport/model'
import { type FormEvent, type ReactNode, useState } from 'react'
import { RequiredFieldInputs, useRequiredFields } from '../customFields/RequiredCustomFields.tsx'
import { OptionList } from './EditableCell.tsx'
import type { ListOption } from './listColumns.ts'

export interface NewRowField {
  name: string
  label: string
  kind: 'text' | 'select'
  initial: string
  options?: readonly ListOption[]
  required?: boolean
}

export interface NewRowFormProps {
  fields: readonly NewRowField[]
  submitLabel: string
  /** Creates the record (with the required custom fields' values); resolves to an error message, or `null`. */
  onCreate: (
    values: Record<string, string>,
    customFields: Record<string, CustomFieldValue>,
  ) => Promise<string | null> | string | null
  /** The custom fields an admin made required for this kind: each gets its input, and none may stay empty. */
  requiredFields?: {
    defs: readonly CustomFieldDef[]
    members: ReadonlyArray<{ userId: string; name: string }>
    currency: string
  }
  onClose: () => void
  /** Shown under the fields as they are typed (the duplicate warning). */
  aside?: (values: Record<string, string>) => ReactNode
}

const NONE: readonly CustomFieldDef[] = []

function initialValues(fields: readonly NewRowField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, f.initial]))
}

/** The inline "new row" form above a list: Enter creates the record and keeps the form open for the next one. */
export function NewRowForm({
  fields,
  submitLabel,
  onCreate,
  onClose,
  aside,
  requiredFields,
}: NewRowFormProps) {
  const [values, setValues] = useState(() => initialValues(fields))
  const [error, setError] = useState<string | null>(null)
  const required = useRequiredFields(requiredFields?.defs ?? NONE)

  const [saving, setSaving] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (saving) return
    const customValues = required.check()
    if (!customValues) return
    setSaving(true)
    const message = await onCreate(values, customValues)
    setSaving(false)
    setError(message)
    if (message === null) {
      setValues(initialValues(fields))
      required.reset()
    }
  }

  return (
    <form className="new-row" onSubmit={submit} data-testid="new-row-form">
      {fields.map((f, i) => (
        <div key={f.name} className="new-row__field">
          <label htmlFor={`new-row-${f.name}`}>{f.label}</label>
          {f.kind === 'select' ? (
            <select
              id={`new-row-${f.name}`}
              value={values[f.name] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              data-testid={`new-${f.name}`}
            >
              <OptionList options={f.options ?? []} />
            </select>
          ) : (
            <input
              id={`new-row-${f.name}`}
              value={values[f.name] ?? ''}
              required={f.required}
              // biome-ignore lint/a11y/noAutofocus: the form opens on request to type the new record
              autoFocus={i === 0}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              onKeyDown={(e) => {
                if (e.key === 'Escape') onClose()
              }}
              data-testid={`new-${f.name}`}
            />
          )}
        </div>
      ))}
      {requiredFields && (
        <RequiredFieldInputs
          defs={requiredFields.defs}
          state={required}
          members={requiredFields.members}
          currency={requiredFields.currency}
          testId={(fieldId) => `new-cf-${fieldId}`}
        />
      )}
      <div className="new-row__actions">
        <button type="submit" className="btn btn--primary" data-testid="new-submit" disabled={saving}>
          {submitLabel}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
      {aside?.(values)}
      {error && (
        <p className="notice notice--error new-row__error" role="alert" data-testid="new-row-error">
          {error}
        </p>
      )}
    </form>
  )
}
