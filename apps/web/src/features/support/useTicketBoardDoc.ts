import {
  accessTo,
  collectionMap,
  createRecord,
  moveTicket,
  type Position,
  readRecord,
  recordDocRef,
  TICKETS,
  Ticket,
  updateRecord,
} from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import * as Y from 'yjs'
import { z } from 'zod'
import { useCollab } from '../../collab/CollabContext.tsx'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useFeed } from '../../collab/useFeed.ts'
import { request } from '../auth/authApi.ts'

/** Origin of what the server said (REST pages, feed events): remote for the board (it cancels a drag of that card). */
export const SERVER_VIEW_ORIGIN = { serverView: true } as const

const PAGE = 200
const Page = z.object({ items: z.array(z.unknown()), total: z.number() })

/** Board order inside a column: `(key, id)`. */
const before = (a: { key: string; id: string }, b: { key: string; id: string }): boolean =>
  a.key < b.key || (a.key === b.key && a.id < b.id)

/** Where `position` puts ticket `id` among the other cards of its column (the index `POST /move` takes). */
export function indexInColumn(doc: Y.Doc, id: string, position: Position): number {
  let index = 0
  for (const [otherId, fields] of collectionMap(doc, TICKETS).entries()) {
    if (otherId === id || !(fields instanceof Y.Map) || fields.get('archived') === true) continue
    const at = fields.get('position') as { column?: unknown; key?: unknown } | undefined
    if (at?.column !== position.column || typeof at.key !== 'string') continue
    if (before({ key: at.key, id: otherId }, { key: position.key, id })) index += 1
  }
  return index
}

/** Writes `ticket` into the view (only the fields that differ), or adds it. */
function upsert(doc: Y.Doc, ticket: Ticket): void {
  const current = readRecord(collectionMap(doc, TICKETS), ticket.id, Ticket)
  if (current === null) {
    collectionMap(doc, TICKETS).delete(ticket.id)
    createRecord(doc, TICKETS, ticket, SERVER_VIEW_ORIGIN)
    return
  }
  const { id, createdAt: _createdAt, ...rest } = ticket
  updateRecord(doc, TICKETS, id, rest, SERVER_VIEW_ORIGIN, { now: ticket.updatedAt })
}

/**
 * The support board's tickets as a local, unsynced Y.Doc ("view") — the unarchived tickets of `GET /api/tickets`,
 * kept current by the change feed — so the kanban (layout, drag, keyboard, undo) works on it as on a document. The
 * view is never sent anywhere: a drop (or an undo/redo of one) is shown at once in the view and sent as
 * `POST /api/tickets/:id/move` with the card's index in its column; the server places the ticket there and writes the
 * ticket's own `position` (in its own document), and its feed event brings the server's key back.
 */
export function useTicketBoardDoc(): {
  doc: Y.Doc
  ready: boolean
  noAccess: boolean
  readOnly: boolean
  error: string | null
  move: (doc: Y.Doc, id: string, position: Position) => void
} {
  const { member } = useCollab()
  const access = accessTo(member, recordDocRef(member.workspaceId, 'ticket', 'any'))
  const [doc] = useState(() => new Y.Doc())
  const [ready, setReady] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const generation = useRef(0)

  const reload = useCallback(async () => {
    const mine = ++generation.current
    try {
      const found = new Map<string, Ticket>()
      for (let offset = 0; ; offset += PAGE) {
        const page = await request(`/api/tickets?limit=${PAGE}&offset=${offset}`, Page)
        for (const item of page.items) {
          const parsed = Ticket.safeParse(item)
          if (parsed.success) found.set(parsed.data.id, parsed.data)
        }
        if (page.items.length < PAGE || offset + PAGE >= page.total) break
      }
      if (mine !== generation.current) return
      doc.transact(() => {
        const map = collectionMap(doc, TICKETS)
        for (const id of [...map.keys()]) if (!found.has(id)) map.delete(id)
        for (const ticket of found.values()) upsert(doc, ticket)
      }, SERVER_VIEW_ORIGIN)
      setError(null)
      setReady(true)
    } catch (e) {
      if (mine === generation.current) setError(e instanceof Error ? e.message : String(e))
    }
  }, [doc])

  useEffect(() => {
    if (access !== 'none') void reload()
  }, [access, reload])

  useFeed((signal) => {
    if (signal.type === 'event') {
      const event = signal.event
      if (event.kind !== 'tickets') return
      const parsed = event.op === 'upsert' && event.row ? Ticket.safeParse(event.row) : null
      doc.transact(() => {
        if (parsed?.success && !parsed.data.archived) upsert(doc, parsed.data)
        else if (event.op === 'remove' || parsed?.data?.archived) collectionMap(doc, TICKETS).delete(event.id)
      }, SERVER_VIEW_ORIGIN)
    } else if (signal.type === 'reset' || !signal.resumed) void reload()
  })

  const send = useCallback(
    (id: string, position: Position, index: number) => {
      request(`/api/tickets/${encodeURIComponent(id)}/move`, z.unknown(), {
        method: 'POST',
        body: JSON.stringify({ status: position.column, index }),
      }).catch((e: unknown) => {
        setError(`Not moved — ${e instanceof Error ? e.message : String(e)}`)
        void reload()
      })
    },
    [reload],
  )

  // An undo or redo of our own move changes the view only: send the position it gives back to the server.
  useEffect(() => {
    const map = collectionMap(doc, TICKETS) as unknown as Y.Map<unknown>
    const observer = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, transaction: Y.Transaction) => {
      if (!(transaction.origin instanceof Y.UndoManager)) return
      const ids = new Set<string>()
      for (const event of events) {
        const item = event.target._item
        if (item?.parent === map && item.parentSub) ids.add(item.parentSub)
      }
      for (const id of ids) {
        const ticket = readRecord(collectionMap(doc, TICKETS), id, Ticket)
        if (ticket) send(id, ticket.position, indexInColumn(doc, id, ticket.position))
      }
    }
    map.observeDeep(observer)
    return () => map.unobserveDeep(observer)
  }, [doc, send])

  const move = useCallback(
    (view: Y.Doc, id: string, position: Position) => {
      const index = indexInColumn(view, id, position)
      moveTicket(view, id, position, LOCAL_ORIGIN)
      send(id, position, index)
    },
    [send],
  )

  return {
    doc,
    ready,
    noAccess: access === 'none',
    readOnly: access !== 'write',
    error,
    move,
  }
}
