import { useState } from 'react'
import { FieldError } from '../../ui/FieldError.tsx'
import { ApiError } from '../auth/authApi.ts'
import { type TrashKind, trashApi } from './trashApi.ts'

/**
 * "Archive" for any record (REST `POST /api/<kind>/:id/archive`, the model's `archiveRecord` on the server): the record
 * leaves lists, boards and search and waits in the Trash (`#/trash`) to be restored. Hidden when `readOnly`.
 */
export function ArchiveButton({
  kind,
  id,
  readOnly,
  onArchived,
}: {
  kind: TrashKind
  id: string
  readOnly?: boolean
  onArchived?: () => void
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (readOnly) return null
  const archive = () => {
    setBusy(true)
    setError(null)
    trashApi.archive(kind, id).then(
      () => {
        setBusy(false)
        onArchived?.()
      },
      (e: unknown) => {
        setBusy(false)
        setError(e instanceof ApiError ? e.message : 'Could not archive. Try again.')
      },
    )
  }
  return (
    <span className="archive-button">
      <button
        type="button"
        className="btn btn--ghost"
        disabled={busy}
        onClick={archive}
        data-testid="archive-record"
      >
        Archive
      </button>
      <FieldError message={error} />
    </span>
  )
}
