/** A settings form's save button (not shown read-only) and "Saved." once the last submit was saved. */
export function SaveActions({
  label,
  testId,
  saved,
  readOnly,
}: {
  label: string
  testId: string
  saved: boolean
  readOnly: boolean
}) {
  if (readOnly) return null
  return (
    <div className="settings__actions">
      <button type="submit" className="btn btn--primary" data-testid={testId}>
        {label}
      </button>
      {saved && (
        <span className="muted" role="status">
          Saved.
        </span>
      )}
    </div>
  )
}
