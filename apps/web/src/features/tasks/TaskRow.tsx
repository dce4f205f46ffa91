import { archiveRecord, TASKS, type Task, taskDueAt, updateTask } from '@rapport/model'
import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { FieldError } from '../../ui/FieldError.tsx'
import type { SessionMember } from '../auth/authApi.ts'
import { formatDue, fromLocalInput, toLocalInput } from './taskTime.ts'

export interface TaskRowProps {
  doc: Y.Doc
  task: Task
  members: SessionMember[]
  readOnly: boolean
  now: number
  /** Shown after the title (My tasks: the account the task belongs to). */
  context?: React.ReactNode
}

/** When a task is due (null: no due date) and whether that has passed while it is still open. */
export function taskDueState(task: Pick<Task, 'done' | 'dueAt' | 'dueDate'>, now: number) {
  const due = taskDueAt(task)
  return { due, overdue: !task.done && due !== null && due < now }
}

/** A task row's class: done and overdue show in its look. */
export const taskRowClass = (done: boolean, overdue: boolean) =>
  `task-row${done ? ' is-done' : ''}${overdue ? ' is-overdue' : ''}`

/** Under a task's title: "Overdue", when it is due, and the context (My tasks: its account). */
export function TaskMeta({
  overdue,
  due,
  now,
  children,
}: {
  overdue: boolean
  due: number | null
  now: number
  children?: React.ReactNode
}) {
  return (
    <span className="task-row__meta">
      {overdue && (
        <span className="task-row__overdue" data-testid="task-overdue">
          Overdue
        </span>
      )}
      {due !== null && <span className="muted">{formatDue(due, now)}</span>}
      {children}
    </span>
  )
}

/** One task: done, title, due date and time, assignee, archive. Every edit is one model command on the room. */
export function TaskRow({ doc, task, members, readOnly, now, context }: TaskRowProps) {
  const [title, setTitle] = useState(task.title)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => setTitle(task.title), [task.title])
  const { due, overdue } = taskDueState(task, now)

  const commitTitle = () => {
    const next = title.trim()
    if (next === task.title) return setError(null)
    if (!next) {
      setError('Give the task a title')
      return
    }
    setError(null)
    updateTask(doc, task.id, { title: next }, LOCAL_ORIGIN)
  }

  return (
    <li
      className={taskRowClass(task.done, overdue)}
      data-testid={`task-${task.id}`}
      data-title={task.title}
      data-overdue={overdue || undefined}
    >
      <input
        type="checkbox"
        checked={task.done}
        disabled={readOnly}
        aria-label={`Done: ${task.title}`}
        data-testid="task-done"
        onChange={(e) => updateTask(doc, task.id, { done: e.target.checked }, LOCAL_ORIGIN)}
      />
      <div className="task-row__main">
        <input
          className="task-row__title"
          value={title}
          readOnly={readOnly}
          maxLength={500}
          aria-label="Task title"
          aria-invalid={error ? true : undefined}
          data-testid="task-row-title"
          onChange={(e) => setTitle(e.target.value)}
          onBlur={commitTitle}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur()
            if (e.key === 'Escape') setTitle(task.title)
          }}
        />
        <FieldError message={error} />
        <TaskMeta overdue={overdue} due={due} now={now}>
          {context}
        </TaskMeta>
      </div>
      <input
        type="datetime-local"
        step={60}
        value={toLocalInput(due)}
        readOnly={readOnly}
        disabled={readOnly}
        aria-label="Due date and time"
        data-testid="task-due"
        onChange={(e) =>
          updateTask(doc, task.id, { dueAt: fromLocalInput(e.target.value), dueDate: null }, LOCAL_ORIGIN)
        }
      />
      <select
        value={task.assigneeId ?? ''}
        disabled={readOnly}
        aria-label="Assignee"
        data-testid="task-assignee"
        onChange={(e) => updateTask(doc, task.id, { assigneeId: e.target.value || null }, LOCAL_ORIGIN)}
      >
        <option value="">Unassigned</option>
        {members.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.name}
          </option>
        ))}
      </select>
      {!readOnly && (
        <button
          type="button"
          className="btn btn--ghost task-row__archive"
          aria-label={`Archive task ${task.title}`}
          data-testid="task-archive"
          onClick={() => archiveRecord(doc, TASKS, task.id, LOCAL_ORIGIN)}
        >
          Archive
        </button>
      )}
    </li>
  )
}
