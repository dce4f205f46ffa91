import { z } from 'zod'

const code = z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter upper-case currency code')

/**
 * The workspace's base currency and exchange rates: `rates[X]` is the value of ONE unit of X in the base currency
 * (base EUR, `rates.USD = 0.92`: 100 USD = 92 EUR). The base currency itself needs no rate.
 */
export const CurrencySettings = z.object({
  base: code,
  rates: z.record(code, z.number().positive().finite()),
})
export type CurrencySettings = z.infer<typeof CurrencySettings>

export const DEFAULT_CURRENCY: CurrencySettings = { base: 'USD', rates: {} }

/** `amount` of `from` in the base currency, rounded to cents; `null` when there is no rate for `from`. */
export function toBaseCurrency(amount: number, from: string, settings: CurrencySettings): number | null {
  if (from === settings.base) return amount
  const rate = settings.rates[from]
  return rate === undefined ? null : Math.round(amount * rate * 100) / 100
}

/** Column totals per currency converted to one base total; currencies without a rate are listed in `unconverted`. */
export interface BaseTotal {
  currency: string
  total: number
  weighted: number
  /** Currencies left out of `total` for lack of a rate. */
  unconverted: string[]
}

export function totalInBase(
  totals: ReadonlyArray<{ currency: string; total: number; weighted: number }>,
  settings: CurrencySettings,
): BaseTotal {
  let total = 0
  let weighted = 0
  const unconverted: string[] = []
  for (const t of totals) {
    const converted = toBaseCurrency(t.total, t.currency, settings)
    const convertedWeighted = toBaseCurrency(t.weighted, t.currency, settings)
    if (converted === null || convertedWeighted === null) unconverted.push(t.currency)
    else {
      total += converted
      weighted += convertedWeighted
    }
  }
  return {
    currency: settings.base,
    total: Math.round(total * 100) / 100,
    weighted: Math.round(weighted * 100) / 100,
    unconverted: unconverted.sort(),
  }
}
