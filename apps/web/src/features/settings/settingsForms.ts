import type { CurrencySettings, SlaPolicy, StageInput, TICKET_PRIORITIES } from '@rapport/model'

/** A form's parsed value, or a plain-words message per field. */
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> }

export interface StageForm {
  name: string
  /** Percent, as typed. */
  probability: string
  /** Days, as typed; empty = never rots. */
  rotAfterDays: string
  outcome: 'open' | 'won' | 'lost'
}

/** Checks a stage form: a name, a probability from 0 to 100 %, rot days a whole number of 0 or more (or empty). */
export function parseStageForm(form: StageForm): FormResult<Required<StageInput>> {
  const errors: Record<string, string> = {}
  const name = form.name.trim()
  if (name === '') errors.name = 'Give the stage a name.'
  else if (name.length > 100) errors.name = 'Keep the name under 100 characters.'
  const pct = Number(form.probability.trim())
  if (form.probability.trim() === '' || !Number.isFinite(pct) || pct < 0 || pct > 100)
    errors.probability = 'Enter a probability from 0 to 100.'
  const rotText = form.rotAfterDays.trim()
  const rot = rotText === '' ? null : Number(rotText)
  if (rot !== null && (!Number.isInteger(rot) || rot < 0 || rot > 3650))
    errors.rotAfterDays = 'Enter whole days from 0 to 3650, or leave it empty for never.'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    value: { name, probability: Math.round(pct * 100) / 10_000, rotAfterDays: rot, outcome: form.outcome },
  }
}

export type SlaForm = Record<
  (typeof TICKET_PRIORITIES)[number],
  { firstResponse: string; resolution: string }
>

/** Hours as typed (decimals allowed) → whole minutes, at least one. */
export function parseSlaForm(form: SlaForm): FormResult<SlaPolicy> {
  const errors: Record<string, string> = {}
  const out: Partial<SlaPolicy> = {}
  for (const [priority, row] of Object.entries(form) as Array<[keyof SlaForm, SlaForm[keyof SlaForm]]>) {
    const first = Math.round(Number(row.firstResponse) * 60)
    const resolution = Math.round(Number(row.resolution) * 60)
    if (!(first >= 1) || row.firstResponse.trim() === '')
      errors[`${priority}.firstResponse`] = 'Enter hours greater than 0.'
    if (!(resolution >= 1) || row.resolution.trim() === '')
      errors[`${priority}.resolution`] = 'Enter hours greater than 0.'
    else if (first >= 1 && resolution < first)
      errors[`${priority}.resolution`] = 'Resolution cannot come before the first response.'
    out[priority] = { firstResponseMins: first, resolutionMins: resolution }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, value: out as SlaPolicy }
}

export function slaToForm(sla: SlaPolicy): SlaForm {
  const hours = (mins: number) => String(Math.round((mins / 60) * 100) / 100)
  const row = (p: keyof SlaPolicy) => ({
    firstResponse: hours(sla[p].firstResponseMins),
    resolution: hours(sla[p].resolutionMins),
  })
  return { low: row('low'), normal: row('normal'), high: row('high'), urgent: row('urgent') }
}

export interface CurrencyForm {
  base: string
  rates: Array<{ code: string; rate: string }>
}

const CODE = /^[A-Z]{3}$/

/** A base currency code and one rate per other currency (value of one unit in the base currency). */
export function parseCurrencyForm(form: CurrencyForm): FormResult<CurrencySettings> {
  const errors: Record<string, string> = {}
  const base = form.base.trim().toUpperCase()
  if (!CODE.test(base)) errors.base = 'Enter a 3-letter currency code, like EUR.'
  const rates: Record<string, number> = {}
  form.rates.forEach((row, i) => {
    const code = row.code.trim().toUpperCase()
    if (code === '' && row.rate.trim() === '') return
    const rate = Number(row.rate.trim())
    if (!CODE.test(code)) errors[`rates.${i}.code`] = 'Enter a 3-letter currency code.'
    else if (code === base) errors[`rates.${i}.code`] = 'The base currency needs no rate.'
    else if (code in rates) errors[`rates.${i}.code`] = 'This currency already has a rate.'
    if (row.rate.trim() === '' || !Number.isFinite(rate) || rate <= 0)
      errors[`rates.${i}.rate`] = 'Enter a rate greater than 0.'
    if (!errors[`rates.${i}.code`] && !errors[`rates.${i}.rate`]) rates[code] = rate
  })
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, value: { base, rates } }
}

/** Choices typed one per line or separated by commas → distinct, trimmed choices. */
export function parseOptions(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
}
