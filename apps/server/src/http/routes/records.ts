import type { Hocuspocus } from '@hocuspocus/server'
import {
  AccountCreate,
  AccountPatch,
  accessTo,
  BoardSnapshotQuery,
  boardEntryOf,
  buildBoardSnapshot,
  ContactCreate,
  ContactPatch,
  type CustomFieldValue,
  collectionMap,
  createAccount,
  createContact,
  createDeal,
  createTicket,
  DEALS,
  type Deal,
  DealCreate,
  DealPatch,
  type DocRef,
  docName,
  isModelError,
  keyForIndex,
  moveDeal,
  moveTicket,
  newAccountId,
  newContactId,
  newDealId,
  newTicketId,
  TICKETS,
  type Ticket,
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
import { locateAccount } from '../../accounts/accountDocs.ts'
import type { SessionInfo } from '../../auth/sessionInfo.ts'
import { workspaceSla } from '../../automation/workspaceSla.ts'
import { type BoardRowsSource, boardDealRows } from '../../board/boardDealRows.ts'
import { type Actor, writeDocument } from '../../collab/directWrites.ts'
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts'
import type { Projection } from '../../projection/Projection.ts'
import type { ProjectedRecord, RecordKind } from '../../projection/recordKinds.ts'
import { SEARCH_KINDS } from '../../projection/SearchIndex.ts'
import type { IndexWorker } from '../../recordIndex/IndexWorker.ts'
import {
  customFieldConditions,
  type IndexedRecord,
  MAX_PAGE,
  type RecordIndex,
} from '../../recordIndex/RecordIndex.ts'
import { checkCustomFieldInput } from '../../settings/customFieldValues.ts'
import { locateTicket, ticketColumnKeys } from '../../tickets/ticketDocs.ts'
import type { AppEnv } from '../app.ts'
import { readJsonBody } from './auth.ts'
import { listSortOptions } from './listSort.ts'
import { LIST_KINDS, type ListKind, listQuerySchemas } from './recordQueries.ts'

export interface RecordsServices {
  /** Pipelines (workspace settings) are still read from the projection. */
  projection: Projection
  /** The persisted record index every read goes to; `flush()` before reading a write back. */
  index: BoardRowsSource & Pick<IndexWorker, 'index' | 'flush'>
  hocuspocus: Hocuspocus
  /** S2's `sessionMiddleware(auth)`: sets `c.var.session` or throws 401. */
  session: MiddlewareHandler<AppEnv>
  /** The workspace's members (a `user` custom field must name one); unchecked when absent. */
  memberIds?: (session: SessionInfo) => ReadonlySet<string>
  /** The members' display names by user id: lists sort by owner / assignee / a member field by them. */
  memberNames?: (session: SessionInfo) => Readonly<Record<string, string>>
}

export const SearchQuery = z.object({
  q: z.string().max(200).default(''),
  kind: z.enum(SEARCH_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

export const DealMove = z.object({
  stageId: z.string().min(1).max(64),
  index: z.number().int().min(0).optional(),
  /** Why the deal was lost: written with a move into a lost stage (`null` or absent = none given). */
  lostReason: z.string().max(500, 'The lost reason can be at most 500 characters.').nullable().optional(),
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
function recordDoc(session: SessionInfo, kind: ListKind, record?: ProjectedRecord, id?: string): DocRef {
  const workspaceId = session.workspaceId
  switch (kind) {
    // An account lives in its room `W/account/A` (access depends on the kind only: any id stands for a new one).
    case 'accounts':
      return { workspaceId, kind: 'account', accountId: String(record?.id ?? id ?? 'account') }
    // A contact lives in its own document `W/contact/C` (access depends on the kind only).
    case 'contacts':
      return { workspaceId, kind: 'contact', contactId: String(record?.id ?? id ?? 'contact') }
    // A ticket lives in its own document `W/ticket/T` with its messages (access depends on the kind only).
    case 'tickets':
      return { workspaceId, kind: 'ticket', ticketId: String(record?.id ?? id ?? 'ticket') }
    // A deal lives in its own document `W/deal/D` (access depends on the kind only: any id stands for a new one).
    case 'deals':
      return { workspaceId, kind: 'deal', dealId: String(record?.id ?? id ?? 'deal') }
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

/** A create: the document it goes to and the write itself. */
interface RecordWrite {
  ref: DocRef
  create: (doc: import('yjs').Doc, origin: unknown) => { id: string }
}

/**
 * A record of the index by id; an id the index refuses (malformed) is simply not found, as before. Shared with the
 * task and archive routes.
 */
export async function indexedRecord(
  index: RecordIndex,
  workspaceId: string,
  kind: RecordKind,
  id: string,
): Promise<IndexedRecord | null> {
  try {
    return await index.get(workspaceId, kind, id)
  } catch (error) {
    if (error instanceof AppError && error.status === 400) return null
    throw error
  }
}

/** The records of `ids` (any number, asked for in pages of MAX_PAGE). */
export async function indexedRecords(
  index: RecordIndex,
  workspaceId: string,
  kind: RecordKind,
  ids: readonly string[],
): Promise<IndexedRecord[]> {
  const found: IndexedRecord[] = []
  for (let i = 0; i < ids.length; i += MAX_PAGE)
    found.push(...(await index.getMany(workspaceId, kind, ids.slice(i, i + MAX_PAGE))))
  return found
}

/** `GET/POST/PATCH /api/<kind>`, `/api/search`, deal and ticket moves: reads from the index, writes through documents. */
export function recordsRoutes(services: RecordsServices): Hono<AppEnv> {
  const { projection, hocuspocus } = services
  const { index } = services.index
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

  const getRecord = async (session: SessionInfo, kind: ListKind, id: string): Promise<ProjectedRecord> => {
    // Live changes reach the index in coalesced applies (IndexWorker `coalesceMs`): a record read by id first commits
    // what is queued, so a write acknowledged on a document is found by the REST call made right after it.
    await services.index.flush()
    const record = (await indexedRecord(index, session.workspaceId, kind, id))?.record
    if (!record) throw notFound(`${kind} ${id} not found`)
    requireAccess(session, recordDoc(session, kind, record), 'read')
    return record
  }

  /** The document ticket `id` lives in, as the index names it (`W/ticket/T`; `W/support` before the split). */
  const ticketDoc = async (session: SessionInfo, id: string): Promise<DocRef> => {
    const ref = await locateTicket(services.index, session.workspaceId, id)
    if (!ref) throw notFound(`tickets ${id} not found`)
    return ref
  }

  /** The record as the index holds it once the write is committed there (the REST client reads its own write). */
  const projected = async (
    session: SessionInfo,
    kind: ListKind,
    written: { id: string },
  ): Promise<ProjectedRecord> => {
    await services.index.flush()
    return (
      (await indexedRecord(index, session.workspaceId, kind, written.id))?.record ??
      (written as ProjectedRecord)
    )
  }

  /** Names of the accounts of `ids` (for contact rows and board cards). */
  const accountNames = async (workspaceId: string, ids: Iterable<unknown>): Promise<Map<string, string>> => {
    const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))]
    const names = new Map<string, string>()
    for (const { id, record } of await indexedRecords(index, workspaceId, 'accounts', wanted))
      if (typeof record.name === 'string') names.set(id, record.name)
    return names
  }

  // The board's faces from the index (title, amount, owner, account name, stage, key), so a board paints before and
  // without opening deal documents; its live positions are `W/board/P` (see BoardSnapshot in the model).
  app.get('/pipelines/:pipelineId/board', services.session, async (c) => {
    const session = c.get('session')
    const pipelineId = c.req.param('pipelineId')
    const { perColumn } = BoardSnapshotQuery.parse(c.req.query())
    requireAccess(session, { workspaceId: session.workspaceId, kind: 'board', pipelineId }, 'read')
    const ws = projection.workspace(session.workspaceId)
    const pipeline = ws.pipelines.get(pipelineId)
    if (!pipeline) throw notFound(`pipeline ${pipelineId} not found`)
    // A deal is on the board of its `pipelineId` (docs/schema.md §4.1). The rows are those the faces route reads
    // (one read for both when a first visit asks for the two at once: board/boardDealRows.ts).
    const deals: Deal[] = []
    const now = Date.now()
    // The cards the board document shows: closed ones only for `closedDays` after entering their stage.
    for (const deal of (await boardDealRows(
      services.index,
      session.workspaceId,
      pipelineId,
    )) as unknown as Deal[])
      if (boardEntryOf(deal, pipelineId, now, ws.closedDays) !== null) deals.push(deal)
    const names = await accountNames(
      session.workspaceId,
      deals.map((deal) => deal.accountId),
    )
    const snapshot = buildBoardSnapshot(pipeline, deals, (accountId) => names.get(accountId), perColumn)
    return c.json(snapshot)
  })

  app.get('/search', services.session, async (c) => {
    const query = SearchQuery.parse(c.req.query())
    const session = c.get('session')
    const kinds = query.kind ? [query.kind] : undefined
    const items = await index.search(session.workspaceId, query.q, { kinds, limit: query.limit })
    return c.json({ items })
  })

  for (const kind of LIST_KINDS) {
    app.get(`/${kind}`, services.session, async (c) => {
      const session = c.get('session')
      const { q, sort, limit, cursor, offset, archived, ...filters } = listQuerySchemas[kind].parse(
        c.req.query(),
      )
      const customFields = customFieldConditions(c.req.query())
      const start = cursor ? decodeCursor(cursor) : offset
      // Access depends on the kind of the record's document only: a member who may not read it sees an empty list.
      if (accessTo(session, recordDoc(session, kind, undefined, '')) === 'none')
        return c.json({ items: [], total: 0, nextCursor: null })
      const sortOptions = await listSortOptions(hocuspocus, session.workspaceId, kind, sort, () =>
        services.memberNames?.(session),
      )
      const page = await index.list(session.workspaceId, kind, {
        filters,
        customFields,
        q: q ?? null,
        sort: sort ?? null,
        ...sortOptions,
        offset: start,
        limit,
        archived,
      })
      // A contact row names its account (`accountName`), so a contacts list needs no accounts of its own.
      const readsAccounts =
        kind === 'contacts' && accessTo(session, recordDoc(session, 'accounts')) !== 'none'
      const names = readsAccounts
        ? await accountNames(
            session.workspaceId,
            page.items.map((row) => row.accountId),
          )
        : new Map<string, string>()
      const accountName = (row: ProjectedRecord): string | null =>
        typeof row.accountId === 'string' ? (names.get(row.accountId) ?? null) : null
      return c.json({
        items:
          kind === 'contacts'
            ? page.items.map((row) => ({ ...row, accountName: accountName(row) }))
            : page.items,
        total: page.total,
        nextCursor: page.nextOffset === null ? null : encodeCursor(page.nextOffset),
      })
    })
    app.get(`/${kind}/:id`, services.session, async (c) =>
      c.json(await getRecord(c.get('session'), kind, c.req.param('id'))),
    )
  }

  /** `POST /api/<kind>`: `prepare` validates against the projection and returns the document and its write. */
  const createRoute = <I>(
    kind: ListKind,
    schema: z.ZodType<I>,
    prepare: (session: SessionInfo, input: I) => Promise<RecordWrite> | RecordWrite,
  ) =>
    app.post(`/${kind}`, services.session, async (c) => {
      const session = c.get('session')
      const parsed = await readJsonBody(c, schema)
      // Custom-field values are checked against the workspace's definitions (plain-words 400).
      const customFields = await checkCustomFieldInput(
        hocuspocus,
        session.workspaceId,
        kind,
        parsed,
        'create',
        () => services.memberIds?.(session),
      )
      const input = customFields === undefined ? parsed : { ...parsed, customFields }
      const { ref, create } = await prepare(session, input)
      const created = await write(session, ref, create)
      return c.json(await projected(session, kind, created), 201)
    })

  /** `PATCH /api/<kind>/:id` through the kind's model update command. */
  const patchRoute = <P, O = undefined>(
    kind: ListKind,
    schema: z.ZodType<P>,
    update: (doc: import('yjs').Doc, id: string, patch: P, origin: unknown, options?: O) => { id: string },
    optionsFor?: (session: SessionInfo) => Promise<O>,
  ) =>
    app.patch(`/${kind}/:id`, services.session, async (c) => {
      const session = c.get('session')
      const current = await getRecord(session, kind, c.req.param('id'))
      const body = await readJsonBody(c, schema)
      // `customFields` merges into the record's values (`null` clears a field), checked against the definitions.
      const customFields = await checkCustomFieldInput(
        hocuspocus,
        session.workspaceId,
        kind,
        body,
        { current: current.customFields as Record<string, unknown> | undefined },
        () => services.memberIds?.(session),
      )
      const given = (body as { customFields?: Record<string, CustomFieldValue> }).customFields
      const options = optionsFor ? await optionsFor(session) : undefined
      const ref =
        kind === 'tickets'
          ? await ticketDoc(session, current.id)
          : kind === 'accounts'
            ? // The account's room `W/account/A`, or `W/accounts` until it is split: where the index found it.
              ((await locateAccount(services.index, session.workspaceId, current.id)) ??
              recordDoc(session, kind, current))
            : recordDoc(session, kind, current)
      const updated = await write(session, ref, (doc, origin) => {
        // The model command merges per field (`null` clears) and writes only the fields given, one entry each:
        // a custom field another client set meanwhile, or sets at the same time, is kept.
        const patch =
          customFields === undefined || given === undefined ? body : { ...body, customFields: given }
        return update(doc, current.id, patch as P, origin, options)
      })
      return c.json(await projected(session, kind, updated))
    })

  createRoute('accounts', AccountCreate, (session, input) => {
    const id = input.id ?? newAccountId()
    return {
      ref: recordDoc(session, 'accounts', undefined, id),
      create: (doc, origin) => createAccount(doc, { ...input, id }, origin),
    }
  })
  createRoute('contacts', ContactCreate, (session, input) => {
    const id = input.id ?? newContactId()
    return {
      ref: recordDoc(session, 'contacts', undefined, id),
      create: (doc, origin) => createContact(doc, { ...input, id }, origin),
    }
  })
  createRoute('deals', DealCreate, async (session, input) => {
    const pipeline = projection.workspace(session.workspaceId).pipelines.get(input.pipelineId)
    if (!pipeline) throw badRequest(`unknown pipeline ${input.pipelineId}`, 'invalid_input')
    if (!pipeline.stages.some((s) => s.id === input.stageId))
      throw badRequest(`unknown stage ${input.stageId}`, 'invalid_input')
    const id = input.id ?? newDealId()
    // The new card goes after the column's last card (the deal's own document knows no other card).
    const keys = await columnKeys(session, 'deals', input.stageId, id)
    const key = keyForIndex(keys, keys.length)
    return {
      ref: recordDoc(session, 'deals', undefined, id),
      create: (doc, origin) => {
        const position = { column: input.stageId, key }
        let created: Deal | undefined
        doc.transact(() => {
          created = createDeal(doc, { ...input, id }, origin, { stages: pipeline.stages })
          ;(collectionMap(doc, DEALS).get(id) as unknown as import('yjs').Map<unknown> | undefined)?.set(
            'position',
            position,
          )
        }, origin)
        return { ...(created as Deal), position }
      },
    }
  })
  createRoute('tickets', TicketCreate, async (session, input) => {
    const id = input.id ?? newTicketId()
    const status = input.status ?? 'new'
    // The new card goes after the column's last card (the ticket's own document knows no other card).
    const keys = await ticketColumnKeys(services.index, session.workspaceId, status, id)
    const key = keyForIndex(keys, keys.length)
    const sla = await workspaceSla(services.hocuspocus, session.workspaceId)
    return {
      ref: recordDoc(session, 'tickets', undefined, id),
      create: (doc, origin) => {
        const position = { column: status, key }
        let created: Ticket | undefined
        doc.transact(() => {
          created = createTicket(doc, { ...input, id }, origin, { sla })
          ;(collectionMap(doc, TICKETS).get(id) as unknown as import('yjs').Map<unknown> | undefined)?.set(
            'position',
            position,
          )
        }, origin)
        return { ...(created as Ticket), position }
      },
    }
  })

  patchRoute('accounts', AccountPatch, updateAccount)
  patchRoute('contacts', ContactPatch, updateContact)
  patchRoute('deals', DealPatch, updateDeal)
  // A priority change recomputes the SLA due time from the workspace's policy.
  patchRoute('tickets', TicketPatch, updateTicket, async (session) => ({
    sla: await workspaceSla(services.hocuspocus, session.workspaceId),
  }))

  /** Keys of the other cards of `column`, in board order (by key, then id). */
  const columnKeys = async (
    session: SessionInfo,
    kind: 'deals' | 'tickets',
    column: string,
    exceptId: string,
  ): Promise<string[]> => {
    // What the index holds of edits made just before (on any connection) counts too.
    await services.index.flush()
    // `stage` (deals) and `status` (tickets, which have no status field) read `position.column`.
    const filters = kind === 'deals' ? { stage: column } : { status: column }
    const rows: ProjectedRecord[] = []
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await index.list(session.workspaceId, kind, {
        filters,
        offset,
        limit: MAX_PAGE,
        archived: 'false',
      })
      rows.push(...page.items)
      offset = page.nextOffset
    }
    return rows
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
  }

  app.post('/deals/:id/move', services.session, async (c) => {
    const session = c.get('session')
    const current = await getRecord(session, 'deals', c.req.param('id'))
    const body = await readJsonBody(c, DealMove)
    const ws = projection.workspace(session.workspaceId)
    const pipeline = ws.pipelines.get(String(current.pipelineId))
    if (pipeline && !pipeline.stages.some((s) => s.id === body.stageId)) {
      throw badRequest(`unknown stage ${body.stageId}`, 'invalid_input')
    }
    const keys = await columnKeys(session, 'deals', body.stageId, current.id)
    const key = keyForIndex(keys, body.index ?? keys.length)
    const moved = await write(session, recordDoc(session, 'deals', current), (doc, origin) =>
      moveDeal(
        doc,
        current.id,
        { column: body.stageId, key },
        origin,
        pipeline ? { stages: pipeline.stages, lostReason: body.lostReason?.trim() || null } : {},
      ),
    )
    return c.json(await projected(session, 'deals', moved))
  })
  app.post('/tickets/:id/move', services.session, async (c) => {
    const session = c.get('session')
    const current = await getRecord(session, 'tickets', c.req.param('id'))
    const body = await readJsonBody(c, TicketMove)
    const keys = await columnKeys(session, 'tickets', body.status, current.id)
    const key = keyForIndex(keys, body.index ?? keys.length)
    const moved = await write(session, await ticketDoc(session, current.id), (doc, origin) =>
      moveTicket(doc, current.id, { column: body.status, key }, origin),
    )
    return c.json(await projected(session, 'tickets', moved))
  })

  return app
}
