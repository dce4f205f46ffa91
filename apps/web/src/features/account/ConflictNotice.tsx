import { conflictText } from './fieldConflict.ts'

export interface ConflictNoticeProps {
  /** The field's test name (`industry`, `cf-<fieldId>`): `conflict-<name>`, `put-back-<name>`. */
  name: string
  label: string
  who: string | null
  /** Their value and ours, as the field shows them. */
  theirs: string
  mine: string
  readOnly: boolean
  onPutBack: () => void
  onDismiss?: () => void
}

/** "Sasha Sales changed Industry to 'Retail' — your 'Fintech' was replaced" with Put mine back and Dismiss. */
export function ConflictNotice({
  name,
  label,
  who,
  theirs,
  mine,
  readOnly,
  onPutBack,
  onDismiss,
}: ConflictNoticeProps) {
  return (
    <p className="live-field__conflict" role="status" data-testid={`conflict-${name}`}>
      <span data-testid={`conflict-text-${name}`}>{conflictText(who, label, theirs, mine)}</span>{' '}
      <button
        type="button"
        className="btn btn--ghost"
        data-testid={`put-back-${name}`}
        disabled={readOnly}
        onClick={onPutBack}
      >
        Put mine back
      </button>
      <button type="button" className="btn btn--ghost" onClick={onDismiss}>
        Dismiss
      </button>
    </p>
  )
}
