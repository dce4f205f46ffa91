/** Why a deal's move into a lost stage was cancelled (e.g. someone else moved it first), until dismissed. */
export function LostNotice({ notice, onDismiss }: { notice: string | null; onDismiss: () => void }) {
  if (!notice) return null
  return (
    <div className="notice notice--warn" role="status" data-testid="lost-notice">
      {notice}
      <button type="button" className="btn btn--ghost" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  )
}
