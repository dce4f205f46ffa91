import { Task } from '@rapport/model'
import { z } from 'zod'
import { request } from '../auth/authApi.ts'

/** A task as `GET /api/tasks` answers: the record, its account and the account's name. */
export const TaskItem = Task.extend({ accountId: z.string(), accountName: z.string().nullable() })
export type TaskItem = z.infer<typeof TaskItem>

const TaskPage = z.object({ items: z.array(TaskItem), total: z.number() })

/** How far back "done recently" goes. */
export const DONE_RECENTLY_MS = 7 * 24 * 60 * 60_000

/** The signed-in user's open tasks and those done in the last week, from the server's projection. */
export function fetchMyTasks(now: number): Promise<{ items: TaskItem[]; total: number }> {
  return request(`/api/tasks?assignee=me&doneSince=${now - DONE_RECENTLY_MS}&limit=500`, TaskPage)
}
