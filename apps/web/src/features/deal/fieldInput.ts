/** What a typed field value becomes: the value to write, or a message in plain words shown beside the field. */
export type FieldInput<T> = { ok: true; value: T } | { ok: false; message: string }

const ok = <T>(value: T): FieldInput<T> => ({ ok: true, value })
const fail = (message: string): FieldInput<never> => ({ ok: false, message })

/** A required text of at most `max` characters (trimmed). */
export function parseRequiredText(text: string, what: string, max: number): FieldInput<string> {
  const value = text.trim()
  if (value === '') return fail(`${what} cannot be empty.`)
  if (value.length > max) return fail(`${what} can be at most ${max} characters.`)
  return ok(value)
}

/** An optional text of at most `max` characters. */
export function parseText(text: string, what: string, max: number): FieldInput<string> {
  if (text.length > max) return fail(`${what} can be at most ${max} characters.`)
  return ok(text)
}

/** An amount of money: a number of zero or more; thousands separators and spaces are allowed. */
export function parseAmount(text: string): FieldInput<number> {
  const cleaned = text.replace(/[\s,_']/g, '')
  if (cleaned === '') return ok(0)
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return fail('Enter the amount as a number, for example 12500.')
  const value = Number(cleaned)
  if (!Number.isFinite(value)) return fail('That amount is too large.')
  return ok(value)
}

/** A currency: three letters such as USD or EUR (written upper case). */
export function parseCurrency(text: string): FieldInput<string> {
  const value = text.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(value)) return fail('Use a three-letter currency code, for example USD or EUR.')
  return ok(value)
}

/** A whole-number score from 0 to 100. */
export function parseScore(text: string): FieldInput<number> {
  const value = text.trim()
  if (!/^\d+$/.test(value) || Number(value) > 100) return fail('The score is a whole number from 0 to 100.')
  return ok(Number(value))
}

/** An email address, or nothing. */
export function parseEmail(text: string): FieldInput<string> {
  const value = text.trim()
  if (value === '') return ok('')
  if (value.length > 320 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
    return fail('Enter an email address such as name@example.com, or leave it empty.')
  return ok(value)
}

/** A calendar date `YYYY-MM-DD` (what a date input gives), or nothing. */
export function parseDate(text: string): FieldInput<string | null> {
  if (text === '') return ok(null)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`)))
    return fail('Pick a date, or leave it empty.')
  return ok(text)
}

/** The message beside a field whose typed value was refused: what was not saved, and why. */
export function notSaved(text: string, message: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return shown.trim() === '' ? message : `“${shown}” was not saved. ${message}`
}
