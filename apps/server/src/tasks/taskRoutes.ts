import type { Hocuspocus } from '@hocuspocus/server'
import { createTask, type DocRef, TaskCreate, TaskPatch, updateTask } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { badRequest, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import type { Projection } from '../projection/Projection.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import { requireAccess, restWrite } from './restWrites.ts'
import { queryTasks, TaskListQuery } from './taskQueries.ts'

export interface TaskRoutesDeps {
  projection: Projection
  hocuspocus: Hocuspocus
  session: MiddlewareHandler<AppEnv>
}

/** `POST /api/tasks`: a task of an account, or of a ticket (it goes to the ticket's account). */
export const TaskCreateBody = TaskCreate.extend({ accountId: z.string().max(64).optional() })

const roomOf = (session: SessionInfo, accountId: string): DocRef => ({
  workspaceId: session.workspaceId,
  kind: 'account',
  accountId,
})

/** `GET/POST /api/tasks`, `GET/PATCH /api/tasks/:id`: reads from the projection, writes through the account room. */
export function taskRoutes({ projection, hocuspocus, session }: TaskRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  const getTask = (s: SessionInfo, id: string): ProjectedRecord & { accountId: string } => {
    const task = projection.workspace(s.workspaceId).records.tasks.get(id)
    if (!task || typeof task.accountId !== 'string') throw notFound(`There is no task ${id}`)
    requireAccess(s, roomOf(s, task.accountId), 'read')
    return task as ProjectedRecord & { accountId: string }
  }
  const projected = (s: SessionInfo, id: string) => projection.workspace(s.workspaceId).records.tasks.get(id)

  app.get('/tasks', session, (c) => {
    const s = c.get('session')
    const query = TaskListQuery.parse(c.req.query())
    return c.json(queryTasks(projection.workspace(s.workspaceId), query, s.userId))
  })

  app.get('/tasks/:id', session, (c) => c.json(getTask(c.get('session'), c.req.param('id'))))

  app.post('/tasks', session, async (c) => {
    const s = c.get('session')
    const { accountId: given, ...input } = await readJsonBody(c, TaskCreateBody)
    const ws = projection.workspace(s.workspaceId)
    let accountId = given
    if (!accountId && input.ticketId) {
      const ticket = ws.records.tickets.get(input.ticketId)
      if (!ticket) throw badRequest(`There is no ticket ${input.ticketId}`, 'invalid_input')
      if (typeof ticket.accountId !== 'string')
        throw badRequest('Link the ticket to an account before adding tasks to it', 'invalid_input')
      accountId = ticket.accountId
    }
    if (!accountId) throw badRequest('Say which account (or ticket) the task is for', 'invalid_input')
    if (!ws.records.accounts.has(accountId))
      throw badRequest(`There is no account ${accountId}`, 'invalid_input')
    const created = await restWrite(hocuspocus, s, roomOf(s, accountId), (doc, origin) =>
      createTask(doc, input, origin),
    )
    return c.json(projected(s, created.id) ?? { ...created, accountId }, 201)
  })

  app.patch('/tasks/:id', session, async (c) => {
    const s = c.get('session')
    const task = getTask(s, c.req.param('id'))
    const patch = await readJsonBody(c, TaskPatch)
    const updated = await restWrite(hocuspocus, s, roomOf(s, task.accountId), (doc, origin) =>
      updateTask(doc, task.id, patch, origin),
    )
    return c.json(projected(s, updated.id) ?? updated)
  })

  return app
}

/** OpenAPI entries of the task routes (merged in `http/openapi.ts`). */
export const taskRouteDocs: Record<string, RouteDoc> = {
  'GET /api/tasks': {
    summary:
      'Tasks across the workspace by due time: `assignee=me` for My tasks, by account/deal/contact/ticket, open or done',
    query: TaskListQuery,
  },
  'GET /api/tasks/{id}': { summary: 'One task (with its accountId)' },
  'POST /api/tasks': {
    summary: "Create a task in an account's room (or a ticket's account when only ticketId is given)",
    body: TaskCreateBody,
  },
  'PATCH /api/tasks/{id}': {
    summary: 'Update a task (title, done, assignee, due time, links)',
    body: TaskPatch,
  },
}
