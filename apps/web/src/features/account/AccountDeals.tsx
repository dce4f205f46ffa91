import { Deal, type Pipeline } from '@rapport/model'
import { useEffect } from 'react'
import { PAGE_SIZE } from '../lists/ServerListStore.ts'
import { useServerList } from '../lists/useServerList.ts'
import { formatMoney } from '../pipeline/boardColumns.ts'

/**
 * The account room's Deals panel: the account's deals in every pipeline, from the index (`GET /api/deals?accountId=`)
 * kept live by the change feed — no deal document is opened. `open` false asks nothing.
 */
export function AccountDeals(props: {
  workspaceId: string
  pipelines: readonly Pipeline[] | undefined
  accountId: string
  open: boolean
}) {
  return (
    <section className="panel" data-testid="account-deals">
      <h2 className="panel__title">Deals</h2>
      <ul className="mini-list">
        {props.open ? (
          <DealRows pipelines={props.pipelines} accountId={props.accountId} />
        ) : (
          <li className="muted" data-testid="deals-loading">
            Loading deals…
          </li>
        )}
      </ul>
    </section>
  )
}

function DealRows({
  pipelines,
  accountId,
}: {
  pipelines: readonly Pipeline[] | undefined
  accountId: string
}) {
  const list = useServerList({ kind: 'deals', sort: null, q: '', filters: { accountId } }, Deal)
  useEffect(() => list.showRange(0, PAGE_SIZE), [list])
  const total = list.total
  if (total === null || total === 0)
    return (
      <li className="muted" data-testid={total === 0 ? 'deals-empty' : 'deals-loading'}>
        {total === 0 ? 'No deals yet.' : list.error ? 'The deals could not be loaded.' : 'Loading deals…'}
      </li>
    )
  const rows: Deal[] = []
  for (let i = 0; i < Math.min(total, PAGE_SIZE); i++) {
    const row = list.rowAt(i)
    if (row) rows.push(row)
  }
  return (
    <>
      {rows.map((d) => {
        const pipeline = pipelines?.find((p) => p.id === d.pipelineId)
        return (
          <li key={d.id} className="mini-row" data-testid={`account-deal-${d.id}`}>
            <a href={`#/deals/${d.id}`}>{d.title}</a>
            <span className="muted">
              {pipeline?.stages.find((s) => s.id === d.position.column)?.name ?? '—'}
            </span>
            <span className={`chip chip--${d.status}`}>{d.status}</span>
            <span>{formatMoney(d.amount, d.currency)}</span>
          </li>
        )
      })}
      {total > rows.length && (
        <li className="muted" data-testid="deals-more">
          and {total - rows.length} more
        </li>
      )}
    </>
  )
}
