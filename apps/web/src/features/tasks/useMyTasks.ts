import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../auth/authApi.ts'
import { useInbox } from '../inbox/useInbox.ts'
import { fetchMyTasks, type TaskItem } from './tasksApi.ts'

export interface MyTasksState {
  items: TaskItem[] | null
  error: string | null
  /** Ask the server again soon (a task changed in an open room). Coalesces bursts into one request. */
  refresh: () => void
}

/**
 * "My tasks" from the server (`GET /api/tasks?assignee=me`), kept live without polling: it asks again when the
 * inbox changes (a task given to me, a reminder) and when a room showing one of my tasks reports a task change
 * (`refresh`, called by the rows' open account rooms).
 */
export function useMyTasks(): MyTasksState {
  const [items, setItems] = useState<TaskItem[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const generation = useRef(0)

  const load = useCallback(() => {
    const mine = ++generation.current
    fetchMyTasks(Date.now()).then(
      (page) => {
        if (mine !== generation.current) return
        setItems(page.items)
        setError(null)
      },
      (e: unknown) => {
        if (mine === generation.current)
          setError(e instanceof ApiError ? e.message : 'Could not load your tasks.')
      },
    )
  }, [])

  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(load, 250)
  }, [load])

  const { items: notifications } = useInbox()
  const inboxKey = notifications.length > 0 ? `${notifications.length}:${notifications[0]?.id}` : '0'
  // biome-ignore lint/correctness/useExhaustiveDependencies: the inbox key is the trigger
  useEffect(() => load(), [load, inboxKey])
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), [])
  return { items, error, refresh }
}
