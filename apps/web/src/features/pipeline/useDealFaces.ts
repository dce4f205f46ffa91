import { type BoardFaceRow, Deal, parseBoardFaces } from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import { z } from 'zod'
import { type FeedSignal, useFeed } from '../../collab/useFeed.ts'
import { ApiError, authApi } from '../auth/authApi.ts'

/** What a card shows of a deal besides its place (which comes from `W/board/P`). */
export interface DealFace {
  id: string
  title: string
  accountId: string | null
  amount: number
  currency: string
  ownerId: string | null
  stageEnteredAt: number
  /** Its place as the index holds it: what the board paints before `W/board/P` has synced. */
  position: { column: string; key: string }
  status: 'open' | 'won' | 'lost'
}

export interface DealFaces {
  faces: ReadonlyMap<string, DealFace>
  accountNames: ReadonlyMap<string, string>
  /** The first load has answered (faces of every card of the board, or the failure). */
  loaded: boolean
  /** Same as `loaded` (one request gives every face); kept for the board's readiness. */
  first: boolean
  /** Fetches every face again (after the board document was regenerated, or to recover from a failure). */
  reload: () => void
}

/** `GET /api/pipelines/:id/board/faces` (index.html starts it early on a board link: keep the path identical). */
export const boardFacesPath = (pipelineId: string): string =>
  `/api/pipelines/${encodeURIComponent(pipelineId)}/board/faces`

const faceOf = (deal: DealFace): DealFace => ({
  id: deal.id,
  title: deal.title,
  accountId: deal.accountId,
  amount: deal.amount,
  currency: deal.currency,
  ownerId: deal.ownerId,
  stageEnteredAt: deal.stageEnteredAt,
  position: { column: deal.position.column, key: deal.position.key },
  status: deal.status,
})

const STATUS = { o: 'open', w: 'won', l: 'lost' } as const

/** A card row of the faces response as the board's face (one object per card: 20,000 of them on a big board). */
export const faceOfRow = (row: BoardFaceRow): DealFace => ({
  id: row[0],
  title: row[1],
  amount: row[2],
  currency: row[3],
  accountId: row[4],
  ownerId: row[5],
  position: { column: row[6], key: row[7] },
  status: STATUS[row[8]],
  stageEnteredAt: row[9],
})

/**
 * The card faces of one pipeline's board, from the index — never from the deal documents: every card's face in ONE
 * response (`GET /api/pipelines/:id/board/faces`, with the names of the cards' accounts), kept current by the change
 * feed (kinds `deals` and `accounts`). After a feed reset, a reconnect that could not resume, or `reload()`,
 * everything is fetched again.
 */
export function useDealFaces(pipelineId: string): DealFaces {
  const [generation, setGeneration] = useState(0)
  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  const [state, setState] = useState<DealFaces>(() => ({
    faces: new Map(),
    accountNames: new Map(),
    loaded: false,
    first: false,
    reload,
  }))
  const live = useRef(true)
  /** Deals the feed changed since the running load started: their feed state wins over the load's answer. */
  const touched = useRef(new Set<string>())

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation asks for everything again
  useEffect(() => {
    live.current = true
    let current = true
    touched.current = new Set()
    const load = async () => {
      const faces = new Map<string, DealFace>()
      const names = new Map<string, string>()
      let ok = false
      try {
        // Checked by parseBoardFaces (the same answer as the BoardFaces schema, without zod's cost per card).
        const body = parseBoardFaces(await authApi.get(boardFacesPath(pipelineId), z.unknown()))
        if (!body)
          throw new ApiError('server', 200, 'bad_response', 'The server sent an unexpected response.')
        for (const row of body.cards) faces.set(row[0], faceOfRow(row))
        for (const [id, name] of Object.entries(body.accounts)) names.set(id, name)
        ok = true
      } catch {
        // The faces shown so far stay; cards without one show their place only.
      }
      if (!current) return
      setState((prev) => ({
        // A full answer replaces the faces (a deal that left the board meanwhile leaves), except those the feed
        // changed while it was on its way; a failure keeps them.
        faces: ok ? merged(faces, prev.faces, touched.current) : prev.faces,
        accountNames: new Map([...prev.accountNames, ...names]),
        loaded: true,
        first: true,
        reload: prev.reload,
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
        if (signal.type === 'reset' || !signal.resumed) reload()
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
      touched.current.add(event.id)
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
    [pipelineId, reload],
  )
  useFeed(onSignal)
  return state
}

/** The load's faces, with the current ones of the deals in `touched`. */
function merged(
  loaded: Map<string, DealFace>,
  current: ReadonlyMap<string, DealFace>,
  touched: ReadonlySet<string>,
): Map<string, DealFace> {
  for (const id of touched) {
    const face = current.get(id)
    if (face) loaded.set(id, face)
    else loaded.delete(id)
  }
  return loaded
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
