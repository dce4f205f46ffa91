import type { Stage } from '@rapport/model'
import { type ColumnSummary, formatTotals } from './boardColumns.ts'

/** A stage column's header: name, count, total and weighted value. */
export function StageHeader({ stage, summary }: { stage: Stage; summary: ColumnSummary | undefined }) {
  return (
    <>
      <div className="column__title">
        <span>{stage.name}</span>
        <span className="column__count" data-testid={`count-${stage.id}`}>
          {summary?.count ?? 0}
        </span>
      </div>
      <div className="column__figures">
        <span data-testid={`total-${stage.id}`}>{formatTotals(summary?.totals ?? [], 'total')}</span>
        <span className="column__weighted" title={`Weighted at ${Math.round(stage.probability * 100)}%`}>
          ≈ {formatTotals(summary?.totals ?? [], 'weighted')}
        </span>
      </div>
    </>
  )
}
