import { type BoardSnapshot, type Pipeline, resolveDrop } from '@rapport/model'
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { BoardColumn } from '../board/BoardColumn.tsx'
import { BoardToolbarActions } from '../board/BoardToolbarActions.tsx'
import { KanbanBoard } from '../board/KanbanBoard.tsx'
import { ExportCsvLink, exportCsvHref, ImportLink } from '../imports/ExportCsvLink.tsx'
import { BoardPreview } from './BoardPreview.tsx'
import type { BoardFilter } from './boardColumns.ts'
import { DEAL_CARD_HEIGHT, DealCard } from './DealCard.tsx'
import { LostNotice } from './LostNotice.tsx'
import { LostReasonDialog } from './LostReasonDialog.tsx'
import { QuickAdd, type QuickAddInput } from './QuickAdd.tsx'
import { StageHeader } from './StageHeader.tsx'
import { useBoardSnapshot } from './useBoardSnapshot.ts'
import { useDealBoard } from './useDealBoard.ts'
import { useWorkspaceSettings } from './useWorkspaceSettings.ts'

/**
 * The live kanban of one pipeline. `snapshot`: the server's snapshot of the board the page already has (it painted
 * the board before the workspace document had synced), shown until this board's own request answers.
 */
export function PipelineBoard({
  workspaceId,
  pipeline,
  snapshot: given = null,
}: {
  workspaceId: string
  pipeline: Pipeline
  snapshot?: BoardSnapshot | null
}) {
  const { session } = useSession()
  // Stable owner objects, so a memoized card re-renders only when its own deal changes.
  const owners = useMemo(
    () => new Map(session.members.map((m) => [m.userId, { name: m.name, color: m.color }])),
    [session.members],
  )
  const [filter, setFilter] = useState<BoardFilter>({ ownerId: null, text: '' })
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(t)
  }, [])

  const stages = pipeline.stages
  // Places from W/board/P, faces from the index, moves written to each deal's own document.
  const dealBoard = useDealBoard(workspaceId, pipeline, filter)
  const { kanban, deals, lost, accountNames, warm } = dealBoard
  const readOnly = kanban.readOnly
  const pendingLoss = lost.pending
  const { layout: board, drag, draggedBy, arrived } = kanban
  // Until the board document has synced (or an offline copy holds cards), paint the server's snapshot of the board.
  const waiting = !dealBoard.ready
  const own = useBoardSnapshot(pipeline.id, waiting)
  const snapshot = own ?? (waiting && given?.pipeline.id === pipeline.id ? given : null)

  // A new deal starts in the workspace's base currency (Settings), else in the currency of the board's deals.
  const workspaceSettings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const defaultCurrency = workspaceSettings?.currency.base ?? deals.values().next().value?.currency ?? 'USD'
  const create = dealBoard.create
  // Deal fields an admin made required: the quick add asks for them.
  const requiredFields = useMemo(
    () => (workspaceSettings?.customFields ?? []).filter((d) => d.entity === 'deal' && d.required),
    [workspaceSettings],
  )
  const onQuickAdd = useCallback(
    (stageId: string, input: QuickAddInput) => {
      if (!readOnly) create({ stageId, ownerId: session.user.id, ...input })
    },
    [create, readOnly, session.user.id],
  )

  // Read the live layout through a ref: a stable callback keeps every memoized card from re-rendering
  // when any deal moves.
  const boardRef = useRef(board)
  boardRef.current = board
  const commitMove = drag.commitMove
  // Won/Lost buttons and the card's "Move to" menu: to the end of the stage, through the drop path.
  const onMoveTo = useCallback(
    (dealId: string, stageId: string) => {
      if (readOnly || !stages.some((s) => s.id === stageId)) return
      const { columns, keys } = boardRef.current
      const position = resolveDrop({ columns, keys, activeId: dealId, over: { type: 'column', id: stageId } })
      if (position) commitMove(dealId, position)
    },
    [stages, readOnly, commitMove],
  )
  const onOutcome = useCallback(
    (dealId: string, outcome: 'won' | 'lost') => {
      const target = stages.find((s) => s.outcome === outcome)
      if (target) onMoveTo(dealId, target.id)
    },
    [stages, onMoveTo],
  )

  if (dealBoard.noAccess)
    return <div className="notice notice--error">You do not have access to the {pipeline.name} pipeline.</div>
  if (waiting)
    return snapshot ? <BoardPreview snapshot={snapshot} /> : <div className="empty">Loading deals…</div>

  const pendingDeal = pendingLoss ? deals.get(pendingLoss.dealId) : undefined
  const renderCard = (id: string) => {
    const deal = deals.get(id)
    if (!deal) return null
    return (
      <>
        <WarmDeal id={id} warm={warm} />
        <DealCard
          deal={deal}
          stage={stages.find((s) => s.id === deal.position.column)}
          accountName={deal.accountId ? (accountNames.get(deal.accountId) ?? null) : null}
          owner={deal.ownerId ? (owners.get(deal.ownerId) ?? null) : null}
          now={now}
          draggedBy={draggedBy.get(id) ?? null}
          keyboardLifted={drag.mode === 'keyboard' && drag.activeId === id}
          arrived={arrived.has(id)}
          readOnly={readOnly}
          onKey={drag.onCardKey}
          onOutcome={onOutcome}
          stages={stages}
          onMoveTo={onMoveTo}
        />
      </>
    )
  }

  return (
    <div className="board-page">
      <div className="toolbar">
        <input
          className="toolbar__search"
          type="search"
          placeholder="Filter deals or accounts…"
          value={filter.text}
          onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
          data-testid="filter-text"
        />
        <select
          value={filter.ownerId ?? ''}
          onChange={(e) => setFilter((f) => ({ ...f, ownerId: e.target.value || null }))}
          data-testid="filter-owner"
        >
          <option value="">All owners</option>
          <option value="none">Unassigned</option>
          {session.members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
        <BoardToolbarActions kanban={kanban} />
        <ExportCsvLink
          kind="deals"
          href={exportCsvHref('deals', {
            q: filter.text,
            filters: {
              pipelineId: pipeline.id,
              ownerId: filter.ownerId && filter.ownerId !== 'none' ? filter.ownerId : null,
            },
          })}
        />
        {!readOnly && <ImportLink kind="deals" />}
      </div>
      <KanbanBoard
        kanban={kanban}
        testId="board"
        data={{ 'data-pipeline': pipeline.id }}
        columnIds={stages.map((s) => s.id)}
        renderColumn={(stageId, ids) => {
          const stage = stages.find((s) => s.id === stageId)
          if (!stage) return null
          return (
            <BoardColumn
              key={stage.id}
              columnId={stage.id}
              label={stage.name}
              testId={`column-${stage.id}`}
              className={`column--${stage.outcome}`}
              ids={ids}
              header={
                <StageHeader stage={stage} summary={board.summaries.find((s) => s.stage.id === stage.id)} />
              }
              footer={
                !readOnly && stage.outcome === 'open' ? (
                  <QuickAdd
                    stageId={stage.id}
                    defaultCurrency={defaultCurrency}
                    requiredFields={requiredFields}
                    members={session.members}
                    onAdd={(input) => onQuickAdd(stage.id, input)}
                  />
                ) : null
              }
              emptyLabel="Drop deals here"
              estimateSize={DEAL_CARD_HEIGHT}
              renderCard={renderCard}
            />
          )
        }}
        overlayTitle={(deal) => deal.title}
        columnLabel={(stageId) => stages.find((s) => s.id === stageId)?.name ?? stageId}
        switcherLabel="Stage"
      />
      <LostNotice notice={lost.notice} onDismiss={lost.dismissNotice} />
      <LostNotice notice={dealBoard.notice} onDismiss={dealBoard.dismissNotice} />
      {pendingLoss && pendingDeal && (
        <LostReasonDialog
          dealTitle={pendingDeal.title}
          stageName={stages.find((s) => s.id === pendingLoss.to.column)?.name ?? 'Lost'}
          error={lost.error}
          onConfirm={lost.confirm}
          onCancel={lost.cancel}
        />
      )}
    </div>
  )
}

/**
 * Keeps the document of a card's deal open while the card shows (a screen's worth: the columns are virtualized), so a
 * drop writes at once and a card on screen can be moved offline.
 */
const WarmDeal = memo(function WarmDeal({ id, warm }: { id: string; warm: (id: string) => () => void }) {
  // In a task of its own: opening a screenful of deal documents (IndexedDB, the registry) cost ~45 ms in the commit
  // that first shows the live board, before the browser could paint it.
  useEffect(() => {
    let release: (() => void) | null = null
    const timer = setTimeout(() => {
      release = warm(id)
    })
    return () => {
      clearTimeout(timer)
      release?.()
    }
  }, [id, warm])
  return null
})
