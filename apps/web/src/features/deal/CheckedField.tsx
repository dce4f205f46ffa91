import { LiveField, type LiveFieldProps } from '../account/LiveField.tsx'
import { FieldLabel } from './FieldLabel.tsx'

/** A live field with its validation message, in plain words, right below it. */
export function CheckedField({ error, ...props }: LiveFieldProps & { error?: string | null }) {
  return (
    <div className={`checked-field${error ? ' has-error' : ''}`}>
      <LiveField {...props} />
      {error && (
        <p className="field-error" role="alert" data-testid={`error-${props.name}`}>
          {error}
        </p>
      )}
    </div>
  )
}

/** A live date field (`YYYY-MM-DD`, empty = none), committed on change. */
export function DateField(props: {
  name: string
  label: string
  value: string | null
  readOnly: boolean
  onCommit: (value: string) => void
  onEditing?: (editing: boolean) => void
  editingBy?: { name: string; color: string } | null
  error?: string | null
}) {
  const { name, label, value, readOnly, onCommit, onEditing, editingBy, error } = props
  const id = `field-${name}`
  return (
    <div className={`checked-field live-field${error ? ' has-error' : ''}`}>
      <FieldLabel htmlFor={id} label={label} editingBy={editingBy} />
      <input
        id={id}
        data-testid={id}
        type="date"
        value={value ?? ''}
        disabled={readOnly}
        readOnly={readOnly}
        style={editingBy ? { boxShadow: `0 0 0 2px ${editingBy.color}` } : undefined}
        onFocus={() => onEditing?.(true)}
        onBlur={() => onEditing?.(false)}
        onChange={(e) => onCommit(e.target.value)}
      />
      {error && (
        <p className="field-error" role="alert" data-testid={`error-${name}`}>
          {error}
        </p>
      )}
    </div>
  )
}
