import { bucketTasks, createTask, TASKS, type Task } from '@rapport/model'
import { type FormEvent, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { TaskRow } from './TaskRow.tsx'
import { endOfLocalDay, fromLocalInput } from './taskTime.ts'
import { useNow } from './useNow.ts'
import './tasks.css'

/** Where a list of tasks lives: an account room, optionally narrowed to one deal, contact or ticket of it. */
export interface TaskScope {
  /** The account whose room holds the tasks; null (a ticket without an account) = no tasks possible yet. */
  accountId: string | null
  dealId?: string
  contactId?: string
  ticketId?: string
}

export interface TaskListProps {
  scope: TaskScope
  readOnly?: boolean
  /** Heading of the panel (default "Tasks"). */
  title?: string
  /** An account room the caller already opened (the account page); otherwise the list opens it itself. */
  doc?: Y.Doc | null
}

const inScope = (task: Task, scope: TaskScope): boolean =>
  !task.archived &&
  (scope.dealId === undefined || task.dealId === scope.dealId) &&
  (scope.contactId === undefined || task.contactId === scope.contactId) &&
  (scope.ticketId === undefined || task.ticketId === scope.ticketId)

/**
 * The tasks of an account, deal, contact or ticket, live from the account room (`W/account/A`, map `tasks`):
 * open tasks by due time (overdue ones marked), then done ones. New tasks carry the scope's links. Import it
 * anywhere a record page shows tasks.
 */
export function TaskList({ scope, readOnly = false, title = 'Tasks', doc: givenDoc }: TaskListProps) {
  const { session } = useSession()
  const own = useDoc(
    givenDoc === undefined && scope.accountId
      ? { workspaceId: session.workspace.id, kind: 'account', accountId: scope.accountId }
      : null,
  )
  const doc = givenDoc === undefined ? own.doc : givenDoc
  const locked = readOnly || (givenDoc === undefined && own.readOnly)
  const records = useLiveRecords(doc, TASKS)
  const now = useNow()
  const list = useMemo(() => {
    const groups = bucketTasks(
      [...records.byId.values()].filter((t) => inScope(t, scope)),
      { now, endOfToday: endOfLocalDay(now) },
    )
    return [...groups.overdue, ...groups.today, ...groups.upcoming, ...groups.someday, ...groups.done]
  }, [records, scope, now])

  if (!scope.accountId) {
    return (
      <section className="panel task-panel" data-testid="tasks">
        <h2 className="panel__title">{title}</h2>
        <p className="muted">Link an account to add tasks.</p>
      </section>
    )
  }
  return (
    <section className="panel task-panel" data-testid="tasks">
      <h2 className="panel__title">{title}</h2>
      {doc && (
        <ul className="task-list">
          {list.map((task) => (
            <TaskRow
              key={task.id}
              doc={doc}
              task={task}
              members={session.members}
              readOnly={locked}
              now={now}
            />
          ))}
          {list.length === 0 && <li className="muted">No tasks yet.</li>}
        </ul>
      )}
      {!doc && <p className="muted">Loading…</p>}
      {doc && !locked && <NewTaskForm doc={doc} scope={scope} />}
    </section>
  )
}

function NewTaskForm({ doc, scope }: { doc: Y.Doc; scope: TaskScope }) {
  const { session } = useSession()
  const [title, setTitle] = useState('')
  const [due, setDue] = useState('')
  const [assignee, setAssignee] = useState(session.user.id)
  const [error, setError] = useState<string | null>(null)

  const add = (e: FormEvent) => {
    e.preventDefault()
    const text = title.trim()
    if (!text) {
      setError('Give the task a title')
      return
    }
    setError(null)
    createTask(
      doc,
      {
        title: text,
        assigneeId: assignee || null,
        dueAt: fromLocalInput(due),
        dealId: scope.dealId ?? null,
        contactId: scope.contactId ?? null,
        ticketId: scope.ticketId ?? null,
      },
      LOCAL_ORIGIN,
    )
    setTitle('')
    setDue('')
  }

  return (
    <form className="task-add" onSubmit={add} noValidate>
      <label className="task-add__title">
        <span className="visually-hidden">New task</span>
        <input
          value={title}
          placeholder="New task"
          maxLength={500}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'task-add-error' : undefined}
          onChange={(e) => setTitle(e.target.value)}
          data-testid="task-title"
        />
        {error && (
          <span className="field-error" id="task-add-error" role="alert">
            {error}
          </span>
        )}
      </label>
      <input
        type="datetime-local"
        step={60}
        value={due}
        onChange={(e) => setDue(e.target.value)}
        aria-label="Due date and time"
        data-testid="task-new-due"
      />
      <select
        value={assignee}
        onChange={(e) => setAssignee(e.target.value)}
        aria-label="Assignee"
        data-testid="task-new-assignee"
      >
        <option value="">Unassigned</option>
        {session.members.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.name}
          </option>
        ))}
      </select>
      <button type="submit" className="btn" data-testid="task-add">
        Add task
      </button>
    </form>
  )
}
