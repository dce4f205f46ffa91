import { type CustomFieldDef, type CustomFieldValue, isEmptyValue } from '@rapport/model'
import { useCallback, useRef, useState } from 'react'
import { CustomFieldInput } from './CustomFieldInput.tsx'

export interface RequiredFieldsState {
  values: Record<string, CustomFieldValue>
  /** Ids of required fields found empty by the last `check`. */
  missing: readonly string[]
  commit: (fieldId: string, value: CustomFieldValue) => void
  /** The values when every required field is filled in; else `null` (and `missing` names the empty ones). */
  check: () => Record<string, CustomFieldValue> | null
  reset: () => void
}

/**
 * The values a create form collects for the custom fields an admin made required. Kept in a ref as well: Enter in a
 * field commits it and submits the form in the same event, before React re-renders.
 */
export function useRequiredFields(defs: readonly CustomFieldDef[]): RequiredFieldsState {
  const [values, setValues] = useState<Record<string, CustomFieldValue>>({})
  const ref = useRef(values)
  const [missing, setMissing] = useState<readonly string[]>([])
  // A field's "is required" stays until the next submit: removing it as the field commits (on blur, when the
  // user presses the submit button) would move the button up under the pointer and the click would miss it.
  const commit = useCallback((fieldId: string, value: CustomFieldValue) => {
    ref.current = { ...ref.current, [fieldId]: value }
    setValues(ref.current)
  }, [])
  const check = () => {
    const empty = defs.filter((d) => isEmptyValue(ref.current[d.id])).map((d) => d.id)
    setMissing(empty)
    return empty.length === 0 ? ref.current : null
  }
  const reset = useCallback(() => {
    ref.current = {}
    setValues({})
    setMissing([])
  }, [])
  return { values, missing, commit, check, reset }
}

/** One input per required custom field, each with "<Label> is required." beside it when left empty. */
export function RequiredFieldInputs({
  defs,
  state,
  members,
  currency,
  testId,
}: {
  defs: readonly CustomFieldDef[]
  state: RequiredFieldsState
  members: ReadonlyArray<{ userId: string; name: string }>
  currency: string
  /** The test id of a field's wrapper; its error is `<testId>-error`. */
  testId: (fieldId: string) => string
}) {
  return defs.map((def) => (
    <div key={def.id} className="required-cf" data-testid={testId(def.id)}>
      <CustomFieldInput
        def={def}
        value={state.values[def.id]}
        readOnly={false}
        members={members}
        currency={currency}
        onCommit={(value) => state.commit(def.id, value)}
        inForm
      />
      {state.missing.includes(def.id) && (
        <p className="field-error" role="alert" data-testid={`${testId(def.id)}-error`}>
          {def.label} is required.
        </p>
      )}
    </div>
  ))
}
