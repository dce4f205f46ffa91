import { bucketTasks, TASKS, type TaskBucket } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { TaskRow } from './TaskRow.tsx'
import type { TaskItem } from './tasksApi.ts'
import { endOfLocalDay } from './taskTime.ts'
import { useMyTasks } from './useMyTasks.ts'
import { useNow } from './useNow.ts'
import './tasks.css'

const GROUPS: Array<{ bucket: TaskBucket; label: string }> = [
  { bucket: 'overdue', label: 'Overdue' },
  { bucket: 'today', label: 'Today' },
  { bucket: 'upcoming', label: 'Upcoming' },
  { bucket: 'someday', label: 'No due date' },
  { bucket: 'done', label: 'Done recently' },
]

/** `#/tasks`: every task assigned to me across the workspace, grouped by when it is due. */
export function MyTasksPage() {
  const { items, error, refresh } = useMyTasks()
  const now = useNow()
  const groups = useMemo(
    () => (items ? bucketTasks(items, { now, endOfToday: endOfLocalDay(now) }) : null),
    [items, now],
  )
  return (
    <div className="list-page my-tasks" data-testid="my-tasks">
      <div className="toolbar">
        <h1 className="page__title">My tasks</h1>
        {groups && (
          <span className="muted" data-testid="my-tasks-count">
            {groups.overdue.length} overdue · {groups.today.length} today
          </span>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!groups && !error && <div className="empty">Loading…</div>}
      {groups &&
        GROUPS.map(({ bucket, label }) =>
          groups[bucket].length === 0 ? null : (
            <section
              key={bucket}
              className={`panel task-panel my-tasks__group is-${bucket}`}
              data-testid={`tasks-${bucket}`}
            >
              <h2 className="panel__title">
                {label} ({groups[bucket].length})
              </h2>
              <ul className="task-list">
                {groups[bucket].map((task) => (
                  <RoomTaskRow key={task.id} task={task} now={now} onRoomChange={refresh} />
                ))}
              </ul>
            </section>
          ),
        )}
      {groups && items?.length === 0 && <div className="empty">Nothing assigned to you.</div>}
    </div>
  )
}

/**
 * One of my tasks, edited in its account room: the room is opened (shared by every row of the account) and the row
 * shows the room's live copy once it has it; a task change in the room asks the server again (re-grouping).
 */
function RoomTaskRow({ task, now, onRoomChange }: { task: TaskItem; now: number; onRoomChange: () => void }) {
  const { session } = useSession()
  const room = useDoc({ workspaceId: session.workspace.id, kind: 'account', accountId: task.accountId })
  const live = useLiveRecords(room.doc, TASKS, onRoomChange).byId.get(task.id)
  const shown = live ?? task
  const account = (
    <a href={`#/accounts/${task.accountId}`} className="task-row__account">
      {task.accountName ?? 'Account'}
    </a>
  )
  if (!room.doc) {
    return (
      <li className="task-row" data-testid={`task-${task.id}`}>
        <span />
        <span className="task-row__main">
          {task.title} {account}
        </span>
      </li>
    )
  }
  return (
    <TaskRow
      doc={room.doc}
      task={shown}
      members={session.members}
      readOnly={room.readOnly || !room.ready}
      now={now}
      context={account}
    />
  )
}
