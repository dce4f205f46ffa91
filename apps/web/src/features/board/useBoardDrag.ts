import type { DragEndEvent, DragOverEvent, DragStartEvent } from '@dnd-kit/core'
import {
  collectionMap,
  DEALS,
  Deal,
  type KeyboardDirection,
  moveByKeyboard,
  moveDeal,
  type Position,
  readRecord,
  resolveDrop,
  type Stage,
} from '@rapport/model'
import { useCallback, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { isLocalOrigin, LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { applyPosition, type Board, columnOf, dropTargetFor, moveInColumns } from './boardColumns.ts'

export const COLUMN_DROP_PREFIX = 'column:'

type PointerDrag = {
  mode: 'pointer'
  activeId: string
  start: Position
  target: { column: string; index: number } | null
}
type KeyboardDrag = { mode: 'keyboard'; activeId: string; start: Position; position: Position | null }
type DragState = PointerDrag | KeyboardDrag

export interface BoardDrag {
  /** Columns as displayed: the live board with the optimistic placement of the dragged card. */
  columns: Record<string, string[]>
  activeId: string | null
  mode: 'pointer' | 'keyboard' | null
  notice: string | null
  dismissNotice: () => void
  onDragStart: (e: DragStartEvent) => void
  onDragOver: (e: DragOverEvent) => void
  onDragEnd: (e: DragEndEvent) => void
  onDragCancel: () => void
  /** Commits a move outside a drag (won/lost buttons) through the same path. */
  commitMove: (dealId: string, position: Position) => void
  /** Keyboard mode: Space picks up / drops, arrows move, Escape cancels. Returns true when handled. */
  onCardKey: (dealId: string, key: string) => boolean
  /** Feed every collection change here; a remote change to the dragged card cancels the drag. */
  onRecordsChanged: (ids: string[], transaction: Y.Transaction) => void
}

function cancelPointerDrag(): void {
  // dnd-kit's pointer and keyboard sensors cancel on Escape.
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', bubbles: true }))
}

/**
 * Drag state of a board. Nothing is written while dragging: the card's new place is kept locally and ONE
 * `moveDeal` transaction is committed on drop.
 */
export function useBoardDrag(
  doc: Y.Doc | null,
  board: Board,
  stages: readonly Stage[],
  readOnly: boolean,
  setDragging: (dealId: string | null) => void,
): BoardDrag {
  const [drag, setDrag] = useState<DragState | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const dragRef = useRef<DragState | null>(null)
  dragRef.current = drag
  const boardRef = useRef(board)
  boardRef.current = board

  const columns = useMemo(() => {
    if (!drag) return board.columns
    if (drag.mode === 'pointer')
      return drag.target
        ? moveInColumns(board.columns, drag.activeId, drag.target.column, drag.target.index)
        : board.columns
    return drag.position ? applyPosition(board, drag.activeId, drag.position).columns : board.columns
  }, [board, drag])
  const columnsRef = useRef(columns)
  columnsRef.current = columns

  const finish = useCallback(() => {
    setDrag(null)
    setDragging(null)
  }, [setDragging])

  const commit = useCallback(
    (dealId: string, position: Position | null) => {
      if (!doc || !position || readOnly) return
      try {
        moveDeal(doc, dealId, position, LOCAL_ORIGIN, { stages })
      } catch (err) {
        setNotice(
          err instanceof Error ? `Could not move the deal: ${err.message}` : 'Could not move the deal.',
        )
      }
    },
    [doc, readOnly, stages],
  )

  const startDrag = useCallback(
    (mode: 'pointer' | 'keyboard', activeId: string): boolean => {
      if (readOnly || !doc) return false
      const current = readRecord(collectionMap(doc, DEALS), activeId, Deal)
      if (!current) return false
      setDrag(
        mode === 'pointer'
          ? { mode, activeId, start: current.position, target: null }
          : { mode, activeId, start: current.position, position: null },
      )
      setNotice(null)
      setDragging(activeId)
      return true
    },
    [doc, readOnly, setDragging],
  )

  const onDragStart = useCallback(
    (e: DragStartEvent) => void startDrag('pointer', String(e.active.id)),
    [startDrag],
  )

  const onDragOver = useCallback((e: DragOverEvent) => {
    const d = dragRef.current
    if (d?.mode !== 'pointer' || !e.over) return
    const displayed = columnsRef.current
    const overId = String(e.over.id)
    const activeCol = columnOf(displayed, d.activeId)
    const overCol = overId.startsWith(COLUMN_DROP_PREFIX)
      ? overId.slice(COLUMN_DROP_PREFIX.length)
      : columnOf(displayed, overId)
    if (overCol === null || overCol === activeCol) return
    const overIds = displayed[overCol] ?? []
    const index = overId.startsWith(COLUMN_DROP_PREFIX)
      ? overIds.length
      : Math.max(0, overIds.indexOf(overId))
    setDrag({ ...d, target: { column: overCol, index } })
  }, [])

  const onDragEnd = useCallback(
    (e: DragEndEvent) => {
      const d = dragRef.current
      finish()
      if (d?.mode !== 'pointer' || !e.over) return
      let final = columnsRef.current
      const overId = String(e.over.id)
      const col = columnOf(final, d.activeId)
      if (col !== null && overId !== d.activeId && !overId.startsWith(COLUMN_DROP_PREFIX)) {
        const ids = final[col] ?? []
        const overIndex = ids.indexOf(overId)
        if (overIndex >= 0) final = moveInColumns(final, d.activeId, col, overIndex)
      }
      const target = dropTargetFor(final, d.activeId)
      if (!target) return
      const { columns: real, keys } = boardRef.current
      commit(d.activeId, resolveDrop({ columns: real, keys, activeId: d.activeId, ...target }))
    },
    [commit, finish],
  )

  const onCardKey = useCallback(
    (dealId: string, key: string): boolean => {
      const d = dragRef.current
      if (!d) {
        if (key === ' ' || key === 'Enter') return startDrag('keyboard', dealId)
        return false
      }
      if (d.mode !== 'keyboard' || d.activeId !== dealId) return false
      if (key === ' ' || key === 'Enter') {
        finish()
        commit(d.activeId, d.position)
        return true
      }
      if (key === 'Escape') {
        finish()
        return true
      }
      const direction: KeyboardDirection | undefined = (
        { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' } as const
      )[key as 'ArrowUp']
      if (!direction) return false
      const local = d.position ? applyPosition(boardRef.current, d.activeId, d.position) : boardRef.current
      const next = moveByKeyboard(local.columns, local.keys, d.activeId, direction)
      if (next) setDrag({ ...d, position: next })
      return true
    },
    [commit, finish, startDrag],
  )

  const onRecordsChanged = useCallback(
    (ids: string[], transaction: Y.Transaction) => {
      const d = dragRef.current
      if (!d || !doc || isLocalOrigin(transaction.origin) || !ids.includes(d.activeId)) return
      const now = readRecord(collectionMap(doc, DEALS), d.activeId, Deal)
      const moved =
        !now || now.archived || now.position.column !== d.start.column || now.position.key !== d.start.key
      if (!moved) return
      finish()
      if (d.mode === 'pointer') cancelPointerDrag()
      setNotice(
        now && !now.archived
          ? 'Someone else moved this deal while you were dragging it. Your move was cancelled.'
          : 'This deal was removed while you were dragging it.',
      )
    },
    [doc, finish],
  )

  return {
    columns,
    activeId: drag?.activeId ?? null,
    mode: drag?.mode ?? null,
    notice,
    dismissNotice: () => setNotice(null),
    onDragStart,
    onDragOver,
    onDragEnd,
    onDragCancel: finish,
    commitMove: commit,
    onCardKey,
    onRecordsChanged,
  }
}
