import type { FieldChange } from '@rapport/model'

const shown = (value: unknown): string => {
  const text = value === undefined || value === null ? '—' : JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

/** One field change as the timeline shows it: `industry: "Software" → "Retail"`, or a set that lost. */
export function changeSummary(change: FieldChange): string {
  if (change.overruledBy)
    return `${change.field}: ${shown(change.after)} not kept, ${shown(change.overruledBy.value)} kept`
  return `${change.field}: ${shown(change.before)} → ${shown(change.after)}`
}
