import { useState } from 'react'
import { ConflictNotice } from './ConflictNotice.tsx'
import {
  changedUnderneath,
  type FieldDraft,
  IDLE_DRAFT,
  shownValue,
  startEditing,
  typeDraft,
  valueToCommit,
} from './draftField.ts'
import type { FieldConflict } from './useFieldConflicts.ts'

export interface LiveFieldProps {
  name: string
  label: string
  value: string
  readOnly: boolean
  /** Someone else editing this field right now. */
  editingBy?: { name: string; color: string } | null
  options?: ReadonlyArray<{ value: string; label: string }>
  onCommit: (value: string) => void
  onEditing?: (editing: boolean) => void
  /** A value we committed that a concurrent set replaced: shown with "Put mine back" (re-commits `mine`). */
  conflict?: FieldConflict | null
  onDismissConflict?: () => void
}

/**
 * A live-editable field: while focused it keeps a local draft (remote changes never overwrite what you type)
 * and commits on blur or Enter; Escape discards the draft.
 */
export function LiveField({
  name,
  label,
  value,
  readOnly,
  editingBy,
  options,
  onCommit,
  onEditing,
  conflict: replaced,
  onDismissConflict,
}: LiveFieldProps) {
  const [state, setState] = useState<FieldDraft>(IDLE_DRAFT)

  const end = (commit: boolean) => {
    if (!state.editing) return
    const next = commit ? valueToCommit(state, value) : null
    setState(IDLE_DRAFT)
    onEditing?.(false)
    if (next !== null) onCommit(next)
  }

  const conflict = changedUnderneath(state, value)
  const shownOption = (v: string) => options?.find((o) => o.value === v)?.label ?? v
  const common = {
    id: `field-${name}`,
    'data-testid': `field-${name}`,
    disabled: readOnly,
    'aria-readonly': readOnly || undefined,
    style: editingBy ? { boxShadow: `0 0 0 2px ${editingBy.color}` } : undefined,
  }

  return (
    <div className="live-field">
      <label className="live-field__label" htmlFor={common.id}>
        {label}
        {editingBy && (
          <>
            {' · '}
            <em data-testid="editing-notice" style={{ color: editingBy.color }}>
              {`${editingBy.name} is editing ${label}`}
            </em>
          </>
        )}
        {conflict && <em className="live-field__conflict"> · changed by someone else</em>}
      </label>
      {options ? (
        <select
          {...common}
          value={value}
          onChange={(e) => onCommit(e.target.value)}
          onFocus={() => onEditing?.(true)}
          onBlur={() => onEditing?.(false)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          value={shownValue(state, value)}
          onFocus={() => {
            setState(startEditing(value))
            onEditing?.(true)
          }}
          onChange={(e) => setState((s) => (s.editing ? typeDraft(s, e.target.value) : s))}
          onBlur={() => end(true)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              // Commit but stay in the field, with the committed text as the new base.
              const next = valueToCommit(state, value)
              if (next !== null) onCommit(next)
              setState(startEditing(next ?? value))
            } else if (e.key === 'Escape') {
              end(false)
              e.currentTarget.blur()
            }
          }}
        />
      )}
      {replaced && (
        <ConflictNotice
          name={name}
          label={label}
          who={replaced.who}
          theirs={shownOption(replaced.theirs)}
          mine={shownOption(replaced.mine)}
          readOnly={readOnly}
          onPutBack={() => onCommit(replaced.mine)}
          onDismiss={onDismissConflict}
        />
      )}
    </div>
  )
}
