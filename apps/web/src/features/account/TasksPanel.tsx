import { createTask, TASKS, type Task, updateTask } from '@rapport/model'
import { type FormEvent, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import type { SessionMember } from '../auth/authApi.ts'

function compareTasks(a: Task, b: Task): number {
  if (a.done !== b.done) return a.done ? 1 : -1
  const da = a.dueDate ?? '9999-99-99'
  const db = b.dueDate ?? '9999-99-99'
  return da < db ? -1 : da > db ? 1 : a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)
}

/** Tasks of the account room with assignee and due date. */
export function TasksPanel({
  doc,
  readOnly,
  members,
  me,
}: {
  doc: Y.Doc
  readOnly: boolean
  members: SessionMember[]
  me: string
}) {
  const tasks = useLiveRecords(doc, TASKS)
  const list = useMemo(() => [...tasks.byId.values()].filter((t) => !t.archived).sort(compareTasks), [tasks])
  const [title, setTitle] = useState('')
  const [due, setDue] = useState('')
  const [assignee, setAssignee] = useState(me)

  const add = (e: FormEvent) => {
    e.preventDefault()
    const t = title.trim()
    if (!t) return
    createTask(doc, { title: t, assigneeId: assignee || null, dueDate: due || null }, LOCAL_ORIGIN)
    setTitle('')
    setDue('')
  }

  return (
    <section className="panel" data-testid="tasks">
      <h2 className="panel__title">Tasks</h2>
      <ul className="tasks">
        {list.map((t) => (
          <li key={t.id} className={`task${t.done ? ' is-done' : ''}`} data-testid={`task-${t.id}`}>
            <input
              type="checkbox"
              checked={t.done}
              disabled={readOnly}
              aria-label={`Done: ${t.title}`}
              onChange={(e) => updateTask(doc, t.id, { done: e.target.checked }, LOCAL_ORIGIN)}
            />
            <span className="task__title">{t.title}</span>
            <select
              value={t.assigneeId ?? ''}
              disabled={readOnly}
              aria-label="Assignee"
              onChange={(e) => updateTask(doc, t.id, { assigneeId: e.target.value || null }, LOCAL_ORIGIN)}
            >
              <option value="">Unassigned</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </select>
            <input
              type="date"
              value={t.dueDate ?? ''}
              disabled={readOnly}
              aria-label="Due date"
              onChange={(e) => updateTask(doc, t.id, { dueDate: e.target.value || null }, LOCAL_ORIGIN)}
            />
          </li>
        ))}
        {list.length === 0 && <li className="muted">No tasks yet.</li>}
      </ul>
      {!readOnly && (
        <form className="tasks__add" onSubmit={add}>
          <input
            value={title}
            placeholder="New task"
            maxLength={500}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="task-title"
          />
          <select value={assignee} onChange={(e) => setAssignee(e.target.value)} aria-label="Assignee">
            <option value="">Unassigned</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
          <input type="date" value={due} onChange={(e) => setDue(e.target.value)} aria-label="Due date" />
          <button type="submit" className="btn">
            Add
          </button>
        </form>
      )}
    </section>
  )
}
