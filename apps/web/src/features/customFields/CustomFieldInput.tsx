import { type CustomFieldDef, type CustomFieldValue, customFieldError, isEmptyValue } from '@rapport/model'
import { useState } from 'react'

export interface CustomFieldInputProps {
  def: CustomFieldDef
  value: CustomFieldValue | undefined
  readOnly: boolean
  members: ReadonlyArray<{ userId: string; name: string }>
  /** The workspace's base currency (label of `currency` fields). */
  currency: string
  onCommit: (value: CustomFieldValue) => void
  /**
   * In a create form: no "not filled in yet" hint (the form says "is required" on submit). The hint vanishing as the
   * field commits on blur would move the submit button from under the pointer.
   */
  inForm?: boolean
}

const TEXT_TYPES = { text: 'text', url: 'url', email: 'email', number: 'number', currency: 'number' } as const

/** How a value reads when it is not being edited. */
export function formatCustomValue(
  def: CustomFieldDef,
  value: CustomFieldValue | undefined,
  members: ReadonlyArray<{ userId: string; name: string }>,
  currency: string,
): string {
  if (isEmptyValue(value)) return '—'
  if (def.type === 'boolean') return value ? 'Yes' : 'No'
  if (def.type === 'multiselect' && Array.isArray(value)) return value.join(', ')
  if (def.type === 'user') return members.find((m) => m.userId === value)?.name ?? 'Former member'
  if (def.type === 'currency' && typeof value === 'number')
    return `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${currency}`
  return String(value)
}

/** Text typed into a number, URL, email or text input → the value to store (or an error in plain words). */
function parseTyped(def: CustomFieldDef, text: string): { value: CustomFieldValue } | { error: string } {
  const trimmed = text.trim()
  if (trimmed === '') return { value: null }
  if (def.type === 'number' || def.type === 'currency') {
    const n = Number(trimmed.replace(/,/g, ''))
    if (!Number.isFinite(n)) return { error: `${def.label} must be a number.` }
    return { value: n }
  }
  return { value: trimmed }
}

/** One custom field: the input its type needs, validated against its definition before it commits. */
export function CustomFieldInput({
  def,
  value,
  readOnly,
  members,
  currency,
  onCommit,
  inForm = false,
}: CustomFieldInputProps) {
  const [draft, setDraft] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const id = `cf-${def.id}`
  const errorId = `${id}-error`

  const commit = (next: CustomFieldValue) => {
    const problem =
      customFieldError(def, next) ?? (def.required && isEmptyValue(next) ? `${def.label} is required.` : null)
    setError(problem)
    if (problem) return false
    onCommit(next)
    return true
  }

  const label = (
    <label className="live-field__label" htmlFor={id}>
      {def.label}
      {def.required && (
        <span className="cf-required" title="Required">
          {' '}
          *
        </span>
      )}
    </label>
  )

  if (readOnly) {
    return (
      <div className="live-field cf-field" data-testid={`cf-${def.id}`} data-type={def.type}>
        {label}
        <output id={id} className="cf-readonly" data-testid={`cf-value-${def.id}`}>
          {formatCustomValue(def, value, members, currency)}
        </output>
      </div>
    )
  }

  const common = {
    id,
    'data-testid': `cf-input-${def.id}`,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
  }
  let input: React.ReactNode
  switch (def.type) {
    case 'boolean':
      input = (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => commit(e.target.checked)}
        />
      )
      break
    case 'select':
    case 'user': {
      const options =
        def.type === 'select'
          ? def.options.map((o) => ({ value: o, label: o }))
          : members.map((m) => ({ value: m.userId, label: m.name }))
      input = (
        <select
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => commit(e.target.value || null)}
        >
          <option value="">—</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )
      break
    }
    case 'multiselect': {
      const chosen = Array.isArray(value) ? value : []
      input = (
        <fieldset className="cf-multi" {...common} aria-label={def.label}>
          {def.options.map((o) => (
            <label key={o} className="cf-multi__option">
              <input
                type="checkbox"
                checked={chosen.includes(o)}
                onChange={(e) => commit(e.target.checked ? [...chosen, o] : chosen.filter((c) => c !== o))}
              />
              {o}
            </label>
          ))}
          {def.options.length === 0 && <span className="muted">No choices yet.</span>}
        </fieldset>
      )
      break
    }
    case 'date':
      input = (
        <input
          {...common}
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => commit(e.target.value || null)}
        />
      )
      break
    default: {
      const shown = draft ?? (isEmptyValue(value) ? '' : String(value))
      const end = (save: boolean) => {
        if (draft === null) return
        if (!save) {
          setDraft(null)
          setError(null)
          return
        }
        const parsed = parseTyped(def, draft)
        if ('error' in parsed) {
          setError(parsed.error)
          return
        }
        if (parsed.value === value || (isEmptyValue(parsed.value) && isEmptyValue(value))) {
          setDraft(null)
          setError(null)
          return
        }
        if (commit(parsed.value)) setDraft(null)
      }
      input = (
        <span className="cf-text">
          <input
            {...common}
            type={TEXT_TYPES[def.type]}
            inputMode={def.type === 'number' || def.type === 'currency' ? 'decimal' : undefined}
            step={def.type === 'number' || def.type === 'currency' ? 'any' : undefined}
            value={shown}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => end(true)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') end(true)
              if (e.key === 'Escape') end(false)
            }}
          />
          {def.type === 'currency' && <span className="cf-suffix">{currency}</span>}
        </span>
      )
    }
  }

  return (
    <div className="live-field cf-field" data-testid={`cf-${def.id}`} data-type={def.type}>
      {label}
      {input}
      {error ? (
        <span id={errorId} className="field-error" role="alert" data-testid={`cf-error-${def.id}`}>
          {error}
        </span>
      ) : (
        def.required &&
        !inForm &&
        isEmptyValue(value) && (
          <span className="cf-hint" data-testid={`cf-missing-${def.id}`}>
            Required: not filled in yet.
          </span>
        )
      )}
    </div>
  )
}
