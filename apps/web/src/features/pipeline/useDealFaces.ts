import { BoardSnapshot, Deal, SNAPSHOT_CARDS_MAX } from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import { type FeedSignal, useFeed } from '../../collab/useFeed.ts'
import { authApi } from '../auth/authApi.ts'

/** What a card shows of a deal besides its place (which comes from `W/board/P`). */
export interface DealFace {
  id: string
  title: string
  accountId: string | null
  amount: number
  currency: string
  ownerId: string | null
  stageEnteredAt: number
}

export interface DealFaces {
  faces: ReadonlyMap<string, DealFace>
  accountNames: ReadonlyMap<string, string>
  /** The first load has answered (faces of every deal of the pipeline, or the failure). */
  loaded: boolean
  /** The board snapshot's faces (the first cards of each column) have arrived, or the load failed. */
  first: boolean
}

/** Rows per page of `GET /api/deals` (its maximum). */
const PAGE = 200

const faceOf = (deal: Pick<Deal, keyof DealFace>): DealFace => ({
  id: deal.id,
  title: deal.title,
  accountId: deal.accountId,
  amount: deal.amount,
  currency: deal.currency,
  ownerId: deal.ownerId,
  stageEnteredAt: deal.stageEnteredAt,
})

/**
 * The card faces of one pipeline's deals, from the index — never from the deal documents: the board snapshot
 * (`GET /api/pipelines/:id/board`, which also names the cards' accounts), then every deal of the pipeline page by page
 * (`GET /api/deals?pipelineId=`), kept current by the change feed (kinds `deals` and `accounts`). After a feed reset or
 * a reconnect that could not resume, everything is fetched again.
 */
export function useDealFaces(pipelineId: string): DealFaces {
  const [state, setState] = useState<DealFaces>(() => ({
    faces: new Map(),
    accountNames: new Map(),
    loaded: false,
    first: false,
  }))
  const [generation, setGeneration] = useState(0)
  const live = useRef(true)

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation asks for everything again
  useEffect(() => {
    live.current = true
    let current = true
    const load = async () => {
      const faces = new Map<string, DealFace>()
      const names = new Map<string, string>()
      try {
        const snapshot = await authApi.get(
          `/api/pipelines/${encodeURIComponent(pipelineId)}/board?perColumn=${SNAPSHOT_CARDS_MAX}`,
          BoardSnapshot,
        )
        for (const column of snapshot.columns)
          for (const card of column.deals) faces.set(card.id, faceOf(card))
        for (const [id, name] of Object.entries(snapshot.accountNames)) names.set(id, name)
        if (current)
          setState((prev) => ({
            faces: new Map([...prev.faces, ...faces]),
            accountNames: new Map([...prev.accountNames, ...names]),
            loaded: false,
            first: true,
          }))
        for (let offset = 0; current; offset += PAGE) {
          const params = new URLSearchParams({ pipelineId, offset: String(offset), limit: String(PAGE) })
          const page = await authApi.list(`/api/deals?${params}`, Deal)
          for (const deal of page.items) faces.set(deal.id, faceOf(deal))
          if (page.items.length < PAGE || offset + PAGE >= page.total) break
        }
      } catch {
        // The faces shown so far stay; cards without one show their place only.
      }
      if (current)
        setState((prev) => ({
          faces: new Map([...prev.faces, ...faces]),
          accountNames: new Map([...prev.accountNames, ...names]),
          loaded: true,
          first: true,
        }))
    }
    void load()
    return () => {
      current = false
      live.current = false
    }
  }, [pipelineId, generation])

  const onSignal = useCallback(
    (signal: FeedSignal) => {
      if (signal.type !== 'event') {
        if (signal.type === 'reset' || !signal.resumed) setGeneration((g) => g + 1)
        return
      }
      const { event } = signal
      if (event.kind === 'accounts') {
        const name = event.op === 'upsert' ? event.row?.name : undefined
        if (typeof name !== 'string') return
        setState((prev) =>
          prev.accountNames.get(event.id) === name
            ? prev
            : { ...prev, accountNames: new Map(prev.accountNames).set(event.id, name) },
        )
        return
      }
      if (event.kind !== 'deals') return
      const parsed = event.op === 'upsert' ? Deal.safeParse(event.row) : null
      if (parsed && !parsed.success) {
        // An upsert without a usable row: ask for the deal itself.
        authApi.get(`/api/deals/${encodeURIComponent(event.id)}`, Deal).then(
          (deal) => {
            if (live.current) setState((prev) => withDeal(prev, deal, pipelineId))
          },
          () => {},
        )
        return
      }
      setState((prev) =>
        parsed?.success ? withDeal(prev, parsed.data, pipelineId) : withoutDeal(prev, event.id),
      )
    },
    [pipelineId],
  )
  useFeed(onSignal)
  return state
}

function withDeal(prev: DealFaces, deal: Deal, pipelineId: string): DealFaces {
  if (deal.pipelineId !== pipelineId || deal.archived) return withoutDeal(prev, deal.id)
  return { ...prev, faces: new Map(prev.faces).set(deal.id, faceOf(deal)) }
}

function withoutDeal(prev: DealFaces, id: string): DealFaces {
  if (!prev.faces.has(id)) return prev
  const faces = new Map(prev.faces)
  faces.delete(id)
  return { ...prev, faces }
}
