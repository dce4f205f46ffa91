import { useEffect, useRef, useState } from 'react'

/**
 * The ticket's description as plain text: edited in place and saved when the field loses the focus (or with
 * Ctrl/⌘+Enter). Someone else's change shows at once unless this user is typing in it.
 */
export function TicketDescription({
  value,
  readOnly,
  onCommit,
}: {
  value: string
  readOnly: boolean
  onCommit: (next: string) => void
}) {
  const [draft, setDraft] = useState(value)
  const editing = useRef(false)
  useEffect(() => {
    if (!editing.current) setDraft(value)
  }, [value])
  const commit = () => {
    editing.current = false
    if (draft !== value) onCommit(draft)
  }
  return (
    <label className="field ticket-description">
      <span>Description</span>
      <textarea
        className="input"
        rows={4}
        maxLength={20_000}
        value={draft}
        readOnly={readOnly}
        placeholder={readOnly ? 'No description' : 'Describe the problem'}
        data-testid="ticket-description"
        onFocus={() => {
          editing.current = true
        }}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) commit()
          if (e.key === 'Escape') {
            editing.current = false
            setDraft(value)
          }
        }}
      />
    </label>
  )
}
