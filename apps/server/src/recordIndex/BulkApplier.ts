import type { Worker } from 'node:worker_threads'
import { AppError } from '../errors.ts'
import { typeScriptThread } from '../tsThread.ts'
import type { AppliedChange, IndexBatch } from './RecordIndex.ts'

/*
 * The bulk applies of the record index in a worker thread (issue #14: others' edits during an import). An import's
 * batches of 1,000 new records cost the index ~3 ms + 0.15 ms per row of synchronous SQLite work (and GC, and on
 * PostgreSQL the building and parsing of every statement): on the event loop that Hocuspocus broadcasts on, others'
 * edits waited behind them. Here the same `apply` (the same class, its own connection: better-sqlite3 in WAL mode,
 * so the main thread's readers keep reading, or a PostgreSQL pool of one) runs in a worker; the main thread only
 * clones the already projected rows over and the feed events back.
 *
 * One writer at a time: the index that owns the applier (kyselyRecordIndex.ts `applyBulk`) runs each bulk apply under
 * its write lock, the lock its own applies, prunes and DDL take, so transactions never interleave — seqs of the change
 * feed stay monotonic, and the feed events of a bulk batch are published (IndexWorker) after it committed, in order.
 *
 * The thread starts on the first bulk apply (a server that imports nothing never starts it). Its module graph is
 * TypeScript: the thread registers tsx's loader first (bulkApplierThread.ts), the same loader `pnpm start` runs the
 * server under, which also works under Vitest. A thread that dies (an exception, `terminate`, out of memory) rejects
 * the applies in flight with a BulkApplierCrashed (their transaction rolled back with its connection); the next bulk
 * apply starts a new thread.
 */

/**
 * Which applies of the index run in its worker thread (`INDEX_THREAD`): none, an import's bulk ones, or all of them
 * (a live edit's too).
 */
export const INDEX_THREAD_MODES = ['off', 'bulk', 'all'] as const
export type IndexThreadMode = (typeof INDEX_THREAD_MODES)[number]

/** Where the thread opens its own connection to the index the main thread has open. */
export type BulkIndexSpec = (
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema: string }
) & {
  /**
   * Every apply of the index runs in the thread, a live edit's too (`INDEX_THREAD=all`), not only an import's bulk
   * ones; the thread then keeps the process's priority (live changes must not wait behind other work for a core).
   */
  allApplies?: boolean
}

/** The worker thread of the bulk applies stopped (crashed, was terminated) before answering. */
export class BulkApplierCrashed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BulkApplierCrashed'
  }
}

export type ToThread =
  | { type: 'apply'; id: number; batch: IndexBatch }
  | { type: 'close' }
  /** Test hook: the thread throws at once (messages after it are never handled). */
  | { type: 'crash' }
export type FromThread =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { id: number; ok: true; applied: AppliedChange[] }
  | { id: number; ok: false; message: string; status?: number; code?: string }

interface Pending {
  resolve: (applied: AppliedChange[]) => void
  reject: (error: Error) => void
}

export class BulkApplier {
  private thread: Worker | null = null
  private ready: Promise<void> | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false
  private crashNext = false
  /** Threads that died (crashes), for tests and logs. */
  crashes = 0

  constructor(private readonly spec: BulkIndexSpec) {}

  /** Applies `batch` in the thread (started if needed); rejects with BulkApplierCrashed when the thread dies. */
  async apply(batch: IndexBatch): Promise<AppliedChange[]> {
    if (this.closed) throw new Error('The record index is closed.')
    await this.start()
    const thread = this.thread
    if (!thread) throw new BulkApplierCrashed('The bulk index thread is not running.')
    const id = this.nextId++
    return new Promise<AppliedChange[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.crashNext) {
        this.crashNext = false
        thread.postMessage({ type: 'crash' } satisfies ToThread)
      }
      thread.postMessage({ type: 'apply', id, batch } satisfies ToThread)
    })
  }

  /** Starts the thread if it is not running; a failure to start shows on the next `apply`. */
  warm(): void {
    if (!this.closed) this.start().catch(() => {})
  }

  /** Whether a thread is running (started and not dead). */
  get running(): boolean {
    return this.thread !== null
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready
    const target = new URL('./bulkApplierThread.ts', import.meta.url).href
    const thread = typeScriptThread(target, { workerData: this.spec })
    this.thread = thread
    this.ready = new Promise<void>((resolve, reject) => {
      let opened = false
      const died = (error: Error) => {
        if (this.thread !== thread) return
        this.thread = null
        this.ready = null
        this.crashes += 1
        const crash = new BulkApplierCrashed(`The bulk index thread stopped: ${error.message}`, {
          cause: error,
        })
        if (!opened) reject(crash)
        for (const waiting of this.pending.values()) waiting.reject(crash)
        this.pending.clear()
      }
      thread.on('message', (message: FromThread) => {
        if ('type' in message) {
          if (message.type === 'ready') {
            opened = true
            resolve()
          } else {
            died(new Error(`it could not open the index: ${message.message}`))
            void thread.terminate()
          }
          return
        }
        const waiting = this.pending.get(message.id)
        if (!waiting) return
        this.pending.delete(message.id)
        if (message.ok) waiting.resolve(message.applied)
        else if (message.status !== undefined)
          // An AppError (a change the index refuses): the IndexWorker isolates it as on the main thread.
          waiting.reject(new AppError(message.status as 400, message.code ?? 'bad_request', message.message))
        else waiting.reject(new Error(message.message))
      })
      thread.on('error', (error) => died(error))
      thread.on('exit', (code) => died(new Error(`exit code ${code}`)))
    })
    // Awaited by `apply`; not an unhandled rejection when no apply waits.
    this.ready.catch(() => {})
    return this.ready
  }

  /**
   * Test hook: the thread of the next apply throws an uncaught error before it handles that apply, which rejects
   * with BulkApplierCrashed (as every apply sent to it meanwhile).
   */
  crashForTest(): void {
    this.crashNext = true
  }

  /** Ends the thread once its applies answered (the owner's `close` waits for them first). */
  async close(): Promise<void> {
    this.closed = true
    const thread = this.thread
    this.thread = null
    this.ready = null
    if (!thread) return
    await new Promise<void>((resolve) => {
      // A thread that does not end on its own (its connection hangs) is stopped: nothing of it is in flight.
      const timer = setTimeout(() => void thread.terminate(), 10_000)
      thread.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      thread.postMessage({ type: 'close' } satisfies ToThread)
    })
  }
}
