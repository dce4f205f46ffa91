import { collectionMap, DEALS, moveDeal, type Position, readRecord, type Stage } from '@rapport/model'
import { useCallback, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { asksLostReason, lostReasonOf, type PendingLoss, type PlacedDeal, stillAt } from './lostReason.ts'

export interface LostReasonFlow {
  /** The loss waiting for its reason (the board shows the deal in its new place meanwhile). */
  pending: PendingLoss | null
  /** Why the last Confirm could not be written, in plain words. */
  error: string | null
  /** Shown on the board when the loss was dropped because someone else moved the deal meanwhile. */
  notice: string | null
  dismissNotice: () => void
  /** The board's move command: writes a move, or asks for the reason first when it makes the deal lost. */
  move: (doc: Y.Doc, id: string, position: Position) => void
  /** Writes the waiting move with its reason in ONE `moveDeal` transaction. */
  confirm: (reasonText: string) => void
  /** Drops the waiting move: the deal stays where it was and nothing is written. */
  cancel: () => void
  /** Feed the live deals here: someone else moving or removing the waiting deal drops the waiting move. */
  onDealsChanged: (deals: ReadonlyMap<string, PlacedDeal>) => void
}

const MOVED_MEANWHILE =
  'Someone else moved or removed this deal while you were giving the reason. Nothing was changed.'

/**
 * Every move of a deal into a lost stage (drag, keyboard, the card's Lost button) asks why before anything is
 * written; Confirm writes the move and the reason together, Cancel writes nothing. The move is written to the
 * document it was asked in (the deal's own `W/deal/D`; `doc` when none was given yet); `onMoved` hears every
 * move written.
 */
export function useLostReason(
  doc: Y.Doc | null,
  stages: readonly Stage[],
  onMoved?: (id: string, position: Position) => void,
): LostReasonFlow {
  const [pending, setPending] = useState<PendingLoss | null>(null)
  // The document the waiting move was asked in.
  const pendingDoc = useRef<Y.Doc | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const move = useCallback(
    (target: Y.Doc, id: string, position: Position) => {
      const current = readRecord(collectionMap(target, DEALS), id, DEALS.schema)
      if (current && asksLostReason(stages, current, position)) {
        pendingDoc.current = target
        setPending({ dealId: id, from: current.position, to: position })
        setError(null)
        setNotice(null)
        return
      }
      moveDeal(target, id, position, LOCAL_ORIGIN, { stages })
      onMoved?.(id, position)
    },
    [stages, onMoved],
  )

  const confirm = useCallback(
    (reasonText: string) => {
      const target = pendingDoc.current ?? doc
      if (!pending || !target) return
      const now = readRecord(collectionMap(target, DEALS), pending.dealId, DEALS.schema)
      if (!stillAt(now, pending)) {
        setPending(null)
        setNotice(MOVED_MEANWHILE)
        return
      }
      try {
        moveDeal(target, pending.dealId, pending.to, LOCAL_ORIGIN, {
          stages,
          lostReason: lostReasonOf(reasonText),
        })
        setPending(null)
        onMoved?.(pending.dealId, pending.to)
      } catch (err) {
        setError(
          err instanceof Error ? `Could not move the deal: ${err.message}` : 'Could not move the deal.',
        )
      }
    },
    [doc, pending, stages, onMoved],
  )

  const cancel = useCallback(() => {
    setPending(null)
    setError(null)
  }, [])

  const onDealsChanged = useCallback(
    (deals: ReadonlyMap<string, PlacedDeal>) => {
      if (!pending || stillAt(deals.get(pending.dealId), pending)) return
      setPending(null)
      setNotice(MOVED_MEANWHILE)
    },
    [pending],
  )

  return {
    pending,
    error,
    notice,
    dismissNotice: () => setNotice(null),
    move,
    confirm,
    cancel,
    onDealsChanged,
  }
}
