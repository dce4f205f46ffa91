import { bucketTasks, TASKS, type TaskBucket } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { ExportCsvLink, exportCsvHref } from '../imports/ExportCsvLink.tsx'
import { TaskMeta, TaskRow, taskDueState, taskRowClass } from './TaskRow.tsx'
import type { TaskItem } from './tasksApi.ts'
import { endOfLocalDay } from './taskTime.ts'
import { useMyTasks } from './useMyTasks.ts'
import { useNow } from './useNow.ts'
import './tasks.css'

/**
 * At most this many account rooms are opened for live rows (a socket may hold 200 documents, and the rest of the app
 * needs some): rows of further accounts show the server's copy and link to their account.
 */
export const MAX_LIVE_ROOMS = 40

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
  const liveAccounts = useMemo(() => {
    const ids = new Set<string>()
    for (const { bucket } of GROUPS)
      for (const task of groups?.[bucket] ?? []) if (ids.size < MAX_LIVE_ROOMS) ids.add(task.accountId)
    return ids
  }, [groups])
  return (
    <div className="list-page my-tasks" data-testid="my-tasks">
      <div className="toolbar">
        <h1 className="page__title">My tasks</h1>
        {groups && (
          <span className="muted" data-testid="my-tasks-count">
            {groups.overdue.length} overdue · {groups.today.length} today
          </span>
        )}
        <ExportCsvLink kind="tasks" href={exportCsvHref('tasks', { filters: { assignee: 'me' } })} />
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
                  <RoomTaskRow
                    key={task.id}
                    task={task}
                    now={now}
                    live={liveAccounts.has(task.accountId)}
                    onRoomChange={refresh}
                  />
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
function RoomTaskRow({
  task,
  now,
  live: isLive,
  onRoomChange,
}: {
  task: TaskItem
  now: number
  live: boolean
  onRoomChange: () => void
}) {
  const { session } = useSession()
  const room = useDoc(
    isLive ? { workspaceId: session.workspace.id, kind: 'account', accountId: task.accountId } : null,
  )
  const live = useLiveRecords(room.doc, TASKS, onRoomChange).byId.get(task.id)
  const shown = live ?? task
  const account = (
    <a href={`#/accounts/${task.accountId}`} className="task-row__account">
      {task.accountName ?? 'Account'}
    </a>
  )
  if (!room.doc) {
    // Not opened (beyond MAX_LIVE_ROOMS, or loading): the server's copy, edited from its account.
    const { due, overdue } = taskDueState(task, now)
    return (
      <li
        className={taskRowClass(task.done, overdue)}
        data-testid={`task-${task.id}`}
        data-title={task.title}
        data-overdue={overdue || undefined}
      >
        <input type="checkbox" checked={task.done} disabled aria-label={`Done: ${task.title}`} />
        <span className="task-row__main">
          <span className="task-row__title">{task.title}</span>
          <TaskMeta overdue={overdue} due={due} now={now}>
            {account}
          </TaskMeta>
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
