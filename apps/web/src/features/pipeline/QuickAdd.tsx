import { type FormEvent, useState } from 'react'

/** "+ Add deal" at the bottom of a column: type a title, Enter creates the deal at the end of the column. */
export function QuickAdd({ stageId, onAdd }: { stageId: string; onAdd: (title: string) => void }) {
  const [open, setOpen] = useState(false)
  const [title, setTitle] = useState('')
  if (!open)
    return (
      <button
        type="button"
        className="quick-add__open"
        onClick={() => setOpen(true)}
        data-testid={`quick-add-${stageId}`}
      >
        + Add deal
      </button>
    )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const t = title.trim()
    if (t) onAdd(t)
    setTitle('')
  }
  return (
    <form className="quick-add" onSubmit={submit}>
      <input
        // biome-ignore lint/a11y/noAutofocus: the user just asked for this input
        autoFocus
        value={title}
        placeholder="Deal title"
        maxLength={200}
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false)
        }}
        onBlur={() => {
          if (!title.trim()) setOpen(false)
        }}
        data-testid={`quick-add-input-${stageId}`}
      />
    </form>
  )
}
