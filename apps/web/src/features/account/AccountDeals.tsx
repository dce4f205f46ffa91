import { DEALS, type Pipeline } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { formatMoney } from '../pipeline/boardColumns.ts'

/** The deals of one account in one pipeline. */
export function AccountDeals({
  workspaceId,
  pipeline,
  accountId,
}: {
  workspaceId: string
  pipeline: Pipeline
  accountId: string
}) {
  const dealsDoc = useDoc({ workspaceId, kind: 'pipeline', pipelineId: pipeline.id })
  const deals = useLiveRecords(dealsDoc.doc, DEALS)
  const mine = useMemo(
    () => [...deals.byId.values()].filter((d) => d.accountId === accountId && !d.archived),
    [deals, accountId],
  )
  if (mine.length === 0) return null
  return (
    <>
      {mine.map((d) => (
        <li key={d.id} className="mini-row" data-testid={`account-deal-${d.id}`}>
          <a href={`#/pipelines/${pipeline.id}`}>{d.title}</a>
          <span className="muted">
            {pipeline.stages.find((s) => s.id === d.position.column)?.name ?? '—'}
          </span>
          <span className={`chip chip--${d.status}`}>{d.status}</span>
          <span>{formatMoney(d.amount, d.currency)}</span>
        </li>
      ))}
    </>
  )
}
