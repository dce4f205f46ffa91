import { type Task, taskDueAt } from './task.ts'

/** The groups of "My tasks", in display order. */
export const TASK_BUCKETS = ['overdue', 'today', 'upcoming', 'someday', 'done'] as const
export type TaskBucket = (typeof TASK_BUCKETS)[number]

export interface BucketClock {
  now: number
  /** The start of the viewer's next day (local midnight), epoch ms: "today" ends there. */
  endOfToday: number
}

/** The group a task is shown in: done first, then by its due instant against `now` and the end of today. */
export function taskBucket(task: Pick<Task, 'done' | 'dueAt' | 'dueDate'>, clock: BucketClock): TaskBucket {
  if (task.done) return 'done'
  const due = taskDueAt(task)
  if (due === null) return 'someday'
  if (due < clock.now) return 'overdue'
  return due < clock.endOfToday ? 'today' : 'upcoming'
}

/**
 * Groups tasks for "My tasks": each group sorted by due time (no due date last), then creation, then id; done tasks
 * newest change first. Archived tasks are left out.
 */
export function bucketTasks<T extends Task>(tasks: Iterable<T>, clock: BucketClock): Record<TaskBucket, T[]> {
  const groups: Record<TaskBucket, T[]> = { overdue: [], today: [], upcoming: [], someday: [], done: [] }
  for (const task of tasks) if (!task.archived) groups[taskBucket(task, clock)].push(task)
  const byDue = (a: T, b: T): number =>
    (taskDueAt(a) ?? Number.MAX_SAFE_INTEGER) - (taskDueAt(b) ?? Number.MAX_SAFE_INTEGER) ||
    a.createdAt - b.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  for (const bucket of TASK_BUCKETS) {
    groups[bucket].sort(bucket === 'done' ? (a, b) => b.updatedAt - a.updatedAt || byDue(a, b) : byDue)
  }
  return groups
}
