import type { Hocuspocus } from '@hocuspocus/server'
import { createTask, type DocRef, TaskCreate, TaskPatch, updateTask } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { badRequest, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import { indexedRecord } from '../http/routes/records.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { requireAccess, restWrite } from './restWrites.ts'
import { TaskListQuery } from './taskQueries.ts'

export interface TaskRoutesDeps {
  /** The persisted record index every read goes to; `flush()` before reading a write back. */
  index: Pick<IndexWorker, 'index' | 'flush'>
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

/** `GET/POST /api/tasks`, `GET/PATCH /api/tasks/:id`: reads from the index, writes through the account room. */
export function taskRoutes({ index: worker, hocuspocus, session }: TaskRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { index } = worker
  const record = async (s: SessionInfo, kind: 'tasks' | 'tickets' | 'accounts', id: string) => {
    await worker.flush()
    return (await indexedRecord(index, s.workspaceId, kind, id))?.record ?? null
  }

  const getTask = async (s: SessionInfo, id: string): Promise<ProjectedRecord & { accountId: string }> => {
    const task = await record(s, 'tasks', id)
    if (!task || typeof task.accountId !== 'string') throw notFound(`There is no task ${id}`)
    requireAccess(s, roomOf(s, task.accountId), 'read')
    return task as ProjectedRecord & { accountId: string }
  }
  /** The task as the index holds it once the write is committed there. */
  const projected = async (s: SessionInfo, id: string) => {
    await worker.flush()
    return record(s, 'tasks', id)
  }

  app.get('/tasks', session, async (c) => {
    const s = c.get('session')
    const query = TaskListQuery.parse(c.req.query())
    return c.json(await index.tasks(s.workspaceId, query, s.userId))
  })

  app.get('/tasks/:id', session, async (c) => c.json(await getTask(c.get('session'), c.req.param('id'))))

  app.post('/tasks', session, async (c) => {
    const s = c.get('session')
    const { accountId: given, ...input } = await readJsonBody(c, TaskCreateBody)
    let accountId = given
    if (!accountId && input.ticketId) {
      const ticket = await record(s, 'tickets', input.ticketId)
      if (!ticket) throw badRequest(`There is no ticket ${input.ticketId}`, 'invalid_input')
      if (typeof ticket.accountId !== 'string')
        throw badRequest('Link the ticket to an account before adding tasks to it', 'invalid_input')
      accountId = ticket.accountId
    }
    if (!accountId) throw badRequest('Say which account (or ticket) the task is for', 'invalid_input')
    if (!(await record(s, 'accounts', accountId)))
      throw badRequest(`There is no account ${accountId}`, 'invalid_input')
    const created = await restWrite(hocuspocus, s, roomOf(s, accountId), (doc, origin) =>
      createTask(doc, input, origin),
    )
    return c.json((await projected(s, created.id)) ?? { ...created, accountId }, 201)
  })

  app.patch('/tasks/:id', session, async (c) => {
    const s = c.get('session')
    const task = await getTask(s, c.req.param('id'))
    const patch = await readJsonBody(c, TaskPatch)
    const updated = await restWrite(hocuspocus, s, roomOf(s, task.accountId), (doc, origin) =>
      updateTask(doc, task.id, patch, origin),
    )
    return c.json((await projected(s, updated.id)) ?? updated)
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
