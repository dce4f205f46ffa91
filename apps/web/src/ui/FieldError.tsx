/** A field's problem in plain words, announced to screen readers; nothing when there is none. */
export function FieldError({ message }: { message: string | null | undefined | false }) {
  if (!message) return null
  return (
    <span className="field-error" role="alert">
      {message}
    </span>
  )
}
