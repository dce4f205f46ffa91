import { memo } from 'react'
import type { FieldDraft } from '../account/draftField.ts'
import type { CellEditor, ListOption } from './listColumns.ts'

/** A cell being edited: its row, field and draft. Kept by the table so a remote change never resets it. */
export interface CellEdit extends FieldDraft {
  id: string
  field: string
}

/** The `<option>` list of a select, memoized so a 20,000-account list is built once per change. */
export const OptionList = memo(function OptionList({ options }: { options: readonly ListOption[] }) {
  return options.map((o) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  ))
})

export interface CellInputProps<T> {
  editor: CellEditor<T>
  /** The select's choices for this row. */
  options?: readonly ListOption[]
  edit: CellEdit
  label: string
  testId: string
  conflict: boolean
  onDraft: (text: string) => void
  /** Ends editing: `commit` writes the draft (Enter, blur, select change), otherwise discards it (Escape). */
  onEnd: (commit: boolean, draft?: string) => void
}

/** The editor inside a cell: an input (commit on Enter or blur, Escape cancels) or a select (commit on change). */
export function CellInput<T>({
  editor,
  options,
  edit,
  label,
  testId,
  conflict,
  onDraft,
  onEnd,
}: CellInputProps<T>) {
  const common = {
    'aria-label': label,
    'data-testid': `${testId}-input`,
    className: `cell-input${conflict ? ' cell-input--conflict' : ''}`,
    title: conflict ? 'Changed by someone else while you were editing' : undefined,
    autoFocus: true,
    onClick: (e: React.MouseEvent) => e.stopPropagation(),
  }
  if (editor.kind === 'select')
    return (
      <select
        {...common}
        value={edit.draft}
        onChange={(e) => onEnd(true, e.target.value)}
        onBlur={() => onEnd(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onEnd(false)
        }}
      >
        <OptionList options={options ?? []} />
      </select>
    )
  return (
    <input
      {...common}
      type={editor.kind === 'number' ? 'number' : 'text'}
      value={edit.draft}
      onChange={(e) => onDraft(e.target.value)}
      onBlur={() => onEnd(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onEnd(true)
        else if (e.key === 'Escape') onEnd(false)
      }}
    />
  )
}
