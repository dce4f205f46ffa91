import type { CustomFieldEntity, CustomFieldValue } from '@rapport/model'
import { ConflictNotice } from '../account/ConflictNotice.tsx'
import type { FieldConflict } from '../account/useFieldConflicts.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { CustomFieldInput, formatCustomValue } from './CustomFieldInput.tsx'
import { useCustomFieldDefs } from './useCustomFieldDefs.ts'
import './customFields.css'

export interface CustomFieldsSectionProps {
  /** Which definitions to show: those of this record kind (Settings → Custom fields). */
  kind: CustomFieldEntity
  /** The record's `customFields` (field id → value); missing keys are empty. */
  values: Readonly<Record<string, CustomFieldValue>> | undefined
  /**
   * Commit one field through the record kind's model command with that field alone, e.g.
   * `updateAccount(doc, id, { customFields: { [fieldId]: value } }, LOCAL_ORIGIN)`: the command merges it per field and
   * writes only its entry, so another person's concurrent edit of a different field is kept (never pass the whole
   * object: stale values of other fields would be written back). `value` is already valid; `null` clears the field.
   */
  onChange: (fieldId: string, value: CustomFieldValue) => void
  /** Show values only (viewer role, or the record's document is read-only). */
  readOnly: boolean
  /** Heading; default "Custom fields". `null` renders no heading (inside a panel that has one). */
  title?: string | null
  /**
   * A value this client committed to the field that a concurrent set replaced (`useFieldConflicts` with the
   * field's `cf:<fieldId>` key): shown under the field with "Put mine back" (re-commits it) and Dismiss.
   */
  conflictOf?: (fieldId: string) => FieldConflict | null
  onDismissConflict?: (fieldId: string) => void
}

/**
 * Every custom field defined for `kind`, each with the input its type needs (text, number, currency, date, yes/no,
 * select, multi-select, user, URL, email), validated against its definition before it commits; plain-words errors
 * beside the field. Definitions are read live from the workspace document, so a field an admin adds appears at once.
 * Renders nothing while no field is defined for the kind.
 */
export function CustomFieldsSection({
  kind,
  values,
  onChange,
  readOnly,
  title,
  conflictOf,
  onDismissConflict,
}: CustomFieldsSectionProps) {
  const { session } = useSession()
  const { defs, settings } = useCustomFieldDefs(kind)
  if (defs.length === 0) return null
  const heading = title === undefined ? 'Custom fields' : title
  return (
    <section
      className="cf-section"
      data-testid={`custom-fields-${kind}`}
      aria-label={heading ?? 'Custom fields'}
    >
      {heading && <h3 className="cf-section__title">{heading}</h3>}
      <div className="fields cf-fields">
        {defs.map((def) => {
          const currency = settings?.currency.base ?? 'USD'
          const input = (
            <CustomFieldInput
              key={def.id}
              def={def}
              value={values?.[def.id]}
              readOnly={readOnly}
              members={session.members}
              currency={currency}
              onCommit={(value) => onChange(def.id, value)}
            />
          )
          const replaced = conflictOf?.(def.id)
          if (!replaced) return input
          const format = (value: unknown) =>
            formatCustomValue(def, (value ?? null) as CustomFieldValue, session.members, currency)
          return (
            <div key={def.id} className="cf-field-slot">
              {input}
              <ConflictNotice
                name={`cf-${def.id}`}
                label={def.label}
                who={replaced.who}
                theirs={format(replaced.theirsValue)}
                mine={format(replaced.mineValue)}
                readOnly={readOnly}
                onPutBack={() => onChange(def.id, (replaced.mineValue ?? null) as CustomFieldValue)}
                onDismiss={() => onDismissConflict?.(def.id)}
              />
            </div>
          )
        })}
      </div>
    </section>
  )
}
