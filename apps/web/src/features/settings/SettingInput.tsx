import { useState } from 'react'
import { FieldError } from '../../ui/FieldError.tsx'

export interface SettingInputProps {
  label: string
  value: string
  readOnly: boolean
  /** Checks and saves the typed text; returns a plain-words problem to show beside the field, or null when saved. */
  onCommit: (text: string) => string | null
  testId?: string
  type?: 'text' | 'number'
  /** Label shown to screen readers only (table cells). */
  hideLabel?: boolean
  suffix?: string
  placeholder?: string
}

/** An input that keeps what you type until Enter or blur, then saves it (Escape puts the value back). */
export function SettingInput({
  label,
  value,
  readOnly,
  onCommit,
  testId,
  type = 'text',
  hideLabel,
  suffix,
  placeholder,
}: SettingInputProps) {
  const [draft, setDraft] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const end = (save: boolean) => {
    if (draft === null) return
    if (!save || draft === value) {
      setDraft(null)
      setError(null)
      return
    }
    const problem = onCommit(draft)
    setError(problem)
    if (problem === null) setDraft(null)
  }
  return (
    <label className={`setting-input${hideLabel ? ' setting-input--bare' : ''}`}>
      <span className={hideLabel ? 'visually-hidden' : 'setting-input__label'}>{label}</span>
      <span className="setting-input__row">
        <input
          type={type}
          inputMode={type === 'number' ? 'decimal' : undefined}
          step={type === 'number' ? 'any' : undefined}
          value={draft ?? value}
          readOnly={readOnly}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          data-testid={testId}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => end(true)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') end(true)
            if (e.key === 'Escape') end(false)
          }}
        />
        {suffix && <span className="setting-input__suffix">{suffix}</span>}
      </span>
      <FieldError message={error} />
    </label>
  )
}
