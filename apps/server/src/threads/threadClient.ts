import type { Worker } from 'node:worker_threads'
import { AppError } from '../errors.ts'
import type { FromThread, ToThread } from './threadServer.ts'
import { typeScriptThread } from './tsThread.ts'

/*
 * The main thread's side of a worker thread that answers requests (threadServer.ts on the other side): the index's
 * bulk applies (recordIndex/BulkApplier.ts) and an import's document builds (imports/DocumentBuilder.ts).
 *
 * The thread starts on the first call (or `warm`) and loads its TypeScript through tsx (tsThread.ts). Calls are
 * answered in the order they were made. A thread that dies (an exception, `terminate`, out of memory) or cannot open
 * what it serves rejects every call in flight with the owner's `crashed` error; the next call starts a new thread.
 * A reply that is an AppError on the thread's side (a request it refuses, with a status) is the same AppError here.
 */

export interface ThreadClientOptions {
  /** The thread's TypeScript module (a file URL) — it calls `serveThread`. */
  entry: string
  /** Handed to the thread (`workerData`). */
  workerData?: unknown
  /** The error calls in flight reject with when the thread dies or could not start (`cause` says why). */
  crashed: (cause: Error) => Error
  /** An idle thread does not keep the process alive (default false). */
  unref?: boolean
}

interface Pending<Res> {
  resolve: (result: Res) => void
  reject: (error: Error) => void
}

export class ThreadClient<Req, Res> {
  private thread: Worker | null = null
  private ready: Promise<void> | null = null
  private readonly pending = new Map<number, Pending<Res>>()
  private nextId = 1
  private closed = false
  private crashNext = false
  /** Threads that died while open (tests, logs). */
  crashes = 0

  constructor(private readonly options: ThreadClientOptions) {}

  /** Sends `request` to the thread (started if needed); resolves with its answer. */
  async call(request: Req): Promise<Res> {
    if (this.closed) throw new Error('The thread is closed.')
    await this.start()
    const thread = this.thread
    if (!thread) throw this.options.crashed(new Error('it is not running'))
    const id = this.nextId++
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.crashNext) {
        this.crashNext = false
        thread.postMessage({ type: 'crash' } satisfies ToThread<Req>)
      }
      thread.postMessage({ type: 'call', id, request } satisfies ToThread<Req>)
    })
  }

  /** Starts the thread if it is not running, without waiting; a failure to start shows on the next call. */
  warm(): void {
    if (!this.closed) this.start().catch(() => {})
  }

  /** Whether a thread is running (started and not dead). */
  get running(): boolean {
    return this.thread !== null
  }

  /** Test hook: the thread throws an uncaught error before it handles the next call (which rejects as a crash). */
  crashForTest(): void {
    this.crashNext = true
  }

  /** Ends the thread; calls still in flight reject as a crash (owners wait for theirs first). */
  async close(): Promise<void> {
    this.closed = true
    const thread = this.thread
    if (!thread) return
    await new Promise<void>((resolve) => {
      // A thread that does not end on its own (its connection hangs) is stopped.
      const timer = setTimeout(() => void thread.terminate(), 10_000)
      thread.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      thread.postMessage({ type: 'close' } satisfies ToThread<Req>)
    })
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready
    const thread = typeScriptThread(this.options.entry, { workerData: this.options.workerData })
    this.thread = thread
    this.ready = new Promise<void>((resolve, reject) => {
      let opened = false
      const died = (cause: Error) => {
        if (this.thread !== thread) return
        this.thread = null
        this.ready = null
        if (!this.closed) this.crashes += 1
        const error = this.options.crashed(cause)
        if (!opened) reject(error)
        for (const waiting of this.pending.values()) waiting.reject(error)
        this.pending.clear()
      }
      thread.on('message', (message: FromThread<Res>) => {
        if (message.type === 'ready') {
          opened = true
          resolve()
          return
        }
        if (message.type === 'open-failed') {
          died(new Error(`it could not open: ${message.message}`))
          void thread.terminate()
          return
        }
        const waiting = this.pending.get(message.id)
        if (!waiting) return
        this.pending.delete(message.id)
        if (message.ok) waiting.resolve(message.result)
        else if (message.status !== undefined)
          waiting.reject(new AppError(message.status as 400, message.code ?? 'bad_request', message.message))
        else waiting.reject(new Error(message.message))
      })
      thread.on('error', (error) => died(error))
      thread.on('exit', (code) => died(new Error(`exit code ${code}`)))
    })
    // Awaited by `call`; not an unhandled rejection when no call waits.
    this.ready.catch(() => {})
    if (this.options.unref) thread.unref()
    return this.ready
  }
}
