import type { Hocuspocus } from '@hocuspocus/server'
import { collectionMap, createNotification, docName, NOTIFICATIONS, type Task } from '@rapport/model'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import type { Automation } from '../automation/Automation.ts'
import { writeDocument } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import type { Projection } from '../projection/Projection.ts'
import { reminderNotificationId } from './reminderId.ts'

/** The longest the scheduler sleeps between checks (a clock change or a missed event is caught within this). */
export const REMINDER_HEARTBEAT_MS = 60_000

const ReminderState = z.object({ fired: z.record(z.string(), z.number()) })
type ReminderState = z.infer<typeof ReminderState>

export interface ReminderDeps {
  projection: Projection
  automation: Automation
  hocuspocus: Hocuspocus
  logger: Logger
  now: () => number
  /** Where the fired state is kept (`<dataDir>/reminders.json`). */
  file: string
}

interface Due {
  workspaceId: string
  task: Task & { accountId: string }
  dueAt: number
}

/**
 * Reminders at a task's due time (`dueAt`; whole-day legacy `dueDate`s have no time and get none), in the assignee's
 * inbox, exactly once per task and due time — across restarts:
 *  - `fired` (`<dataDir>/reminders.json`, task → the due time reminded) is written after each reminder, so a due time
 *    is reminded again only when it changes;
 *  - the notification id is derived from the task and due time and written only when absent, in one transaction,
 *    so a crash between the inbox write and the state write does not remind twice;
 *  - on start every due time already passed and not in `fired` is reminded once (missed while stopped).
 * Checks run one at a time: at start, at the next due time (at most `REMINDER_HEARTBEAT_MS` apart), soon after a task
 * changes, and when `check()` is called (tests with a controlled clock).
 */
export class ReminderScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<number> = Promise.resolve(0)
  private stopped = false
  private unsubscribe: (() => void) | null = null

  private constructor(
    private readonly deps: ReminderDeps,
    private readonly db: Low<ReminderState>,
  ) {}

  static async open(deps: ReminderDeps): Promise<ReminderScheduler> {
    const db = new Low<ReminderState>(new JSONFile<ReminderState>(deps.file), { fired: {} })
    await db.read()
    const parsed = ReminderState.safeParse(db.data)
    if (!parsed.success) {
      deps.logger.warn('reminder state unreadable, starting empty (due reminders may repeat once)')
      db.data = { fired: {} }
    } else db.data = parsed.data
    return new ReminderScheduler(deps, db)
  }

  /** Reminds what was missed while stopped, then follows task changes and the clock. */
  start(): void {
    this.unsubscribe = this.deps.projection.on((event) => {
      if (event.type === 'record' && event.kind === 'tasks') this.wake(50)
    })
    void this.check()
      .then((written) => this.deps.logger.info('reminders checked at start', { written }))
      .finally(() => this.scheduleNext())
  }

  /** Runs a check after every check already queued; resolves with the number of reminders written. */
  check(): Promise<number> {
    const next = this.running.then(
      () => this.runCheck(),
      () => this.runCheck(),
    )
    this.running = next.catch((error: unknown) => {
      this.deps.logger.error('reminder check failed', { error })
      return 0
    })
    return next
  }

  /** A deleted workspace: its fired reminders are forgotten (after the check under way). */
  forgetWorkspace(workspaceId: string): Promise<void> {
    const forget = async (): Promise<number> => {
      const prefix = `${workspaceId}/`
      const fired = Object.entries(this.db.data.fired).filter(([key]) => !key.startsWith(prefix))
      if (fired.length === Object.keys(this.db.data.fired).length) return 0
      this.db.data.fired = Object.fromEntries(fired)
      await this.db.write()
      return 0
    }
    const next = this.running.then(forget, forget)
    this.running = next.catch((error: unknown) => {
      this.deps.logger.error('could not forget the reminders of a deleted workspace', { error })
      return 0
    })
    return next.then(() => undefined)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running
  }

  private wake(delayMs: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.check().finally(() => this.scheduleNext())
    }, delayMs)
    this.timer.unref?.()
  }

  private scheduleNext(): void {
    if (this.stopped || this.timer) return
    const now = this.deps.now()
    let next = now + REMINDER_HEARTBEAT_MS
    for (const due of this.pending(Number.MAX_SAFE_INTEGER)) next = Math.min(next, due.dueAt)
    this.wake(Math.max(0, next - now))
  }

  /** Open, assigned tasks with a due time up to `until` that were not reminded for that due time. */
  private *pending(until: number): Generator<Due> {
    const fired = this.db.data.fired
    for (const workspaceId of this.deps.projection.workspaceIds()) {
      const ws = this.deps.projection.workspace(workspaceId)
      for (const row of ws.records.tasks.values()) {
        const task = row as unknown as Task & { accountId: string }
        if (task.archived || task.done || !task.assigneeId || task.dueAt === null) continue
        if (ws.records.accounts.get(task.accountId)?.archived === true) continue
        if (task.dueAt > until || fired[`${workspaceId}/${task.id}`] === task.dueAt) continue
        yield { workspaceId, task, dueAt: task.dueAt }
      }
    }
  }

  private async runCheck(): Promise<number> {
    if (this.stopped) return 0
    const due = [...this.pending(this.deps.now())]
    let written = 0
    for (const item of due) {
      if (await this.remind(item)) written += 1
      this.db.data.fired[`${item.workspaceId}/${item.task.id}`] = item.dueAt
      await this.db.write()
    }
    return written
  }

  private async remind({ workspaceId, task, dueAt }: Due): Promise<boolean> {
    const { automation, hocuspocus, now } = this.deps
    const assignee = task.assigneeId as string
    if (!automation.member(workspaceId, assignee)) return false
    const id = reminderNotificationId(task.id, dueAt)
    const room = docName({ workspaceId, kind: 'account', accountId: task.accountId })
    const inbox = docName({ workspaceId, kind: 'inbox', userId: assignee })
    const account = automation.accountName(workspaceId, task.accountId)
    const written = await writeDocument(hocuspocus, inbox, 'automation', null, (doc, origin) => {
      if (collectionMap(doc, NOTIFICATIONS).has(id)) return false
      createNotification(
        doc,
        {
          id,
          type: 'reminder',
          actorId: null,
          text: `Task due: “${task.title}” on ${account}`,
          link: { accountId: task.accountId, taskId: task.id, docName: room },
        },
        origin,
        { now: now() },
      )
      return true
    })
    if (written) this.deps.logger.info('task reminder', { workspaceId, taskId: task.id, userId: assignee })
    return written
  }
}
