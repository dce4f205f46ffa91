import { accessTo } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import { indexedRecord } from '../http/routes/records.ts'
import type { DuplicateKind } from '../recordIndex/duplicateKeys.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import type { DuplicateService } from './DuplicateService.ts'
import { MergeBody, type MergeService } from './MergeService.ts'

const kind = z.enum(['accounts', 'contacts'])
const id = z.string().min(1).max(64)
const text = (max: number) => z.string().max(max).optional()

export const DuplicateCheckBody = z.object({
  kind,
  /** The fields of the record about to be created (or edited: give its `id` and it is left out of the matches). */
  record: z
    .object({
      id: id.optional(),
      name: text(200),
      domain: text(253),
      website: text(500),
      phone: text(50),
      firstName: text(100),
      lastName: text(100),
      email: text(320),
    })
    .passthrough(),
})
export const DuplicatesQuery = z.object({
  kind,
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})
export const DismissBody = z
  .object({ kind, a: id, b: id })
  .refine((d) => d.a !== d.b, { message: 'a and b must be two different records' })

export const duplicateRouteDocs: Record<string, RouteDoc> = {
  'POST /api/duplicates/check': {
    summary: 'Existing accounts or contacts that look like the one about to be created, with their evidence',
    body: DuplicateCheckBody,
  },
  'GET /api/duplicates': {
    summary: 'Likely duplicate pairs of accounts or contacts, best first, without dismissed pairs',
    query: DuplicatesQuery,
  },
  'POST /api/duplicates/dismiss': {
    summary: 'Remember that two records are not duplicates',
    body: DismissBody,
  },
  'GET /api/merges/{id}': {
    summary: 'Where a merged (archived) account or contact went: its merge, or 404 when it was not merged',
  },
  'POST /api/merges': {
    summary: 'Merge two accounts or two contacts, choosing each field; links, tasks, notes and timeline move',
    body: MergeBody,
  },
}

export interface DuplicateRoutesDeps {
  duplicates: DuplicateService
  merges: MergeService
  index: Pick<IndexWorker, 'index' | 'flush'>
  session: MiddlewareHandler<AppEnv>
}

/** A member who may not read the kind's documents gets 403 (the duplicates of a kind they cannot see). */
function requireKind(session: SessionInfo, k: DuplicateKind, need: 'read' | 'write'): void {
  const ref =
    k === 'accounts'
      ? ({ workspaceId: session.workspaceId, kind: 'account', accountId: 'account' } as const)
      : ({ workspaceId: session.workspaceId, kind: 'contact', contactId: 'contact' } as const)
  const access = accessTo(session, ref)
  if (access === 'none' || (need === 'write' && access !== 'write'))
    throw forbidden(`Your role (${session.role}) may not ${need === 'write' ? 'change' : 'see'} ${k}`)
}

/** `POST /api/duplicates/check`, `GET /api/duplicates`, `POST /api/duplicates/dismiss`, `POST /api/merges`. */
export function duplicateRoutes({ duplicates, merges, index, session }: DuplicateRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/duplicates/check', session, async (c) => {
    const s = c.get('session')
    const body = await readJsonBody(c, DuplicateCheckBody)
    requireKind(s, body.kind, 'read')
    const matches = await duplicates.check(s.workspaceId, body.kind, body.record, body.record.id)
    return c.json({ matches })
  })

  app.get('/duplicates', session, async (c) => {
    const s = c.get('session')
    const query = DuplicatesQuery.parse(c.req.query())
    requireKind(s, query.kind, 'read')
    return c.json(await duplicates.pairs(s.workspaceId, query.kind, query.offset, query.limit))
  })

  app.post('/duplicates/dismiss', session, async (c) => {
    const s = c.get('session')
    const body = await readJsonBody(c, DismissBody)
    requireKind(s, body.kind, 'write')
    await index.flush()
    for (const recordId of [body.a, body.b]) {
      if (!(await indexedRecord(index.index, s.workspaceId, body.kind, recordId)))
        throw notFound(`There is no ${body.kind.slice(0, -1)} ${recordId}`)
    }
    await duplicates.log.dismiss(s.workspaceId, body.kind, body.a, body.b)
    return c.json({ dismissed: { kind: body.kind, a: body.a, b: body.b } })
  })

  app.post('/merges', session, async (c) => {
    const s = c.get('session')
    const body = await readJsonBody(c, MergeBody)
    requireKind(s, body.kind, 'write')
    return c.json({ survivor: await merges.merge(s, body) })
  })

  app.get('/merges/:id', session, async (c) => {
    const s = c.get('session')
    const merge = duplicates.log.mergedInto(s.workspaceId, c.req.param('id'))
    if (!merge) throw notFound(`${c.req.param('id')} was not merged into another record`)
    requireKind(s, merge.kind, 'read')
    return c.json({ merge: { ...merge, mergedInto: merge.survivorId } })
  })

  return app
}
