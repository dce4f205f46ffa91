import type { Hocuspocus } from '@hocuspocus/server'
import { collectionMap, createNotification, docName, NOTIFICATIONS, type Task } from '@rapport/model'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import type { Automation } from '../automation/Automation.ts'
import { writeDocument } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import type { Projection } from '../projection/Projection.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'
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
  /** The record index: the tasks with a due time are read from it at start (and when an account's archive flag
   * changes); without it, from the projection (loaded documents only). */
  index?: () => Pick<IndexWorker, 'index' | 'flush'> | null
  /** Ids of every workspace with stored documents (default: the workspaces the projection knows). */
  workspaceIds?: () => Promise<string[]>
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
 * The candidates (open, assigned tasks with a due time, of non-archived accounts) are kept in memory: read from the
 * record index at start and again when an account is archived or restored, and updated from each task's change
 * event (task documents need not be loaded: nothing decodes every account room).
 */
export class ReminderScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<number> = Promise.resolve(0)
  private stopped = false
  private unsubscribe: (() => void) | null = null
  /** `workspaceId/taskId` → an open, assigned task with a due time (its account not archived when last read). */
  private readonly candidates = new Map<string, Due>()
  /** The candidates must be read again from the index before the next check. */
  private stale = true

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
      if (event.type !== 'record') return
      if (event.kind === 'tasks') {
        this.candidate(event.workspaceId, event.id, event.after)
        this.wake(50)
      } else if (event.kind === 'accounts' && event.before?.archived !== event.after?.archived) {
        this.stale = true
        this.wake(50)
      }
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
      for (const key of [...this.candidates.keys()]) if (key.startsWith(prefix)) this.candidates.delete(key)
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

  /** Keeps (or drops) one task among the candidates from its latest projected state. */
  private candidate(workspaceId: string, id: string, row: ProjectedRecord | null): void {
    const key = `${workspaceId}/${id}`
    const task = row as unknown as (Task & { accountId: string }) | null
    if (!task || task.archived || task.done || !task.assigneeId || task.dueAt === null)
      this.candidates.delete(key)
    else this.candidates.set(key, { workspaceId, task, dueAt: task.dueAt })
  }

  /** Reads every candidate of every workspace again: from the index (else from the projection's loaded records). */
  private async reload(): Promise<void> {
    this.stale = false
    this.candidates.clear()
    const worker = this.deps.index?.() ?? null
    const workspaceIds = this.deps.workspaceIds
      ? await this.deps.workspaceIds()
      : this.deps.projection.workspaceIds()
    for (const workspaceId of workspaceIds) {
      if (!worker) {
        const ws = this.deps.projection.workspace(workspaceId)
        for (const row of ws.records.tasks.values()) {
          const account = ws.records.accounts.get(String(row.accountId))
          if (account?.archived !== true) this.candidate(workspaceId, row.id, row)
        }
        continue
      }
      await worker.flush()
      const open: ProjectedRecord[] = []
      for (let offset: number | null = 0; offset !== null; ) {
        const page = await worker.index.list(workspaceId, 'tasks', {
          filters: { done: false },
          offset,
          limit: MAX_PAGE,
          archived: 'false',
        })
        for (const row of page.items) if (row.assigneeId && typeof row.dueAt === 'number') open.push(row)
        offset = page.nextOffset
      }
      const accountIds = [...new Set(open.map((row) => String(row.accountId)))]
      const archived = new Set<string>()
      for (let i = 0; i < accountIds.length; i += MAX_PAGE) {
        for (const account of await worker.index.getMany(
          workspaceId,
          'accounts',
          accountIds.slice(i, i + MAX_PAGE),
        ))
          if (account.record.archived === true) archived.add(account.id)
      }
      for (const row of open)
        if (!archived.has(String(row.accountId))) this.candidate(workspaceId, row.id, row)
    }
  }

  /** Open, assigned tasks with a due time up to `until` that were not reminded for that due time. */
  private *pending(until: number): Generator<Due> {
    const fired = this.db.data.fired
    for (const [key, due] of this.candidates) {
      if (due.dueAt > until || fired[key] === due.dueAt) continue
      yield due
    }
  }

  private async runCheck(): Promise<number> {
    if (this.stopped) return 0
    if (this.stale) await this.reload()
    const due = [...this.pending(this.deps.now())]
    let written = 0
    for (const item of due) {
      // A task changed while its account is archived: no reminder, and no longer a candidate (until a restore).
      if (await this.accountArchived(item)) {
        this.candidates.delete(`${item.workspaceId}/${item.task.id}`)
        continue
      }
      if (await this.remind(item)) written += 1
      this.db.data.fired[`${item.workspaceId}/${item.task.id}`] = item.dueAt
      await this.db.write()
    }
    return written
  }

  private async accountArchived({ workspaceId, task }: Due): Promise<boolean> {
    const loaded = this.deps.projection.workspace(workspaceId).records.accounts.get(task.accountId)
    if (loaded) return loaded.archived === true
    const worker = this.deps.index?.() ?? null
    const indexed = worker ? await worker.index.get(workspaceId, 'accounts', task.accountId) : null
    return indexed?.record.archived === true
  }

  private async remind({ workspaceId, task, dueAt }: Due): Promise<boolean> {
    const { automation, hocuspocus, now } = this.deps
    const assignee = task.assigneeId as string
    if (!automation.member(workspaceId, assignee)) return false
    const id = reminderNotificationId(task.id, dueAt)
    const room = docName({ workspaceId, kind: 'account', accountId: task.accountId })
    const inbox = docName({ workspaceId, kind: 'inbox', userId: assignee })
    const account = await automation.accountName(workspaceId, task.accountId)
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
