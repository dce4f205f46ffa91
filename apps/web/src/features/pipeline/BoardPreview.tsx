import type { BoardSnapshot } from '@rapport/model'
import { useMemo } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { StaticDealCard } from './DealCard.tsx'
import { StageHeader } from './StageHeader.tsx'

/**
 * The server's snapshot of a board, painted read-only (the live board's column headers and card content, in plain
 * lists: no drag machinery, no virtualization) while the pipeline document syncs. `PipelineBoard` replaces it once
 * the document is there.
 */
export function BoardPreview({ snapshot }: { snapshot: BoardSnapshot }) {
  const { session } = useSession()
  const owners = useMemo(
    () => new Map(session.members.map((m) => [m.userId, { name: m.name, color: m.color }])),
    [session.members],
  )
  const now = Date.now()
  const stages = snapshot.pipeline.stages
  return (
    <div className="board-page" aria-busy="true">
      <p className="hint" role="status" data-testid="board-syncing">
        Syncing the board… cards can be moved in a moment.
      </p>
      <div className="board-frame">
        <div className="board" data-testid="board-preview" data-pipeline={snapshot.pipeline.id}>
          {snapshot.columns.map((column) => {
            const stage = stages.find((s) => s.id === column.stageId)
            if (!stage) return null
            return (
              <section
                key={stage.id}
                className={`column column--${stage.outcome}`}
                data-testid={`preview-column-${stage.id}`}
                aria-label={stage.name}
              >
                <header className="column__header">
                  <StageHeader
                    stage={stage}
                    summary={{ stage, count: column.count, totals: column.totals }}
                  />
                </header>
                <div className="column__body">
                  <div className="column__list">
                    {column.deals.map((deal) => (
                      <div key={deal.id} className="column__slot">
                        <StaticDealCard
                          deal={deal}
                          stage={stage}
                          accountName={
                            deal.accountId ? (snapshot.accountNames[deal.accountId] ?? null) : null
                          }
                          owner={deal.ownerId ? (owners.get(deal.ownerId) ?? null) : null}
                          now={now}
                        />
                      </div>
                    ))}
                  </div>
                </div>
              </section>
            )
          })}
        </div>
      </div>
    </div>
  )
}
