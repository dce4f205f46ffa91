/** A record field's label and, while someone else edits that field, who (in their colour). */
export function FieldLabel({
  htmlFor,
  label,
  editingBy,
}: {
  htmlFor: string
  label: string
  editingBy?: { name: string; color: string } | null
}) {
  return (
    <label className="live-field__label" htmlFor={htmlFor}>
      {label}
      {editingBy && (
        <em data-testid="editing-notice" style={{ color: editingBy.color }}>
          {` · ${editingBy.name} is editing ${label}`}
        </em>
      )}
    </label>
  )
}
