import type { Hocuspocus } from '@hocuspocus/server'
import { accessTo } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { forbidden } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { listQuerySchemas } from '../http/routes/recordQueries.ts'
import type { MemberView } from '../meta/members.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { readWorkspaceSettings } from '../settings/SettingsService.ts'
import { TaskListQuery } from '../tasks/taskQueries.ts'
import type { ContactData } from './contactData.ts'
import { csvLayout, EXPORT_KINDS } from './csvRows.ts'
import { csvChunks, exportQuery, kindRef, listRecords, streamOf } from './listExport.ts'
import { workspaceZip } from './workspaceExport.ts'

export interface ExportRoutesDeps {
  worker: Pick<IndexWorker, 'index' | 'flush'>
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
  contacts: ContactData
  members: (session: SessionInfo) => MemberView[]
  /** Waits for the audit's pending timeline entries (an export shows what was done up to the request). */
  auditFlush: () => Promise<void>
}

export const exportRouteDocs: Record<string, RouteDoc> = {
  ...Object.fromEntries(
    EXPORT_KINDS.map((kind) => [
      `GET /api/${kind}/export.csv`,
      {
        summary: `Every ${kind.slice(0, -1)} of the filtered, sorted list as CSV (the list route's query; paging ignored)`,
        query: kind === 'tasks' ? TaskListQuery : listQuerySchemas[kind],
      },
    ]),
  ),
  'GET /api/export': {
    summary:
      'The whole workspace as a zip: workspace.json, timeline.json, notes/<accountId>.txt, one CSV per kind (admin)',
  },
  'GET /api/contacts/{id}/export': {
    summary:
      'Everything Rapport holds about a contact (record, deals, tickets with messages, tasks, timeline) as JSON',
  },
  'POST /api/contacts/{id}/erase': {
    summary:
      'Erase a contact for good: record deleted, links cleared, timeline entries without personal data (admin)',
  },
}

const today = (): string => new Date().toISOString().slice(0, 10)

/**
 * `GET /api/<kind>/export.csv`, `GET /api/export` (admin), `GET /api/contacts/:id/export`,
 * `POST /api/contacts/:id/erase` (admin). Mounted before the record routes (`/contacts/:id` would take export.csv).
 */
export function exportRoutes(deps: ExportRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { worker, hocuspocus } = deps
  const index = worker.index

  for (const kind of EXPORT_KINDS) {
    app.get(`/${kind}/export.csv`, deps.session, async (c) => {
      const s = c.get('session')
      const query = c.req.query()
      const { list, keep } = await exportQuery(
        { index, hocuspocus, memberNames: (session) => memberNames(deps.members(session)) },
        s,
        kind,
        query,
      )
      if (accessTo(s, kindRef(s, kind)) === 'none')
        throw forbidden(`Your role (${s.role}) may not see ${kind}`)
      await worker.flush()
      const settings = await readWorkspaceSettings(hocuspocus, s.workspaceId)
      const layout = csvLayout(kind, settings.customFields)
      const body = streamOf(
        csvChunks(index, s, kind, layout, listRecords(index, s.workspaceId, kind, list, keep)),
      )
      return new Response(body, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${kind}-${today()}.csv"`,
          'cache-control': 'no-store',
        },
      })
    })
  }

  app.get('/export', deps.session, async (c) => {
    const s = c.get('session')
    if (s.role !== 'admin') throw forbidden('Only an admin can export the whole workspace', 'admin_only')
    await deps.auditFlush()
    await worker.flush()
    const body = streamOf(workspaceZip({ index, hocuspocus, members: deps.members }, s))
    return new Response(body, {
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="rapport-${s.workspaceId}-${today()}.zip"`,
        'cache-control': 'no-store',
      },
    })
  })

  app.get('/contacts/:id/export', deps.session, async (c) => {
    const s = c.get('session')
    const data = await deps.contacts.export(s, c.req.param('id'))
    c.header('content-disposition', `attachment; filename="contact-${c.req.param('id')}.json"`)
    return c.json(data)
  })

  app.post('/contacts/:id/erase', deps.session, async (c) =>
    c.json(await deps.contacts.erase(c.get('session'), c.req.param('id'))),
  )

  return app
}

const memberNames = (members: MemberView[]): Record<string, string> =>
  Object.fromEntries(members.map((m) => [m.userId, m.name]))
