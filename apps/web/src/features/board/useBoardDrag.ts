import type { DragEndEvent, DragOverEvent, DragStartEvent } from '@dnd-kit/core'
import {
  type BaseRecord,
  type BoardLayout,
  type BoardRecord,
  collectionMap,
  type KeyboardDirection,
  moveByKeyboard,
  type Position,
  type RecordCollection,
  readRecord,
  resolveDrop,
} from '@rapport/model'
import { useCallback, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { isLocalOrigin } from '../../collab/localOrigin.ts'
import { applyPosition, dropTargetFor, moveInColumns } from './boardLayout.ts'
import { dragOverTarget } from './dragOverTarget.ts'
import { columnsAtDrop } from './dropColumns.ts'

type PointerDrag = {
  mode: 'pointer'
  activeId: string
  start: Position
  target: { column: string; index: number } | null
  /** The pointer delta of the last column change (see `dragOverTarget`). */
  crossedAt: { x: number; y: number } | null
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
  /** Commits a move outside a drag (won/lost buttons, drawer) through the same path. */
  commitMove: (id: string, position: Position) => void
  /** Keyboard mode: Space picks up / drops, arrows move, Escape cancels. Returns true when handled. */
  onCardKey: (id: string, key: string) => boolean
  /** Feed every collection change here; a remote change to the dragged card cancels the drag. */
  onRecordsChanged: (ids: string[], transaction: Y.Transaction) => void
}

function cancelPointerDrag(): void {
  // dnd-kit's pointer and keyboard sensors cancel on Escape.
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', bubbles: true }))
}

export interface BoardDragOptions<T extends BoardRecord & BaseRecord> {
  doc: Y.Doc | null
  /** The records on the board (read fresh from the document when a drag starts or is disturbed). */
  collection: RecordCollection<T>
  /** The live layout (unfiltered order + keys) the drop is resolved against. */
  board: BoardLayout
  readOnly: boolean
  /** The model command that writes a move in ONE transaction (`moveDeal`, `moveTicket`, ...). */
  move: (doc: Y.Doc, id: string, position: Position) => void
  /** Announces the dragged id to the other people on the board (presence). */
  setDragging: (id: string | null) => void
  /**
   * Where a card is now, when the board does not hold the records themselves (the deal board reads `W/board/P`);
   * by default the record is read from `collection` in `doc`.
   */
  read?: (id: string) => { position: Position; archived: boolean } | null
  /** What a card is, for the notices ("deal", "ticket"). */
  noun: string
}

/**
 * Drag state of a board. Nothing is written while dragging: the card's new place is kept locally and ONE
 * move transaction is committed on drop.
 */
export function useBoardDrag<T extends BoardRecord & BaseRecord>({
  doc,
  collection,
  board,
  readOnly,
  move,
  setDragging,
  noun,
  read,
}: BoardDragOptions<T>): BoardDrag {
  const [drag, setDrag] = useState<DragState | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const dragRef = useRef<DragState | null>(null)
  dragRef.current = drag
  const boardRef = useRef(board)
  boardRef.current = board
  const readCard = useCallback(
    (target: Y.Doc, id: string) =>
      read ? read(id) : readRecord(collectionMap(target, collection), id, collection.schema),
    [read, collection],
  )

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
    (id: string, position: Position | null) => {
      if (!doc || !position || readOnly) return
      try {
        move(doc, id, position)
      } catch (err) {
        setNotice(
          err instanceof Error ? `Could not move the ${noun}: ${err.message}` : `Could not move the ${noun}.`,
        )
      }
    },
    [doc, readOnly, move, noun],
  )

  const startDrag = useCallback(
    (mode: 'pointer' | 'keyboard', activeId: string): boolean => {
      if (readOnly || !doc) return false
      const current = readCard(doc, activeId)
      if (!current) return false
      setDrag(
        mode === 'pointer'
          ? { mode, activeId, start: current.position, target: null, crossedAt: null }
          : { mode, activeId, start: current.position, position: null },
      )
      setNotice(null)
      setDragging(activeId)
      return true
    },
    [doc, readOnly, setDragging, readCard],
  )

  const onDragStart = useCallback(
    (e: DragStartEvent) => void startDrag('pointer', String(e.active.id)),
    [startDrag],
  )

  const onDragOver = useCallback((e: DragOverEvent) => {
    const d = dragRef.current
    if (d?.mode !== 'pointer' || !e.over) return
    const target = dragOverTarget({
      columns: columnsRef.current,
      activeId: d.activeId,
      overId: String(e.over.id),
      delta: e.delta,
      lastCrossing: d.crossedAt,
    })
    if (!target) return
    const next: PointerDrag = { ...d, target, crossedAt: { x: e.delta.x, y: e.delta.y } }
    // dnd-kit may call again before React re-renders: keep the refs current.
    dragRef.current = next
    columnsRef.current = moveInColumns(boardRef.current.columns, d.activeId, target.column, target.index)
    setDrag(next)
  }, [])

  const onDragEnd = useCallback(
    (e: DragEndEvent) => {
      const d = dragRef.current
      finish()
      if (d?.mode !== 'pointer' || !e.over) return
      // The card lands in the column under the pointer at the drop, whatever the last drag-over showed.
      const final = columnsAtDrop(columnsRef.current, d.activeId, String(e.over.id))
      const target = dropTargetFor(final, d.activeId)
      if (!target) return
      const { columns: real, keys } = boardRef.current
      commit(d.activeId, resolveDrop({ columns: real, keys, activeId: d.activeId, ...target }))
    },
    [commit, finish],
  )

  const onCardKey = useCallback(
    (id: string, key: string): boolean => {
      const d = dragRef.current
      if (!d) {
        if (key === ' ' || key === 'Enter') return startDrag('keyboard', id)
        return false
      }
      if (d.mode !== 'keyboard' || d.activeId !== id) return false
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
      const now = readCard(doc, d.activeId)
      const moved =
        !now || now.archived || now.position.column !== d.start.column || now.position.key !== d.start.key
      if (!moved) return
      finish()
      if (d.mode === 'pointer') cancelPointerDrag()
      setNotice(
        now && !now.archived
          ? `Someone else moved this ${noun} while you were dragging it. Your move was cancelled.`
          : `This ${noun} was removed while you were dragging it.`,
      )
    },
    [doc, finish, readCard, noun],
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
