import type { Hocuspocus } from '@hocuspocus/server'
import {
  ACCOUNTS,
  archiveRecord,
  CONTACTS,
  collectionMap,
  DEALS,
  type DocRef,
  docName,
  parseDocName,
  type RecordCollection,
  restoreRecord,
  TASKS,
  TICKETS,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { indexedRecord } from '../http/routes/records.ts'
import type { Logger } from '../log/logger.ts'
import type { RecordKind } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { requireAccess, restWrite } from '../tasks/restWrites.ts'

/** The kinds with archive, restore and delete routes, and their model collections. */
export const ARCHIVE_KINDS = ['accounts', 'contacts', 'deals', 'tickets', 'tasks'] as const
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number]

// biome-ignore lint/suspicious/noExplicitAny: one table of differently typed collections
const COLLECTIONS: Record<ArchiveKind, RecordCollection<any>> = {
  accounts: ACCOUNTS,
  contacts: CONTACTS,
  deals: DEALS,
  tickets: TICKETS,
  tasks: TASKS,
}

export interface ArchiveRoutesDeps {
  /** The persisted record index (where a record lives, reads after a write: `flush()` first). */
  index: Pick<IndexWorker, 'index' | 'flush'>
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
  logger: Logger
  /** Removes a per-record document its deleted record left empty (archive/deletedDocuments.ts). */
  removeRecordDocument?: (name: string) => Promise<boolean>
}

/**
 * `POST /api/<kind>/:id/archive` and `/restore` (write access to the record's document) and
 * `DELETE /api/<kind>/:id` (admins only). The record's document is where the index found it, so a deal is
 * archived in the pipeline document that holds it whatever its `pipelineId` says. A delete removes the record's key
 * from its document (its content is garbage-collected by Yjs) and the projection drops it; the audit extension writes
 * a "deleted" timeline entry in the record's account room naming the admin, and the server log records it too. A
 * contact's, deal's or ticket's own document that holds nothing else is then removed from the store for good.
 */
export function archiveRoutes({
  index: worker,
  hocuspocus,
  session,
  logger,
  removeRecordDocument,
}: ArchiveRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  const { index } = worker
  const locate = async (s: SessionInfo, kind: ArchiveKind, id: string): Promise<DocRef> => {
    await worker.flush()
    const source = (await indexedRecord(index, s.workspaceId, kind as RecordKind, id))?.doc
    const ref = source ? parseDocName(source) : null
    if (!ref || ref.workspaceId !== s.workspaceId) throw notFound(`There is no ${kind.slice(0, -1)} ${id}`)
    requireAccess(s, ref, 'read')
    return ref
  }
  /** The record as the index holds it once the write is committed there. */
  const projected = async (s: SessionInfo, kind: ArchiveKind, id: string) => {
    await worker.flush()
    return (await indexedRecord(index, s.workspaceId, kind as RecordKind, id))?.record
  }

  for (const kind of ARCHIVE_KINDS) {
    const collection = COLLECTIONS[kind]
    for (const [action, command] of [
      ['archive', archiveRecord],
      ['restore', restoreRecord],
    ] as const) {
      app.post(`/${kind}/:id/${action}`, session, async (c) => {
        const s = c.get('session')
        const id = c.req.param('id')
        const ref = await locate(s, kind, id)
        const record = await restWrite(hocuspocus, s, ref, (doc, origin) =>
          command(doc, collection, id, origin),
        )
        return c.json((await projected(s, kind, id)) ?? record)
      })
    }
    app.delete(`/${kind}/:id`, session, async (c) => {
      const s = c.get('session')
      const id = c.req.param('id')
      const ref = await locate(s, kind, id)
      if (s.role !== 'admin')
        throw forbidden('Only an admin can delete for good; archive it instead', 'admin_only')
      await restWrite(hocuspocus, s, ref, (doc, origin) => {
        const map = collectionMap(doc, collection)
        doc.transact(() => map.delete(id), origin)
      })
      if (kind === 'accounts') {
        // The account's tasks are its data too (they would stay on My tasks without an account); the room's notes
        // and timeline stay as the record of what happened.
        const room: DocRef = { workspaceId: s.workspaceId, kind: 'account', accountId: id }
        await restWrite(hocuspocus, s, room, (doc, origin) => {
          const tasks = collectionMap(doc, TASKS)
          doc.transact(() => {
            for (const taskId of [...tasks.keys()]) tasks.delete(taskId)
          }, origin)
        })
      }
      logger.info('record deleted', { workspaceId: s.workspaceId, kind, id, by: s.userId })
      // Lists read after the answer no longer show it.
      await worker.flush()
      // A contact's, deal's or ticket's own document holding nothing else goes with it (not left empty forever).
      await removeRecordDocument?.(docName(ref))
      return c.body(null, 204)
    })
  }
  return app
}

/** OpenAPI entries of the archive routes (merged in `http/openapi.ts`). */
export const archiveRouteDocs: Record<string, RouteDoc> = Object.fromEntries(
  ARCHIVE_KINDS.flatMap((kind) => [
    [`POST /api/${kind}/{id}/archive`, { summary: `Archive a ${kind.slice(0, -1)} (it moves to the Trash)` }],
    [`POST /api/${kind}/{id}/restore`, { summary: `Restore an archived ${kind.slice(0, -1)}` }],
    [`DELETE /api/${kind}/{id}`, { summary: `Delete a ${kind.slice(0, -1)} for good (admins; audited)` }],
  ]),
)
