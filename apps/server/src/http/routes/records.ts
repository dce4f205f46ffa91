import type { Hocuspocus } from '@hocuspocus/server'
import {
  AccountCreate,
  AccountPatch,
  accessTo,
  ContactCreate,
  ContactPatch,
  createAccount,
  createContact,
  createDeal,
  createTicket,
  DealCreate,
  DealPatch,
  type DocRef,
  docName,
  isModelError,
  keyForIndex,
  moveDeal,
  moveTicket,
  TicketCreate,
  TicketPatch,
  TicketStatus,
  updateAccount,
  updateContact,
  updateDeal,
  updateTicket,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../../auth/sessionInfo.ts'
import { workspaceSla } from '../../automation/workspaceSla.ts'
import { type Actor, writeDocument } from '../../collab/directWrites.ts'
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts'
import type { Projection } from '../../projection/Projection.ts'
import type { ProjectedRecord } from '../../projection/recordKinds.ts'
import { SEARCH_KINDS } from '../../projection/SearchIndex.ts'
import type { AppEnv } from '../app.ts'
import { readJsonBody } from './auth.ts'
import { LIST_KINDS, type ListKind, listQuerySchemas } from './recordQueries.ts'

export interface RecordsServices {
  projection: Projection
  hocuspocus: Hocuspocus
  /** S2's `sessionMiddleware(auth)`: sets `c.var.session` or throws 401. */
  session: MiddlewareHandler<AppEnv>
}

export const SearchQuery = z.object({
  q: z.string().max(200).default(''),
  kind: z.enum(SEARCH_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

export const DealMove = z.object({
  stageId: z.string().min(1).max(64),
  index: z.number().int().min(0).optional(),
})
export const TicketMove = z.object({ status: TicketStatus, index: z.number().int().min(0).optional() })

const actorOf = (session: SessionInfo): Actor => ({ userId: session.userId, name: session.name })

const encodeCursor = (offset: number): string =>
  Buffer.from(JSON.stringify({ o: offset })).toString('base64url')
function decodeCursor(cursor: string): number {
  try {
    const parsed = z
      .object({ o: z.number().int().min(0) })
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()))
    return parsed.o
  } catch {
    throw badRequest('invalid cursor', 'invalid_input')
  }
}

/** The document a record of `kind` lives in. */
function recordDoc(
  session: SessionInfo,
  kind: ListKind,
  record?: ProjectedRecord,
  pipelineId?: string,
): DocRef {
  const workspaceId = session.workspaceId
  switch (kind) {
    case 'accounts':
      return { workspaceId, kind: 'accounts' }
    case 'contacts':
      return { workspaceId, kind: 'contacts' }
    case 'tickets':
      return { workspaceId, kind: 'support' }
    case 'deals':
      return { workspaceId, kind: 'pipeline', pipelineId: String(pipelineId ?? record?.pipelineId) }
  }
}

function requireAccess(session: SessionInfo, ref: DocRef, need: 'read' | 'write'): void {
  const access = accessTo(session, ref)
  if (access === 'none' || (need === 'write' && access !== 'write')) {
    throw forbidden(`role ${session.role} may not ${need} ${ref.kind}`)
  }
}

function modelErrorToApp(error: unknown): never {
  if (isModelError(error)) {
    const status = error.code === 'invalid_input' ? 400 : error.code === 'not_found' ? 404 : 409
    throw new AppError(status, error.code, error.message)
  }
  throw error
}

/** `GET/POST/PATCH /api/<kind>`, `/api/search`, deal and ticket moves: reads from the projection, writes through documents. */
export function recordsRoutes(services: RecordsServices): Hono<AppEnv> {
  const { projection, hocuspocus } = services
  const app = new Hono<AppEnv>()

  const write = async <T>(
    session: SessionInfo,
    ref: DocRef,
    fn: (doc: import('yjs').Doc, origin: unknown) => T,
  ) => {
    requireAccess(session, ref, 'write')
    try {
      return await writeDocument(hocuspocus, docName(ref), 'rest', actorOf(session), fn)
    } catch (error) {
      modelErrorToApp(error)
    }
  }

  const getRecord = (session: SessionInfo, kind: ListKind, id: string): ProjectedRecord => {
    const record = projection.workspace(session.workspaceId).records[kind].get(id)
    if (!record) throw notFound(`${kind} ${id} not found`)
    requireAccess(session, recordDoc(session, kind, record), 'read')
    return record
  }

  /** The record as projected after a write (the projection follows the document synchronously). */
  const projected = (session: SessionInfo, kind: ListKind, written: { id: string }): ProjectedRecord =>
    projection.workspace(session.workspaceId).records[kind].get(written.id) ?? (written as ProjectedRecord)

  app.get('/search', services.session, (c) => {
    const query = SearchQuery.parse(c.req.query())
    const session = c.get('session')
    const kinds = query.kind ? [query.kind] : undefined
    const items = projection
      .workspace(session.workspaceId)
      .search.search(query.q, { kinds, limit: query.limit })
    return c.json({ items })
  })

  for (const kind of LIST_KINDS) {
    app.get(`/${kind}`, services.session, (c) => {
      const session = c.get('session')
      const { q, sort, limit, cursor, offset, archived, ...filters } = listQuerySchemas[kind].parse(
        c.req.query(),
      )
      const ws = projection.workspace(session.workspaceId)
      const start = cursor ? decodeCursor(cursor) : offset
      const searchKind = kind
      const matchIds = q
        ? ws.search.search(q, { kinds: [searchKind], limit: 10_000 }).map((hit) => hit.id)
        : null
      // Access depends on the record's document only (recordDoc reads `pipelineId`): decide once per document.
      const access = new Map<unknown, boolean>()
      const visible = (row: ProjectedRecord): boolean => {
        let ok = access.get(row.pipelineId)
        if (ok === undefined) {
          ok = accessTo(session, recordDoc(session, kind, row)) !== 'none'
          access.set(row.pipelineId, ok)
        }
        return ok
      }
      const page = ws.views[kind].query({
        filters,
        matchIds,
        sort: sort ?? null,
        offset: start,
        limit,
        archived,
        visible,
      })
      return c.json({
        items: page.items,
        total: page.total,
        nextCursor: page.nextOffset === null ? null : encodeCursor(page.nextOffset),
      })
    })
    app.get(`/${kind}/:id`, services.session, (c) =>
      c.json(getRecord(c.get('session'), kind, c.req.param('id'))),
    )
  }

  app.post('/accounts', services.session, async (c) => {
    const session = c.get('session')
    const input = await readJsonBody(c, AccountCreate)
    const ref = recordDoc(session, 'accounts')
    const created = await write(session, ref, (doc, origin) => createAccount(doc, input, origin))
    return c.json(projected(session, 'accounts', created), 201)
  })
  app.post('/contacts', services.session, async (c) => {
    const session = c.get('session')
    const input = await readJsonBody(c, ContactCreate)
    const ref = recordDoc(session, 'contacts')
    const created = await write(session, ref, (doc, origin) => createContact(doc, input, origin))
    return c.json(projected(session, 'contacts', created), 201)
  })
  app.post('/deals', services.session, async (c) => {
    const session = c.get('session')
    const input = await readJsonBody(c, DealCreate)
    const pipeline = projection.workspace(session.workspaceId).pipelines.get(input.pipelineId)
    if (!pipeline) throw badRequest(`unknown pipeline ${input.pipelineId}`, 'invalid_input')
    const ref = recordDoc(session, 'deals', undefined, input.pipelineId)
    const created = await write(session, ref, (doc, origin) =>
      createDeal(doc, input, origin, { stages: pipeline.stages }),
    )
    return c.json(projected(session, 'deals', created), 201)
  })
  app.post('/tickets', services.session, async (c) => {
    const session = c.get('session')
    const input = await readJsonBody(c, TicketCreate)
    const ref = recordDoc(session, 'tickets')
    const sla = await workspaceSla(services.hocuspocus, session.workspaceId)
    const created = await write(session, ref, (doc, origin) => createTicket(doc, input, origin, { sla }))
    return c.json(projected(session, 'tickets', created), 201)
  })

  app.patch('/accounts/:id', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'accounts', c.req.param('id'))
    const patch = await readJsonBody(c, AccountPatch)
    const updated = await write(session, recordDoc(session, 'accounts', current), (doc, origin) =>
      updateAccount(doc, current.id, patch, origin),
    )
    return c.json(projected(session, 'accounts', updated))
  })
  app.patch('/contacts/:id', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'contacts', c.req.param('id'))
    const patch = await readJsonBody(c, ContactPatch)
    const updated = await write(session, recordDoc(session, 'contacts', current), (doc, origin) =>
      updateContact(doc, current.id, patch, origin),
    )
    return c.json(projected(session, 'contacts', updated))
  })
  app.patch('/deals/:id', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'deals', c.req.param('id'))
    const patch = await readJsonBody(c, DealPatch)
    const updated = await write(session, recordDoc(session, 'deals', current), (doc, origin) =>
      updateDeal(doc, current.id, patch, origin),
    )
    return c.json(projected(session, 'deals', updated))
  })
  app.patch('/tickets/:id', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'tickets', c.req.param('id'))
    const patch = await readJsonBody(c, TicketPatch)
    const updated = await write(session, recordDoc(session, 'tickets', current), (doc, origin) =>
      updateTicket(doc, current.id, patch, origin),
    )
    return c.json(projected(session, 'tickets', updated))
  })

  /** Keys of the other cards of `column`, in board order (by key, then id). */
  const columnKeys = (rows: Iterable<ProjectedRecord>, column: string, exceptId: string): string[] =>
    [...rows]
      .map((row) => ({
        id: row.id,
        position: row.position as { column: string; key: string },
        archived: row.archived,
      }))
      .filter((row) => row.id !== exceptId && row.position.column === column && row.archived !== true)
      .sort((a, b) =>
        a.position.key < b.position.key ? -1 : a.position.key > b.position.key ? 1 : a.id < b.id ? -1 : 1,
      )
      .map((row) => row.position.key)

  app.post('/deals/:id/move', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'deals', c.req.param('id'))
    const body = await readJsonBody(c, DealMove)
    const ws = projection.workspace(session.workspaceId)
    const pipeline = ws.pipelines.get(String(current.pipelineId))
    if (pipeline && !pipeline.stages.some((s) => s.id === body.stageId)) {
      throw badRequest(`unknown stage ${body.stageId}`, 'invalid_input')
    }
    const keys = columnKeys(ws.records.deals.values(), body.stageId, current.id)
    const key = keyForIndex(keys, body.index ?? keys.length)
    const moved = await write(session, recordDoc(session, 'deals', current), (doc, origin) =>
      moveDeal(
        doc,
        current.id,
        { column: body.stageId, key },
        origin,
        pipeline ? { stages: pipeline.stages } : {},
      ),
    )
    return c.json(projected(session, 'deals', moved))
  })
  app.post('/tickets/:id/move', services.session, async (c) => {
    const session = c.get('session')
    const current = getRecord(session, 'tickets', c.req.param('id'))
    const body = await readJsonBody(c, TicketMove)
    const keys = columnKeys(
      projection.workspace(session.workspaceId).records.tickets.values(),
      body.status,
      current.id,
    )
    const key = keyForIndex(keys, body.index ?? keys.length)
    const moved = await write(session, recordDoc(session, 'tickets', current), (doc, origin) =>
      moveTicket(doc, current.id, { column: body.status, key }, origin),
    )
    return c.json(projected(session, 'tickets', moved))
  })

  return app
}
