import type { Hocuspocus } from '@hocuspocus/server'
import { docName } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import type * as Y from 'yjs'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { forbidden } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'

/** The root map of `W/workspace` that holds the dashboard layouts: `default` and `user:<userId>`. */
export const DASHBOARDS_MAP = 'dashboards'
export const MAX_DASHBOARD_WIDGETS = 30

/** One widget of a dashboard: a report (`GET /api/reports` id) shown small (one grid cell) or wide (two). */
export const DashboardWidget = z.object({
  reportId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a report id (letters, digits, ".", "_" or "-")'),
  size: z.enum(['small', 'wide']),
})
export type DashboardWidget = z.infer<typeof DashboardWidget>

/** `PUT /api/dashboard` and `PUT /api/dashboard/default`: the widgets in order, each report at most once. */
export const DashboardLayoutBody = z.object({
  widgets: z
    .array(DashboardWidget)
    .max(MAX_DASHBOARD_WIDGETS, `A dashboard holds at most ${MAX_DASHBOARD_WIDGETS} widgets.`)
    .refine(
      (widgets) => new Set(widgets.map((w) => w.reportId)).size === widgets.length,
      'A report can be on a dashboard only once.',
    ),
})
export type DashboardLayoutBody = z.infer<typeof DashboardLayoutBody>

/** What a stored layout is (the value under its key, a plain object). */
const StoredLayout = DashboardLayoutBody.extend({ updatedAt: z.number(), updatedBy: z.string() })

/** `source`: whose layout this is — the caller's own, the workspace default, or none saved yet (`widgets` empty). */
export type DashboardAnswer = { widgets: DashboardWidget[]; source: 'user' | 'default' | 'none' }

const userKey = (userId: string): string => `user:${userId}`
const DEFAULT_KEY = 'default'

function readLayout(doc: Y.Doc, key: string): DashboardWidget[] | null {
  const parsed = StoredLayout.safeParse(doc.getMap<unknown>(DASHBOARDS_MAP).get(key))
  return parsed.success ? parsed.data.widgets : null
}

/**
 * Dashboard layouts, stored in the workspace document `W/workspace` (root map `dashboards`, beside the settings) and
 * written through the server like every settings change. A malformed stored value reads as absent.
 */
export class DashboardStore {
  constructor(
    private readonly hocuspocus: Hocuspocus,
    private readonly now: () => number = Date.now,
  ) {}

  private async read<T>(workspaceId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const name = docName({ workspaceId, kind: 'workspace' })
    const connection = await this.hocuspocus.openDirectConnection(name, { system: true })
    try {
      if (!connection.document) throw new Error(`workspace document ${name} did not load`)
      return fn(connection.document)
    } finally {
      await connection.disconnect()
    }
  }

  private write(session: SessionInfo, key: string, widgets: DashboardWidget[] | null): Promise<void> {
    return writeDocument(
      this.hocuspocus,
      docName({ workspaceId: session.workspaceId, kind: 'workspace' }),
      'rest',
      { userId: session.userId, name: session.name },
      (doc, origin) =>
        doc.transact(() => {
          const map = doc.getMap<unknown>(DASHBOARDS_MAP)
          if (widgets === null) map.delete(key)
          else map.set(key, { widgets, updatedAt: this.now(), updatedBy: session.userId })
        }, origin),
    )
  }

  /** The caller's layout, else the workspace default, else none. */
  mine(session: SessionInfo): Promise<DashboardAnswer> {
    return this.read(session.workspaceId, (doc) => {
      const own = readLayout(doc, userKey(session.userId))
      if (own) return { widgets: own, source: 'user' }
      const fallback = readLayout(doc, DEFAULT_KEY)
      return fallback ? { widgets: fallback, source: 'default' } : { widgets: [], source: 'none' }
    })
  }

  workspaceDefault(session: SessionInfo): Promise<DashboardAnswer> {
    return this.read(session.workspaceId, (doc) => {
      const fallback = readLayout(doc, DEFAULT_KEY)
      return fallback ? { widgets: fallback, source: 'default' } : { widgets: [], source: 'none' }
    })
  }

  async saveMine(session: SessionInfo, widgets: DashboardWidget[]): Promise<DashboardAnswer> {
    await this.write(session, userKey(session.userId), widgets)
    return { widgets, source: 'user' }
  }

  async resetMine(session: SessionInfo): Promise<DashboardAnswer> {
    await this.write(session, userKey(session.userId), null)
    return this.mine(session)
  }

  async saveDefault(session: SessionInfo, widgets: DashboardWidget[]): Promise<DashboardAnswer> {
    if (session.role !== 'admin') throw forbidden('Only an admin can set the workspace dashboard.')
    await this.write(session, DEFAULT_KEY, widgets)
    return { widgets, source: 'default' }
  }
}

/**
 * `/api/dashboard`: the caller's dashboard layout (every member, their own), falling back to the workspace default;
 * `/api/dashboard/default`: the workspace default (every member reads, admins set). See docs/schema.md §5.8.
 */
export function dashboardRoutes(deps: {
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
  now?: () => number
}): Hono<AppEnv> {
  const store = new DashboardStore(deps.hocuspocus, deps.now)
  const { session } = deps
  const app = new Hono<AppEnv>()
  // Checked before the body is read, so a non-admin learns "not allowed" rather than what the body lacks.
  const admin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.get('session').role !== 'admin') throw forbidden('Only an admin can set the workspace dashboard.')
    await next()
  }
  app.get('/dashboard', session, async (c) => c.json(await store.mine(c.get('session'))))
  app.put('/dashboard', session, async (c) => {
    const body = await readJsonBody(c, DashboardLayoutBody)
    return c.json(await store.saveMine(c.get('session'), body.widgets))
  })
  app.delete('/dashboard', session, async (c) => c.json(await store.resetMine(c.get('session'))))
  app.get('/dashboard/default', session, async (c) => c.json(await store.workspaceDefault(c.get('session'))))
  app.put('/dashboard/default', session, admin, async (c) => {
    const body = await readJsonBody(c, DashboardLayoutBody)
    return c.json(await store.saveDefault(c.get('session'), body.widgets))
  })
  return app
}

/** OpenAPI entries of the dashboard routes. */
export const dashboardRouteDocs: Record<string, RouteDoc> = {
  'GET /api/dashboard': {
    summary: "The caller's dashboard layout, else the workspace default (`source`: user, default or none)",
  },
  'PUT /api/dashboard': {
    summary: "Save the caller's dashboard layout (≤ 30 widgets, each report once)",
    body: DashboardLayoutBody,
  },
  'DELETE /api/dashboard': {
    summary: "Forget the caller's layout (back to the workspace default); answers the layout now shown",
  },
  'GET /api/dashboard/default': { summary: 'The workspace default dashboard layout' },
  'PUT /api/dashboard/default': {
    summary: 'Set the workspace default dashboard layout (admin)',
    body: DashboardLayoutBody,
  },
}
