import {
  accessTo,
  type BoardCardState,
  boardPosMap,
  collectionMap,
  createDeal,
  DEALS,
  type DealCreate,
  docName,
  keyForIndex,
  newDealId,
  type Pipeline,
  type Position,
  readBoardEntries,
  readRecord,
  recordDocRef,
  type Stage,
  updateBoardEntries,
} from '@rapport/model'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { Doc as YDoc } from 'yjs'
import { useCollab } from '../../collab/CollabContext.tsx'
import type { DocHandle } from '../../collab/DocHandle.ts'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import type { UndoControls } from '../../collab/useUndoManager.ts'
import { useBoardDrag } from '../board/useBoardDrag.ts'
import type { Kanban } from '../board/useKanban.ts'
import { useRemoteArrivals } from '../board/useRemoteArrivals.ts'
import { usePeers, usePresenceField } from '../presence/usePeers.ts'
import { type Board, type BoardDeal, type BoardFilter, LiveBoard } from './boardColumns.ts'
import { asksLostReason, withPendingLoss } from './lostReason.ts'
import { nextMove, type OptimisticMove, samePosition, settleMoves } from './optimisticMoves.ts'
import { type DealFace, useDealFaces } from './useDealFaces.ts'
import { type LostReasonFlow, useLostReason } from './useLostReason.ts'

const MOVE_FAILED = 'This deal could not be opened to move it. Nothing was changed.'
/** How long a drop waits for the deal's document before giving up (offline without a copy of it). */
const OPEN_TIMEOUT_MS = 10_000

/**
 * Opens deal `dealId`'s own document through the registry (ref-counted; the caller releases it) and resolves with it
 * once the deal is in it (offline copy or server), or rejects when the server refuses it, does not have the deal, or
 * nothing arrives in time.
 */
function openDealDoc(handle: DocHandle, dealId: string): Promise<Y.Doc> {
  const has = () => collectionMap(handle.doc, DEALS).has(dealId)
  if (has()) return Promise.resolve(handle.doc)
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = handle.getState()
      if (has()) done(() => resolve(handle.doc))
      else if (state.denied !== null) done(() => reject(new Error(state.denied ?? 'denied')))
      else if (state.synced) done(() => reject(new Error('not found')))
    }
    const timer = setTimeout(() => done(() => reject(new Error('timeout'))), OPEN_TIMEOUT_MS)
    const unsubscribe = handle.subscribe(check)
    handle.doc.on('update', check)
    const done = (settle: () => void) => {
      clearTimeout(timer)
      unsubscribe()
      handle.doc.off('update', check)
      settle()
    }
    check()
  })
}

export interface DealBoard {
  kanban: Kanban<BoardDeal, Board>
  /** Deals as shown (a loss waiting for its reason already in its new place). */
  deals: ReadonlyMap<string, BoardDeal>
  lost: LostReasonFlow
  accountNames: ReadonlyMap<string, string>
  /** The board document has synced (or its offline copy holds cards) and the first faces have arrived. */
  ready: boolean
  noAccess: boolean
  /**
   * Creates a deal in its own new document at the end of the stage as this board shows it (the new document knows no
   * other card); this board shows it at once, the others once the server has mirrored it.
   */
  create: (input: Omit<DealCreate, 'id' | 'pipelineId'> & { stageId: string }) => void
  /** Opens the deal's document (ref-counted) while a card shows; returns the release. */
  warm: (dealId: string) => () => void
  notice: string | null
  dismissNotice: () => void
}

/**
 * The live board of one pipeline (issue #12): card places from `W/board/P` (read-only; the server mirrors each deal
 * into it), card faces from the index (`useDealFaces`), and every move written to the deal's own document
 * (`W/deal/D`, `moveDeal`). The mover's board shows its own move until the mirrored entry matches it; a move of a card
 * that someone else moved meanwhile cancels the drag (as before).
 */
export function useDealBoard(workspaceId: string, pipeline: Pipeline, filter: BoardFilter): DealBoard {
  const { registry, member } = useCollab()
  const {
    faces,
    accountNames,
    first: facesShown,
    loaded: facesLoaded,
    reload: reloadFaces,
  } = useDealFaces(pipeline.id)
  // The board document is opened once the faces have answered: they place every card (a draggable board), and its
  // sync (0.93 MB for 20,000 cards: ~180 ms of the main thread to apply and to store in IndexedDB) would otherwise
  // land before them on a first visit and hold the live board back. It takes over from them once synced.
  const boardDoc = useDoc(facesShown ? { workspaceId, kind: 'board', pipelineId: pipeline.id } : null)
  // Drags need no board document (moves are written to the deal documents): a detached one stands in until it opens.
  const detached = useMemo(() => new YDoc(), [])
  // The server regenerated the board: the registry dropped our copy and swapped in a fresh, synced one (the cards
  // stay on screen, a drag goes on: moves are written to deal documents). Ask for every face again too.
  const generation = boardDoc.generation
  useEffect(() => {
    if (generation > 0) reloadFaces()
  }, [generation, reloadFaces])
  const stages = pipeline.stages
  // The board is written by the server only: whether this user may move cards is their access to deal documents.
  const readOnly = accessTo(member, recordDocRef(workspaceId, 'deal', 'any')) !== 'write'
  const [historyVersion, setHistoryVersion] = useState(0)
  const history = useRef<MoveHistory | null>(null)
  history.current ??= new MoveHistory(() => setHistoryVersion((v) => v + 1))

  // Board entries, re-read on every change of the board document.
  const [entries, setEntries] = useState<ReadonlyMap<string, BoardCardState>>(() => new Map())
  const { arrived, noteChange } = useRemoteArrivals()
  const changeRef = useRef<(ids: string[], tr: Y.Transaction) => void>(() => {})
  const [moves, setMoves] = useState<ReadonlyMap<string, OptimisticMove>>(() => new Map())
  // Deals this tab created that the board does not show yet (offline, or before the mirror's entry arrives).
  const [created, setCreated] = useState<ReadonlyMap<string, BoardDeal>>(() => new Map())
  const movesRef = useRef(moves)
  movesRef.current = moves
  useEffect(() => {
    const doc = boardDoc.doc
    if (!doc) {
      setEntries(new Map())
      return
    }
    const map = boardPosMap(doc)
    let first = readBoardEntries(doc)
    setEntries(first)
    const onChange = (event: Y.YMapEvent<unknown>, tr: Y.Transaction) => {
      // Only the changed entries are read again (a remote move on a 20,000-card board: one entry, not all).
      const next = updateBoardEntries(first, doc, event.keysChanged)
      // The document's first content (its sync while the faces placed the cards) is no one's arrival.
      const initial = first.size === 0
      first = next
      setEntries(next)
      const ids = [...event.keysChanged]
      changeRef.current(ids, tr)
      if (initial) return
      // Our own moves coming back from the mirror are not someone else's arrival.
      const foreign = ids.filter((id) => {
        const mine = movesRef.current.get(id)
        const card = next.get(id)
        return !(mine && card && samePosition(mine.to, { column: card.stageId, key: card.key }))
      })
      if (foreign.length > 0) noteChange(foreign, tr)
    }
    map.observe(onChange)
    return () => map.unobserve(onChange)
  }, [boardDoc.doc, noteChange])

  useEffect(() => {
    if (![...created.keys()].some((id) => entries.has(id))) return
    setCreated((prev) => new Map([...prev].filter(([id]) => !entries.has(id))))
  }, [entries, created])

  // Until the board document has synced (and no offline copy holds cards), the cards are placed where the index's
  // faces say: one REST response paints a draggable board (moves are written to deal documents, never to the board).
  const fromFaces = !boardDoc.synced && entries.size === 0 && facesLoaded
  // Nothing is placed before the faces have answered (the page shows the snapshot until then, see `ready`): a board
  // document that synced first would otherwise be laid out twice, without faces and again with them (~40 ms each on
  // 20,000 cards, on a first visit's path to a draggable board).
  const shown = useMemo(
    () => (!facesShown ? NO_ENTRIES : fromFaces ? entriesOfFaces(faces) : entries),
    [facesShown, fromFaces, faces, entries],
  )

  // An optimistic move ends once the board shows it, or shows the card somewhere else than before and after it — the
  // board as placed: by the faces until the board document has synced (its entries are empty until then, and a move
  // made meanwhile would have ended at once, the card jumping back).
  useEffect(() => {
    const next = settleMoves(moves, shown)
    if (next !== moves) setMoves(next)
  }, [shown, moves])

  // The deals as placed on the board: the entry (or our pending move) with the face from the index. A deal keeps its
  // object while its entry, face and move are the same objects, so the board re-places only what changed (LiveBoard).
  const placedCache = useRef(new Map<string, PlacedInputs>())
  const placed = useMemo(() => {
    const cache = placedCache.current
    const byId = new Map<string, BoardDeal>()
    for (const [id, deal] of created) if (!shown.has(id)) byId.set(id, deal)
    for (const [id, card] of shown) {
      const face: DealFace | undefined = faces.get(id)
      const move = moves.get(id)
      const kept = cache.get(id)
      if (kept && kept.card === card && kept.face === face && kept.stages === stages && !move && !kept.move) {
        byId.set(id, kept.deal)
        continue
      }
      const deal = placeDeal(id, card, face, move, stages)
      cache.set(id, { card, face, move, stages, deal })
      byId.set(id, deal)
    }
    if (cache.size > shown.size) for (const id of cache.keys()) if (!shown.has(id)) cache.delete(id)
    return byId
  }, [shown, faces, moves, stages, created])
  const placedRef = useRef(placed)
  placedRef.current = placed

  // Deal documents this board opened to write moves: kept open while the board is, released on unmount.
  const held = useRef(new Map<string, DocHandle>())
  useEffect(() => {
    const open = held.current
    return () => {
      for (const name of open.keys()) registry.release(name)
      open.clear()
    }
  }, [registry])
  const dealDoc = useCallback(
    (dealId: string): Promise<Y.Doc> => {
      const name = docName(recordDocRef(workspaceId, 'deal', dealId))
      let handle = held.current.get(name)
      if (!handle) {
        handle = registry.acquire(name)
        held.current.set(name, handle)
      }
      return openDealDoc(handle, dealId)
    },
    [registry, workspaceId],
  )
  // Once the board document has synced (or its offline copy holds cards): a board placed by the faces of a first visit
  // is on screen before the socket is up, and a screenful of deal documents opened then (IndexedDB, the registry: ~45
  // ms) would sit on its path and show as unsynced changes; a drop meanwhile opens its deal's document itself.
  const warmNow = boardDoc.synced || entries.size > 0
  const warm = useCallback(
    (dealId: string) => {
      if (!warmNow) return () => {}
      const name = docName(recordDocRef(workspaceId, 'deal', dealId))
      registry.acquire(name)
      return () => registry.release(name)
    },
    [registry, workspaceId, warmNow],
  )

  const layoutRef = useRef<Board | null>(null)
  const create = useCallback(
    (input: Omit<DealCreate, 'id' | 'pipelineId'> & { stageId: string }) => {
      const id = newDealId()
      const name = docName(recordDocRef(workspaceId, 'deal', id))
      const handle = registry.acquire(name)
      held.current.set(name, handle)
      const column = layoutRef.current?.columns[input.stageId] ?? []
      const keys = column.map((dealId) => layoutRef.current?.keys[dealId]).filter((k): k is string => !!k)
      const position = { column: input.stageId, key: keyForIndex(keys, keys.length) }
      let deal: BoardDeal | null = null
      handle.doc.transact(() => {
        const made = createDeal(handle.doc, { ...input, id, pipelineId: pipeline.id }, LOCAL_ORIGIN, {
          stages,
        })
        ;(collectionMap(handle.doc, DEALS).get(id) as Y.Map<unknown> | undefined)?.set('position', position)
        deal = { ...made, position }
      }, LOCAL_ORIGIN)
      const shown = deal as BoardDeal | null
      if (shown) setCreated((prev) => new Map(prev).set(id, shown))
    },
    [registry, workspaceId, pipeline.id, stages],
  )

  const setMove = useCallback((id: string, move: OptimisticMove | null) => {
    setMoves((prev) => {
      const next = new Map(prev)
      if (move) next.set(id, move)
      else next.delete(id)
      return next
    })
  }, [])
  const onMoved = useCallback(
    (id: string, to: Position) => {
      const card = placedRef.current.get(id)
      const mine = movesRef.current.get(id)
      // The move shown since the drop (same target) keeps its history; a new target adds one.
      setMove(id, mine && samePosition(mine.to, to) ? mine : nextMove(mine, card?.position ?? null, to))
      history.current?.onMoved(id, card?.position ?? null, to)
    },
    [setMove],
  )
  const lost = useLostReason(null, stages, onMoved)
  const [notice, setNotice] = useState<string | null>(null)

  // The board's move: shown at once, written to the deal's document as soon as it is open.
  const lostMove = lost.move
  const move = useCallback(
    (_board: Y.Doc, id: string, to: Position) => {
      setMove(id, nextMove(movesRef.current.get(id), placedRef.current.get(id)?.position ?? null, to))
      setNotice(null)
      dealDoc(id).then(
        (doc) => {
          const current = readRecord(collectionMap(doc, DEALS), id, DEALS.schema)
          // A loss waits for its reason: the waiting move shows the card meanwhile, Cancel puts it back.
          if (current && asksLostReason(stages, current, to)) setMove(id, null)
          try {
            lostMove(doc, id, to)
          } catch (err) {
            setMove(id, null)
            setNotice(err instanceof Error ? `Could not move the deal: ${err.message}` : MOVE_FAILED)
          }
        },
        () => {
          setMove(id, null)
          setNotice(MOVE_FAILED)
        },
      )
    },
    [dealDoc, lostMove, setMove, stages],
  )

  const pendingLoss = lost.pending
  const deals = useMemo(() => withPendingLoss(placed, pendingLoss), [placed, pendingLoss])
  const { onDealsChanged } = lost
  useEffect(() => onDealsChanged(placed), [placed, onDealsChanged])

  const names = accountNames
  const liveBoard = useRef<LiveBoard | null>(null)
  liveBoard.current ??= new LiveBoard()
  const board = liveBoard.current
  const layout = useMemo(
    () => board.build(deals, stages, filter, names),
    [board, deals, stages, filter, names],
  )
  layoutRef.current = layout

  const peers = usePeers(boardDoc.provider)
  const setPresence = usePresenceField(boardDoc.provider)
  const setDragging = useCallback((id: string | null) => setPresence('dragging', id), [setPresence])
  const read = useCallback((id: string) => placedRef.current.get(id) ?? null, [])
  const drag = useBoardDrag({
    doc: boardDoc.doc ?? detached,
    collection: DEALS,
    board: layout,
    readOnly,
    move,
    setDragging,
    noun: 'deal',
    read,
  })
  changeRef.current = drag.onRecordsChanged

  // Undo/redo of this tab's own moves, each written again through the drop path.
  const commitMove = drag.commitMove
  const steps = history.current
  const undo: UndoControls = useMemo(
    () => ({
      canUndo: historyVersion >= 0 && steps.canUndo,
      canRedo: steps.canRedo,
      undo: () => {
        const step = steps.take('undo')
        if (step) commitMove(step.id, step.position)
      },
      redo: () => {
        const step = steps.take('redo')
        if (step) commitMove(step.id, step.position)
      },
    }),
    [historyVersion, commitMove, steps],
  )

  const draggedBy = useMemo(() => {
    const m = new Map<string, { name: string; color: string }>()
    for (const p of peers) if (p.dragging) m.set(p.dragging, { name: p.user.name, color: p.user.color })
    return m
  }, [peers])

  const records = useMemo(() => ({ byId: deals, version: 0 }), [deals])
  const kanban: Kanban<BoardDeal, Board> = {
    records,
    layout,
    drag,
    undo,
    peers,
    draggedBy,
    arrived,
    readOnly,
  }
  return {
    kanban,
    deals,
    lost,
    accountNames,
    ready: ((boardDoc.synced || entries.size > 0) && facesShown) || fromFaces,
    // Until the board document is opened (the faces have answered), access is not known to be missing.
    noAccess: facesShown && boardDoc.noAccess,
    create,
    warm,
    notice,
    dismissNotice: () => setNotice(null),
  }
}

const NO_ENTRIES: ReadonlyMap<string, BoardCardState> = new Map()

/** What one placed deal was built from (`placed` rebuilds it only when one of them changes). */
interface PlacedInputs {
  card: BoardCardState
  face: DealFace | undefined
  move: OptimisticMove | undefined
  stages: readonly Stage[]
  deal: BoardDeal
}

/** A card as the board places it: its entry (or this tab's pending move) with its face from the index. */
function placeDeal(
  id: string,
  card: BoardCardState,
  face: DealFace | undefined,
  move: OptimisticMove | undefined,
  stages: readonly Stage[],
): BoardDeal {
  const position = move?.to ?? { column: card.stageId, key: card.key }
  const outcome = move ? stages.find((s) => s.id === move.to.column)?.outcome : undefined
  const movedColumn = move !== undefined && move.to.column !== card.stageId
  return {
    id,
    title: face?.title ?? '',
    accountId: face?.accountId ?? null,
    amount: face?.amount ?? 0,
    currency: face?.currency ?? 'USD',
    ownerId: face?.ownerId ?? null,
    position,
    status: outcome ?? card.status,
    stageEnteredAt: movedColumn ? Date.now() : (face?.stageEnteredAt ?? card.enteredAt),
    archived: false,
  }
}

/** Board entries as the index's faces place the cards (before `W/board/P` has synced). */
function entriesOfFaces(faces: ReadonlyMap<string, DealFace>): Map<string, BoardCardState> {
  const entries = new Map<string, BoardCardState>()
  for (const [id, face] of faces)
    entries.set(id, {
      stageId: face.position.column,
      key: face.position.key,
      status: face.status,
      enteredAt: face.stageEnteredAt,
    })
  return entries
}

/** This tab's own moves, for undo and redo (a step moves the card back to where it was, or forward again). */
class MoveHistory {
  private done: { id: string; from: Position; to: Position }[] = []
  private undone: { id: string; from: Position; to: Position }[] = []
  private replaying = false

  constructor(private readonly changed: () => void) {}

  get canUndo() {
    return this.done.length > 0
  }
  get canRedo() {
    return this.undone.length > 0
  }

  onMoved(id: string, from: Position | null, to: Position) {
    if (this.replaying) {
      this.replaying = false
      return
    }
    if (!from) return
    this.done.push({ id, from, to })
    this.undone = []
    this.changed()
  }

  take(which: 'undo' | 'redo'): { id: string; position: Position } | null {
    const step = which === 'undo' ? this.done.pop() : this.undone.pop()
    if (!step) return null
    ;(which === 'undo' ? this.undone : this.done).push(step)
    this.replaying = true
    this.changed()
    return { id: step.id, position: which === 'undo' ? step.from : step.to }
  }
}
