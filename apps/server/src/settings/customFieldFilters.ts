import { badRequest } from '../errors.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'

const PREFIX = 'cf.'
const MAX_FILTERS = 20

/**
 * The `cf.<fieldId>=<value>` query parameters of a list route as one row predicate, or `null` when there are none.
 * A row matches when the field's value, as text, equals the given text (`true`/`false` for yes/no fields, numbers
 * as written by JavaScript, a multi-select when it includes the text); an empty value matches rows with the field
 * empty. Several `cf.` parameters must all match.
 */
export function customFieldFilter(query: Record<string, string>): ((row: ProjectedRecord) => boolean) | null {
  const wanted = Object.entries(query)
    .filter(([key]) => key.startsWith(PREFIX))
    .map(([key, value]) => [key.slice(PREFIX.length), value] as const)
  if (wanted.length === 0) return null
  if (wanted.length > MAX_FILTERS)
    throw badRequest(`At most ${MAX_FILTERS} custom-field filters.`, 'invalid_input')
  for (const [id, value] of wanted) {
    if (id === '' || id.length > 64 || value.length > 200)
      throw badRequest('A custom-field filter is cf.<field id>=<value>.', 'invalid_input')
  }
  return (row) => {
    const values = (row.customFields ?? {}) as Record<string, unknown>
    return wanted.every(([id, text]) => {
      const value = values[id]
      if (
        value === undefined ||
        value === null ||
        value === '' ||
        (Array.isArray(value) && value.length === 0)
      )
        return text === ''
      if (Array.isArray(value)) return value.includes(text)
      return String(value) === text
    })
  }
}
