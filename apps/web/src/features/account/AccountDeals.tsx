import { DEALS, type Pipeline } from '@rapport/model'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { formatMoney } from '../pipeline/boardColumns.ts'

/**
 * The account room's Deals panel: the account's deals in every pipeline, "No deals yet" once every pipeline
 * document is loaded and none has one. `open` false keeps the (possibly large) pipeline documents closed.
 */
export function AccountDeals({
  workspaceId,
  pipelines,
  accountId,
  open,
}: {
  workspaceId: string
  pipelines: readonly Pipeline[] | undefined
  accountId: string
  open: boolean
}) {
  const [counts, setCounts] = useState<ReadonlyMap<string, number>>(new Map())
  const onCount = useCallback((pipelineId: string, count: number) => {
    setCounts((prev) => (prev.get(pipelineId) === count ? prev : new Map(prev).set(pipelineId, count)))
  }, [])
  const list = open ? (pipelines ?? []) : []
  const loaded = open && (pipelines?.every((p) => counts.has(p.id)) ?? false)
  const total = list.reduce((sum, p) => sum + (counts.get(p.id) ?? 0), 0)
  return (
    <section className="panel" data-testid="account-deals">
      <h2 className="panel__title">Deals</h2>
      <ul className="mini-list">
        {list.map((p) => (
          <PipelineDeals
            key={p.id}
            workspaceId={workspaceId}
            pipeline={p}
            accountId={accountId}
            onCount={onCount}
          />
        ))}
        {total === 0 && (
          <li className="muted" data-testid={loaded ? 'deals-empty' : 'deals-loading'}>
            {loaded ? 'No deals yet.' : 'Loading deals…'}
          </li>
        )}
      </ul>
    </section>
  )
}

/** The deals of one account in one pipeline; reports how many once the pipeline document is loaded. */
function PipelineDeals({
  workspaceId,
  pipeline,
  accountId,
  onCount,
}: {
  workspaceId: string
  pipeline: Pipeline
  accountId: string
  onCount: (pipelineId: string, count: number) => void
}) {
  const dealsDoc = useDoc({ workspaceId, kind: 'pipeline', pipelineId: pipeline.id })
  const deals = useLiveRecords(dealsDoc.doc, DEALS)
  const mine = useMemo(
    () => [...deals.byId.values()].filter((d) => d.accountId === accountId && !d.archived),
    [deals, accountId],
  )
  // A fresh IndexedDB copy is empty: only the server (or a deal already in the copy) proves the count.
  const counted = dealsDoc.synced || dealsDoc.noAccess || mine.length > 0
  useEffect(() => {
    if (counted) onCount(pipeline.id, mine.length)
  }, [counted, mine.length, pipeline.id, onCount])
  return (
    <>
      {mine.map((d) => (
        <li key={d.id} className="mini-row" data-testid={`account-deal-${d.id}`}>
          <a href={`#/deals/${d.id}`}>{d.title}</a>
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
