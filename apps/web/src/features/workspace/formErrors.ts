import { z } from 'zod'
import { ApiError } from '../auth/authApi.ts'

/** Messages to show beside form fields, keyed by field name; `form` is for what belongs to no one field. */
export type FormErrors = Partial<Record<string, string>> & { form?: string }

/** Checks `values` against `schema` (whose messages are plain words) and returns the first message per field. */
export function validateForm<T>(
  schema: z.ZodType<T>,
  values: unknown,
): { ok: true; data: T } | { ok: false; errors: FormErrors } {
  const parsed = schema.safeParse(values)
  if (parsed.success) return { ok: true, data: parsed.data }
  const errors: FormErrors = {}
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    errors[field] ??= issue.message
  }
  return { ok: false, errors }
}

/**
 * Turns a failed call into field messages. A 400 `invalid_input` from the server reads `field: message; …`:
 * known fields get their message, anything else goes to `form` as a generic sentence (never raw schema text).
 * `byCode` places known error codes beside a field (e.g. `email_taken` → `email`).
 */
export function errorsFromApi(
  error: unknown,
  fields: readonly string[],
  byCode: Record<string, string> = {},
): FormErrors {
  if (!(error instanceof ApiError)) return { form: 'Something went wrong. Please try again.' }
  const field = byCode[error.code]
  if (field) return { [field]: error.message }
  if (error.code === 'invalid_input') {
    const errors: FormErrors = {}
    for (const part of error.message.split('; ')) {
      const at = part.indexOf(': ')
      const name = at > 0 ? part.slice(0, at) : ''
      if (fields.includes(name)) errors[name] ??= part.slice(at + 2)
    }
    return Object.keys(errors).length > 0
      ? errors
      : { form: 'Some fields are not valid. Check them and try again.' }
  }
  return { form: error.message }
}

export const MIN_PASSWORD = 8
export const passwordField = z
  .string()
  .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters`)
  .max(256, 'Use at most 256 characters')
export const nameField = z.string().trim().min(1, 'Enter your name').max(100, 'Use at most 100 characters')
export const emailField = z
  .string()
  .trim()
  .pipe(z.email('Enter an email address like name@company.com').max(320, 'Use at most 320 characters'))
export const workspaceNameField = z
  .string()
  .trim()
  .min(1, 'Enter a name for the workspace')
  .max(200, 'Use at most 200 characters')
