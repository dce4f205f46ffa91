import { type Task, taskDueAt } from '@rapport/model'
import { z } from 'zod'
import type { WorkspaceProjection } from '../projection/Projection.ts'

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id')

/** Query of `GET /api/tasks` (docs/schema.md §5.2). */
export const TaskListQuery = z.object({
  /** `me`, a user id, or `none` (unassigned). */
  assignee: z.union([z.literal('me'), z.literal('none'), id]).optional(),
  accountId: id.optional(),
  dealId: id.optional(),
  contactId: id.optional(),
  ticketId: id.optional(),
  status: z.enum(['open', 'done', 'all']).default('all'),
  /** Only tasks due before this instant (ms); tasks without a due time are left out. */
  dueBefore: z.coerce.number().int().nonnegative().optional(),
  /** Done tasks only when changed at or after this instant (ms): "done recently". Open tasks always pass. */
  doneSince: z.coerce.number().int().nonnegative().optional(),
  archived: z.enum(['false', 'true', 'all']).default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
})
export type TaskListQuery = z.infer<typeof TaskListQuery>

/** A task as REST returns it: the record, its account and that account's name. */
export type TaskItem = Task & { accountId: string; accountName: string | null }

/** Tasks of a workspace matching `query`, by due time (none last), then creation, then id. */
export function queryTasks(
  ws: WorkspaceProjection,
  query: TaskListQuery,
  me: string,
): { items: TaskItem[]; total: number } {
  const assigneeId =
    query.assignee === 'me' ? me : query.assignee === 'none' ? null : (query.assignee ?? undefined)
  const page = ws.views.tasks.query({
    filters: {
      assigneeId,
      accountId: query.accountId,
      dealId: query.dealId,
      contactId: query.contactId,
      ticketId: query.ticketId,
      done: query.status === 'all' ? undefined : query.status === 'done',
    },
    matchIds: null,
    sort: null,
    offset: 0,
    limit: Number.MAX_SAFE_INTEGER,
    archived: query.archived,
  })
  const rows = (page.items as unknown as Array<Task & { accountId: string }>).filter((task) => {
    // The tasks of an archived account are out of sight with it (back when it is restored).
    if (query.archived === 'false' && ws.records.accounts.get(task.accountId)?.archived === true) return false
    const due = taskDueAt(task)
    if (query.dueBefore !== undefined && (due === null || due >= query.dueBefore)) return false
    if (query.doneSince !== undefined && task.done && task.updatedAt < query.doneSince) return false
    return true
  })
  rows.sort(
    (a, b) =>
      (taskDueAt(a) ?? Number.MAX_SAFE_INTEGER) - (taskDueAt(b) ?? Number.MAX_SAFE_INTEGER) ||
      a.createdAt - b.createdAt ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  const items = rows.slice(0, query.limit).map((task) => {
    const name = ws.records.accounts.get(task.accountId)?.name
    return { ...task, accountName: typeof name === 'string' ? name : null }
  })
  return { items, total: rows.length }
}
