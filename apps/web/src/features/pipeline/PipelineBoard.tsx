import { closestCorners, DndContext, DragOverlay, PointerSensor, useSensor, useSensors } from '@dnd-kit/core'
import { ACCOUNTS, COLLECTION, createDeal, DEALS, type Pipeline, resolveDrop } from '@rapport/model'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useUndoManager } from '../../collab/useUndoManager.ts'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'
import { PresenceAvatars } from '../presence/PresenceAvatars.tsx'
import { usePeers, usePresenceField } from '../presence/usePeers.ts'
import { BoardColumn } from './BoardColumn.tsx'
import { type BoardFilter, buildBoard } from './boardColumns.ts'
import { DealCard } from './DealCard.tsx'
import { useBoardDrag } from './useBoardDrag.ts'
import { useRemoteArrivals } from './useRemoteArrivals.ts'

/** The live kanban of one pipeline. */
export function PipelineBoard({ workspaceId, pipeline }: { workspaceId: string; pipeline: Pipeline }) {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const dealsDoc = useDoc({ workspaceId, kind: 'pipeline', pipelineId: pipeline.id })
  const accountsDoc = useDoc({ workspaceId, kind: 'accounts' })
  const readOnly = dealsDoc.readOnly
  const [filter, setFilter] = useState<BoardFilter>({ ownerId: null, text: '' })
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(t)
  }, [])

  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)
  const accountNames = useMemo(() => {
    const m = new Map<string, string>()
    for (const a of accounts.byId.values()) m.set(a.id, a.name)
    return m
  }, [accounts])

  const { arrived, noteChange } = useRemoteArrivals()
  // The records observer is created before the drag hook; this ref always reaches the latest drag state.
  const dragChangeRef = useRef<(ids: string[], tr: Y.Transaction) => void>(() => {})
  const deals = useLiveRecords(
    dealsDoc.doc,
    DEALS,
    useCallback(
      (ids: string[], tr: Y.Transaction) => {
        dragChangeRef.current(ids, tr)
        noteChange(ids, tr)
      },
      [noteChange],
    ),
  )
  const stages = pipeline.stages
  const board = useMemo(
    () => buildBoard(deals.byId.values(), stages, filter, accountNames),
    [deals, stages, filter, accountNames],
  )

  const peers = usePeers(dealsDoc.provider)
  const setPresence = usePresenceField(dealsDoc.provider)
  const setDragging = useCallback((id: string | null) => setPresence('dragging', id), [setPresence])
  const drag = useBoardDrag(dealsDoc.doc, board, stages, readOnly, setDragging)
  dragChangeRef.current = drag.onRecordsChanged
  const undo = useUndoManager(dealsDoc.doc, [COLLECTION.deals], !readOnly)

  const draggedBy = useMemo(() => {
    const m = new Map<string, { name: string; color: string }>()
    for (const p of peers) if (p.dragging) m.set(p.dragging, { name: p.user.name, color: p.user.color })
    return m
  }, [peers])

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }))

  const onQuickAdd = useCallback(
    (stageId: string, title: string) => {
      if (!dealsDoc.doc || readOnly) return
      const currency = deals.byId.values().next().value?.currency ?? 'USD'
      createDeal(
        dealsDoc.doc,
        { pipelineId: pipeline.id, title, stageId, ownerId: session.user.id, currency },
        LOCAL_ORIGIN,
        { stages },
      )
    },
    [dealsDoc.doc, readOnly, deals, pipeline.id, session.user.id, stages],
  )

  const { columns: realColumns, keys } = board
  const onOutcome = useCallback(
    (dealId: string, outcome: 'won' | 'lost') => {
      const target = stages.find((s) => s.outcome === outcome)
      if (!dealsDoc.doc || !target || readOnly) return
      const position = resolveDrop({
        columns: realColumns,
        keys,
        activeId: dealId,
        over: { type: 'column', id: target.id },
      })
      if (position) drag.commitMove(dealId, position)
    },
    [dealsDoc.doc, stages, realColumns, keys, readOnly, drag.commitMove],
  )

  if (dealsDoc.noAccess)
    return <div className="notice notice--error">You do not have access to the {pipeline.name} pipeline.</div>
  if (!dealsDoc.ready) return <div className="empty">Loading deals…</div>

  const renderCard = (id: string) => {
    const deal = deals.byId.get(id)
    if (!deal) return null
    const owner = memberOf(deal.ownerId)
    return (
      <DealCard
        deal={deal}
        stage={stages.find((s) => s.id === deal.position.column)}
        accountName={deal.accountId ? (accountNames.get(deal.accountId) ?? null) : null}
        owner={owner}
        now={now}
        draggedBy={draggedBy.get(id) ?? null}
        keyboardLifted={drag.mode === 'keyboard' && drag.activeId === id}
        arrived={arrived.has(id)}
        readOnly={readOnly}
        onKey={drag.onCardKey}
        onOutcome={onOutcome}
      />
    )
  }
  const activeDeal = drag.mode === 'pointer' && drag.activeId ? deals.byId.get(drag.activeId) : undefined

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
        {!readOnly && (
          <span className="toolbar__undo">
            <button
              type="button"
              className="btn btn--ghost"
              disabled={!undo.canUndo}
              onClick={undo.undo}
              data-testid="undo"
            >
              Undo
            </button>
            <button
              type="button"
              className="btn btn--ghost"
              disabled={!undo.canRedo}
              onClick={undo.redo}
              data-testid="redo"
            >
              Redo
            </button>
          </span>
        )}
        {readOnly && (
          <span className="badge" data-testid="read-only">
            Read only
          </span>
        )}
        <span className="toolbar__spacer" />
        <PresenceAvatars peers={peers} label="On this board" />
      </div>
      {drag.notice && (
        <div className="notice notice--warn" role="status" data-testid="board-notice">
          {drag.notice}
          <button type="button" className="btn btn--ghost" onClick={drag.dismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      {drag.mode === 'keyboard' && (
        <p className="hint" role="status">
          Moving with the keyboard: arrows move the card, Space drops it, Escape cancels.
        </p>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={drag.onDragStart}
        onDragOver={drag.onDragOver}
        onDragEnd={drag.onDragEnd}
        onDragCancel={drag.onDragCancel}
      >
        <div className="board" data-testid="board" data-pipeline={pipeline.id}>
          {stages.map((stage) => (
            <BoardColumn
              key={stage.id}
              stage={stage}
              ids={drag.columns[stage.id] ?? []}
              summary={board.summaries.find((s) => s.stage.id === stage.id)}
              readOnly={readOnly}
              renderCard={renderCard}
              onQuickAdd={onQuickAdd}
            />
          ))}
        </div>
        <DragOverlay dropAnimation={null}>
          {activeDeal ? (
            <div className="card card--overlay">
              <span className="card__title">{activeDeal.title}</span>
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
    </div>
  )
}
