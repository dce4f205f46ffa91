import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, calendarDate, nowOf, recordBase, userId } from './recordBase.ts'
import { createRecord, type RecordCollection, updateRecord } from './recordMap.ts'

export const TaskId = idString.brand<'TaskId'>()
export type TaskId = z.infer<typeof TaskId>
export function newTaskId(): TaskId {
  return newId('tsk') as TaskId
}

const taskFields = {
  title: z.string().trim().min(1).max(500),
  done: z.boolean(),
  assigneeId: userId.nullable(),
  dueDate: calendarDate.nullable(),
  dealId: idString.nullable(),
}

/** A task in an account room (`W/account/A`, map `tasks`). */
export const Task = z.object({ id: TaskId, ...recordBase, ...taskFields })
export type Task = z.infer<typeof Task>

export const TaskCreate = z.object({
  id: idString.optional(),
  title: taskFields.title,
  done: taskFields.done.default(false),
  assigneeId: taskFields.assigneeId.default(null),
  dueDate: taskFields.dueDate.default(null),
  dealId: taskFields.dealId.default(null),
})
export type TaskCreate = z.input<typeof TaskCreate>

export const TaskPatch = z.object(taskFields).partial()
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
