import { z } from 'zod'
import type { CustomFieldDef, CustomFieldEntity } from './workspaceSettings.ts'

/** One custom field value: `null` (or a missing key) is "empty"; multi-select values are string arrays. */
export const CustomFieldValue = z.union([
  z.string().max(2000),
  z.number().finite(),
  z.boolean(),
  z.null(),
  z.array(z.string().max(100)).max(100),
])
export type CustomFieldValue = z.infer<typeof CustomFieldValue>

/** Values of custom fields, by field id (definitions live in the workspace document). */
export const customFieldValues = z.record(z.string(), CustomFieldValue)
export type CustomFieldValues = z.infer<typeof customFieldValues>

/** A value that fails its field's definition, named in plain words. */
export interface CustomFieldProblem {
  fieldId: string
  label: string
  message: string
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const WEB_ADDRESS = /^https?:\/\/[^\s/?#.]+(\.[^\s/?#.]+)*(:\d+)?([/?#]\S*)?$/i

function isUrl(value: string): boolean {
  return value.length <= 2000 && WEB_ADDRESS.test(value)
}

/** Whether a value counts as empty (nothing entered). */
export function isEmptyValue(value: CustomFieldValue | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

/**
 * Why `value` does not fit `def`, in plain words starting with the field's label, or `null` when it fits. An empty
 * value fits any field (`required` is checked by `customFieldProblems`). `memberIds`, when given, are the users a
 * `user` field may name.
 */
export function customFieldError(
  def: CustomFieldDef,
  value: CustomFieldValue | undefined,
  memberIds?: ReadonlySet<string>,
): string | null {
  if (isEmptyValue(value)) return null
  const label = def.label
  switch (def.type) {
    case 'text':
      return typeof value === 'string' ? null : `${label} must be text.`
    case 'number':
      return typeof value === 'number' ? null : `${label} must be a number.`
    case 'currency':
      return typeof value === 'number' && value >= 0 ? null : `${label} must be an amount of 0 or more.`
    case 'date':
      return typeof value === 'string' && DATE.test(value) ? null : `${label} must be a date (YYYY-MM-DD).`
    case 'boolean':
      return typeof value === 'boolean' ? null : `${label} must be yes or no.`
    case 'select':
      return typeof value === 'string' && def.options.includes(value)
        ? null
        : `${label} must be one of: ${def.options.join(', ') || '(no choices yet)'}.`
    case 'multiselect':
      return Array.isArray(value) &&
        value.every((v) => def.options.includes(v)) &&
        new Set(value).size === value.length
        ? null
        : `${label} must be a list of distinct choices from: ${def.options.join(', ') || '(no choices yet)'}.`
    case 'user':
      if (typeof value !== 'string') return `${label} must be a member of the workspace.`
      return memberIds && !memberIds.has(value) ? `${label} must be a member of the workspace.` : null
    case 'url':
      return typeof value === 'string' && isUrl(value)
        ? null
        : `${label} must be a web address starting with http:// or https://.`
    case 'email':
      return typeof value === 'string' && EMAIL.test(value) && value.length <= 320
        ? null
        : `${label} must be an email address.`
  }
}

export interface CustomFieldCheck {
  /** Also report required fields that are empty (a REST create does; a patch only for the keys it sends). */
  required?: 'all' | 'given' | 'none'
  /** Values whose field is not defined for this kind are reported (REST input) or ignored (stored data). */
  unknown?: 'report' | 'ignore'
  memberIds?: ReadonlySet<string>
}

/** Every problem of `values` against the custom-field definitions of `entity`. */
export function customFieldProblems(
  defs: readonly CustomFieldDef[],
  entity: CustomFieldEntity,
  values: Readonly<Record<string, CustomFieldValue>>,
  check: CustomFieldCheck = {},
): CustomFieldProblem[] {
  const own = defs.filter((d) => d.entity === entity)
  const byId = new Map(own.map((d) => [d.id, d]))
  const problems: CustomFieldProblem[] = []
  if (check.unknown === 'report') {
    for (const id of Object.keys(values)) {
      if (!byId.has(id))
        problems.push({ fieldId: id, label: id, message: `There is no ${entity} field with the id ${id}.` })
    }
  }
  for (const def of own) {
    const has = Object.hasOwn(values, def.id)
    const value = values[def.id]
    const error = customFieldError(def, value, check.memberIds)
    if (error) problems.push({ fieldId: def.id, label: def.label, message: error })
    else if (
      def.required &&
      isEmptyValue(value) &&
      (check.required === 'all' || (check.required === 'given' && has))
    )
      problems.push({ fieldId: def.id, label: def.label, message: `${def.label} is required.` })
  }
  return problems
}

/** `values` with field `fieldId` set to `value`; an empty value removes the key. */
export function withCustomFieldValue(
  values: Readonly<Record<string, CustomFieldValue>>,
  fieldId: string,
  value: CustomFieldValue,
): CustomFieldValues {
  const next: CustomFieldValues = { ...values }
  if (isEmptyValue(value)) delete next[fieldId]
  else next[fieldId] = value
  return next
}
