import type { InputHTMLAttributes } from 'react'

/** A labelled input with its validation message right beside it (below, tied by aria-describedby). */
export function FormField({
  label,
  name,
  error,
  testId,
  ...input
}: {
  label: string
  name: string
  error?: string | undefined
  testId: string
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const errorId = `${testId}-error`
  return (
    <label className="field">
      <span>{label}</span>
      <input
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        data-testid={testId}
        {...input}
      />
      {error && (
        <span className="field__error" id={errorId} role="alert" data-testid={errorId}>
          {error}
        </span>
      )}
    </label>
  )
}
