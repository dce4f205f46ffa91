import { useSession } from '../auth/SessionContext.tsx'
import { CheckedField } from './CheckedField.tsx'

/** A record's owner: one of the workspace's members, or unassigned (committed as null). */
export function OwnerField({
  value,
  onCommit,
  ...common
}: {
  value: string | null
  onCommit: (ownerId: string | null) => void
  readOnly: boolean
  error: string | null
  editingBy: { name: string; color: string } | null
  onEditing: (editing: boolean) => void
}) {
  const { session } = useSession()
  return (
    <CheckedField
      name="ownerId"
      label="Owner"
      value={value ?? ''}
      options={[
        { value: '', label: 'Unassigned' },
        ...session.members.map((m) => ({ value: m.userId, label: m.name })),
      ]}
      onCommit={(v) => onCommit(v || null)}
      {...common}
    />
  )
}
