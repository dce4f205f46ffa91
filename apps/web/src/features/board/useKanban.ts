import type { HocuspocusProvider } from '@hocuspocus/provider'
import type { BaseRecord, BoardLayout, BoardRecord, Position, RecordCollection } from '@rapport/model'
import { useCallback, useMemo, useRef } from 'react'
import type * as Y from 'yjs'
import type { LiveSnapshot } from '../../collab/LiveRecords.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { type UndoControls, useUndoManager } from '../../collab/useUndoManager.ts'
import type { Peer } from '../presence/presenceStates.ts'
import { usePeers, usePresenceField } from '../presence/usePeers.ts'
import { shareUnchangedColumns } from './boardLayout.ts'
import { type BoardDrag, useBoardDrag } from './useBoardDrag.ts'
import { useRemoteArrivals } from './useRemoteArrivals.ts'

export interface KanbanOptions<T extends BoardRecord & BaseRecord, L extends BoardLayout> {
  doc: Y.Doc | null
  provider: HocuspocusProvider | null
  readOnly: boolean
  collection: RecordCollection<T>
  /** Builds the layout from the live records (memoize it with `useCallback`). */
  layoutOf: (records: ReadonlyMap<string, T>) => L
  /** The model's one-transaction move command, with LOCAL_ORIGIN (memoize it). */
  move: (doc: Y.Doc, id: string, position: Position) => void
  noun: string
}

export interface Kanban<T, L extends BoardLayout> {
  records: LiveSnapshot<T>
  layout: L
  drag: BoardDrag
  undo: UndoControls
  peers: Peer[]
  /** Record id → the peer dragging it right now. */
  draggedBy: ReadonlyMap<string, { name: string; color: string }>
  /** Ids just moved by someone else (animate them). */
  arrived: ReadonlySet<string>
  readOnly: boolean
}

/**
 * Everything a live kanban needs over one collection of positioned records: the live layout, drag with
 * pointer and keyboard (one move transaction on drop, cancelled when the card changes remotely), undo of our
 * own moves, presence ("X is moving this") and remote-arrival highlights.
 */
export function useKanban<T extends BoardRecord & BaseRecord, L extends BoardLayout>(
  options: KanbanOptions<T, L>,
): Kanban<T, L> {
  const { doc, provider, readOnly, collection, layoutOf, move, noun } = options
  const { arrived, noteChange } = useRemoteArrivals()
  // The records observer is created before the drag hook; this ref always reaches the latest drag state.
  const dragChangeRef = useRef<(ids: string[], tr: Y.Transaction) => void>(() => {})
  const records = useLiveRecords(
    doc,
    collection,
    useCallback(
      (ids: string[], tr: Y.Transaction) => {
        dragChangeRef.current(ids, tr)
        noteChange(ids, tr)
      },
      [noteChange],
    ),
  )
  const previousColumns = useRef<Record<string, string[]> | null>(null)
  const layout = useMemo(() => {
    const next = layoutOf(records.byId)
    return { ...next, columns: shareUnchangedColumns(previousColumns.current, next.columns) }
  }, [records, layoutOf])
  previousColumns.current = layout.columns

  const peers = usePeers(provider)
  const setPresence = usePresenceField(provider)
  const setDragging = useCallback((id: string | null) => setPresence('dragging', id), [setPresence])
  const drag = useBoardDrag({ doc, collection, board: layout, readOnly, move, setDragging, noun })
  dragChangeRef.current = drag.onRecordsChanged
  const undo = useUndoManager(doc, [collection.name], !readOnly)

  const draggedBy = useMemo(() => {
    const m = new Map<string, { name: string; color: string }>()
    for (const p of peers) if (p.dragging) m.set(p.dragging, { name: p.user.name, color: p.user.color })
    return m
  }, [peers])

  return { records, layout, drag, undo, peers, draggedBy, arrived, readOnly }
}
