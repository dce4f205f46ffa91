import { DndContext } from '@dnd-kit/core'
import type { BoardSnapshot, Deal } from '@rapport/model'
import { useMemo } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { BoardColumn } from '../board/BoardColumn.tsx'
import { DEAL_CARD_HEIGHT, DealCard } from './DealCard.tsx'
import { StageHeader } from './StageHeader.tsx'

const noKey = () => false
const noOutcome = () => {}

/**
 * The server's snapshot of a board, painted read-only (same columns, headers and cards as the live board) while the
 * pipeline document syncs. Nothing here can be dragged or edited; `PipelineBoard` replaces it once the document is
 * there.
 */
export function BoardPreview({ snapshot }: { snapshot: BoardSnapshot }) {
  const { session } = useSession()
  const owners = useMemo(
    () => new Map(session.members.map((m) => [m.userId, { name: m.name, color: m.color }])),
    [session.members],
  )
  const deals = useMemo(() => {
    const byId = new Map<string, Deal>()
    for (const column of snapshot.columns) for (const deal of column.deals) byId.set(deal.id, deal)
    return byId
  }, [snapshot])
  const now = Date.now()
  const stages = snapshot.pipeline.stages
  return (
    <div className="board-page" aria-busy="true">
      <p className="hint" role="status" data-testid="board-syncing">
        Syncing the board… cards can be moved in a moment.
      </p>
      <DndContext>
        <div className="board-frame">
          <div className="board" data-testid="board-preview" data-pipeline={snapshot.pipeline.id}>
            {snapshot.columns.map((column) => {
              const stage = stages.find((s) => s.id === column.stageId)
              if (!stage) return null
              return (
                <BoardColumn
                  key={stage.id}
                  columnId={stage.id}
                  label={stage.name}
                  testId={`preview-column-${stage.id}`}
                  className={`column--${stage.outcome}`}
                  ids={column.deals.map((d) => d.id)}
                  header={
                    <StageHeader
                      stage={stage}
                      summary={{ stage, count: column.count, totals: column.totals }}
                    />
                  }
                  emptyLabel={column.count === 0 ? 'No deals' : ''}
                  estimateSize={DEAL_CARD_HEIGHT}
                  renderCard={(id) => {
                    const deal = deals.get(id)
                    if (!deal) return null
                    return (
                      <DealCard
                        deal={deal}
                        stage={stage}
                        accountName={deal.accountId ? (snapshot.accountNames[deal.accountId] ?? null) : null}
                        owner={deal.ownerId ? (owners.get(deal.ownerId) ?? null) : null}
                        now={now}
                        draggedBy={null}
                        keyboardLifted={false}
                        arrived={false}
                        readOnly
                        onKey={noKey}
                        onOutcome={noOutcome}
                      />
                    )
                  }}
                />
              )
            })}
          </div>
        </div>
      </DndContext>
    </div>
  )
}
