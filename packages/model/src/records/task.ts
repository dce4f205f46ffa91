import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, calendarDate, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { createRecord, type RecordCollection, updateRecord } from './recordMap.ts'

export const TaskId = idString.brand<'TaskId'>()
export type TaskId = z.infer<typeof TaskId>
export function newTaskId(): TaskId {
  return newId('tsk') as TaskId
}

const taskFields = {
  title: z.string().trim().min(1, 'Give the task a title').max(500, 'Keep the title under 500 characters'),
  done: z.boolean(),
  assigneeId: userId.nullable(),
  /** Legacy whole-day due date; `dueAt` (an instant) wins when both are set. */
  dueDate: calendarDate.nullable(),
  /** Due date and time, epoch ms (reminders fire then). Absent in tasks written before it existed: read as null. */
  dueAt: timestamp.nullable().default(null),
  dealId: idString.nullable(),
  contactId: idString.nullable().default(null),
  ticketId: idString.nullable().default(null),
}

/**
 * A task in an account room (`W/account/A`, map `tasks`). It belongs to the account of its room and may also
 * name a deal, a contact or a ticket of that account. A ticket without an account has no room: it gets tasks
 * once it is linked to an account.
 */
export const Task = z.object({ id: TaskId, ...recordBase, ...taskFields })
export type Task = z.infer<typeof Task>

export const TaskCreate = z.object({
  id: idString.optional(),
  title: taskFields.title,
  done: taskFields.done.default(false),
  assigneeId: taskFields.assigneeId.default(null),
  dueDate: taskFields.dueDate.default(null),
  dueAt: timestamp.nullable().default(null),
  dealId: taskFields.dealId.default(null),
  contactId: idString.nullable().default(null),
  ticketId: idString.nullable().default(null),
})
export type TaskCreate = z.input<typeof TaskCreate>

export const TaskPatch = z
  .object({
    title: taskFields.title,
    done: taskFields.done,
    assigneeId: taskFields.assigneeId,
    dueDate: taskFields.dueDate,
    dueAt: timestamp.nullable(),
    dealId: taskFields.dealId,
    contactId: idString.nullable(),
    ticketId: idString.nullable(),
  })
  .partial()
export type TaskPatch = z.input<typeof TaskPatch>

export const TASKS: RecordCollection<Task> = { name: COLLECTION.tasks, schema: Task }

export function createTask(doc: Y.Doc, input: TaskCreate, origin: unknown, options?: CommandOptions): Task {
  const { id, ...fields } = parseInput(TaskCreate, input)
  const now = nowOf(options)
  return createRecord(
    doc,
    TASKS,
    { id: id ?? newTaskId(), createdAt: now, updatedAt: now, archived: false, ...fields },
    origin,
  )
}

export function updateTask(
  doc: Y.Doc,
  id: string,
  patch: TaskPatch,
  origin: unknown,
  options?: CommandOptions,
): Task {
  return updateRecord(doc, TASKS, id, parseInput(TaskPatch, patch), origin, options)
}

/** When a task is due: `dueAt`, else the end (23:59:59.999 UTC) of its legacy `dueDate`, else null. */
export function taskDueAt(task: Pick<Task, 'dueAt' | 'dueDate'>): number | null {
  if (task.dueAt !== null && task.dueAt !== undefined) return task.dueAt
  return task.dueDate ? Date.parse(`${task.dueDate}T23:59:59.999Z`) : null
}
