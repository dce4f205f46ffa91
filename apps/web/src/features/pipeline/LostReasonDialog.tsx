import { useEffect, useId, useRef, useState } from 'react'
import './lostReason.css'

export interface LostReasonDialogProps {
  dealTitle: string
  stageName: string
  /** A plain-words message when the move could not be written (the dialog stays open). */
  error: string | null
  onConfirm: (reasonText: string) => void
  onCancel: () => void
}

/** Asks why a deal was lost before the move into a lost stage is written: a reason, Confirm or Cancel. */
export function LostReasonDialog(props: LostReasonDialogProps) {
  const { dealTitle, stageName, error, onConfirm, onCancel } = props
  const [text, setText] = useState('')
  const titleId = useId()
  const inputId = useId()
  const input = useRef<HTMLInputElement | null>(null)
  useEffect(() => input.current?.focus(), [])
  return (
    <div className="lost-backdrop">
      <form
        className="lost-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="lost-reason-dialog"
        onSubmit={(e) => {
          e.preventDefault()
          onConfirm(text)
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return
          e.preventDefault()
          onCancel()
        }}
      >
        <h2 className="lost-dialog__title" id={titleId}>
          Move “{dealTitle}” to {stageName}
        </h2>
        <label className="lost-dialog__label" htmlFor={inputId}>
          Why was it lost?
        </label>
        <input
          id={inputId}
          ref={input}
          className="lost-dialog__input"
          type="text"
          maxLength={500}
          placeholder="For example: chose a competitor"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <div className="lost-dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary">
            Confirm
          </button>
        </div>
      </form>
    </div>
  )
}
