import { type ReactNode, useEffect, useId, useRef, useState } from 'react'
import './imports.css'

export interface ConfirmDialogProps {
  title: string
  children: ReactNode
  confirmLabel: string
  /** When set, the confirm button waits until exactly this text is typed (an erasure, say). */
  typeToConfirm?: string
  /** A plain-words message when the action failed (the dialog stays open). */
  error?: string | null
  busy?: boolean
  danger?: boolean
  onConfirm: () => void
  onCancel: () => void
  testId: string
}

/** A modal question with a confirm and a cancel button; Escape cancels. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, children, confirmLabel, typeToConfirm, error, busy, danger, onConfirm, onCancel, testId } =
    props
  const titleId = useId()
  const [typed, setTyped] = useState('')
  const first = useRef<HTMLInputElement | HTMLButtonElement | null>(null)
  useEffect(() => first.current?.focus(), [])
  const ready = typeToConfirm === undefined || typed.trim() === typeToConfirm
  return (
    <div className="data-backdrop">
      <form
        className={`data-dialog${danger ? ' data-dialog--danger' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onSubmit={(e) => {
          e.preventDefault()
          if (ready && !busy) onConfirm()
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return
          e.preventDefault()
          onCancel()
        }}
      >
        <h2 className="data-dialog__title" id={titleId}>
          {title}
        </h2>
        <div className="data-dialog__body">{children}</div>
        {typeToConfirm !== undefined && (
          <label className="data-dialog__type">
            Type <strong>{typeToConfirm}</strong> to confirm
            <input
              ref={(el) => {
                first.current = el
              }}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              data-testid={`${testId}-type`}
            />
          </label>
        )}
        {error && (
          <p className="notice notice--error" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        )}
        <div className="data-dialog__actions">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={onCancel}
            data-testid={`${testId}-cancel`}
          >
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={!ready || busy}
            ref={(el) => {
              if (typeToConfirm === undefined) first.current = el
            }}
            data-testid={`${testId}-confirm`}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </div>
  )
}
