import { type CurrencyTotal, type Stage, totalInBase } from '@rapport/model'
import { useLiveSettings } from '../customFields/useCustomFieldDefs.ts'
import { type ColumnSummary, formatCompactMoney, formatTotals } from './boardColumns.ts'
import './stageHeader.css'

/**
 * A column's total in the workspace's base currency (Settings → Currency); currencies without a rate are added
 * after it in their own currency, never converted by guess.
 */
function baseFigure(
  totals: readonly CurrencyTotal[],
  which: 'total' | 'weighted',
  settings: ReturnType<typeof useLiveSettings>,
) {
  const rates = settings?.currency.rates ?? {}
  // Nothing to convert (no rates set): per-currency figures as before.
  if (
    !settings ||
    !totals.some((t) => t.currency !== settings.currency.base && rates[t.currency] !== undefined)
  )
    return formatTotals(totals, which)
  const base = totalInBase(totals, settings.currency)
  const left = totals.filter((t) => base.unconverted.includes(t.currency))
  const parts = left.length === totals.length ? [] : [formatCompactMoney(base[which], base.currency)]
  return [...parts, ...left.map((t) => formatCompactMoney(t[which], t.currency))].join(' + ')
}

/** A stage column's header: name, count, total and weighted value in the base currency, and the original amounts. */
export function StageHeader({ stage, summary }: { stage: Stage; summary: ColumnSummary | undefined }) {
  const settings = useLiveSettings()
  const totals = summary?.totals ?? []
  // The original amounts, when at least one currency was converted into the base currency.
  const converted =
    settings !== null &&
    totals.some(
      (t) => t.currency !== settings.currency.base && settings.currency.rates[t.currency] !== undefined,
    )
  return (
    <>
      <div className="column__title">
        <span className="column__name">{stage.name}</span>
        <span className="column__count" data-testid={`count-${stage.id}`}>
          {summary?.count ?? 0}
        </span>
      </div>
      <div className="column__figures">
        <span data-testid={`total-${stage.id}`}>{baseFigure(totals, 'total', settings)}</span>
        {converted && (
          <span
            className="column__original"
            data-testid={`total-original-${stage.id}`}
            title="Original amounts"
          >
            {formatTotals(totals, 'total')}
          </span>
        )}
        <span className="column__weighted" title={`Weighted at ${Math.round(stage.probability * 100)}%`}>
          ≈ {baseFigure(totals, 'weighted', settings)}
        </span>
      </div>
    </>
  )
}
