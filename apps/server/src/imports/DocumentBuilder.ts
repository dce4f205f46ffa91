import type { Worker } from 'node:worker_threads'
import type { Actor } from '../collab/directWrites.ts'
import { typeScriptThread } from '../tsThread.ts'
import { type BuildOutcome, type BuildRequest, buildRequested } from './bulkCreate.ts'

/*
 * The bulk path's documents built in a worker thread (issue #14: others' edits stay fast during an import). Building
 * an account's or contact's document (a Y.Doc, the model command, the projection's read back, the encodes) is the
 * import's largest share of main-thread allocation: on the event loop Hocuspocus broadcasts on, its garbage made the
 * young-generation collections of the main heap long and frequent, and each slice of 50 builds held others' edits.
 * Here the same function (`buildRequested`) runs in a thread with its own heap; the main thread receives only the
 * states and state vectors (buffers transferred) and the records (cloned).
 *
 * The thread starts with the first build (or `warm`) and loads the TypeScript through tsx's `register` API, as the
 * index's bulk thread does (recordIndex/BulkApplier.ts). Should it die or fail to start, the requests it held are
 * built on the main thread instead — the same outcomes, only slower for others' edits — and after a few deaths the
 * builder stays on the main thread.
 */

export type ToBuildThread =
  | { type: 'build'; id: number; actor: Actor; requests: BuildRequest[] }
  | { type: 'close' }
  /** Test hook: the thread throws at once. */
  | { type: 'crash' }
export type FromBuildThread = { type: 'ready' } | { id: number; outcomes: BuildOutcome[] }

/** Requests per message: the main thread receives (deserializes) one message per event-loop turn. */
const MESSAGE_REQUESTS = 50
/** Threads that died before the builder stays on the main thread. */
const MAX_CRASHES = 3

interface Pending {
  resolve: (outcomes: BuildOutcome[]) => void
  reject: (error: Error) => void
}

export class DocumentBuilder {
  private thread: Worker | null = null
  private ready: Promise<void> | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false
  private crashNext = false
  /** Threads that died (tests, logs). */
  crashes = 0
  /** Requests the thread built (tests: the main thread built the rest). */
  builtInThread = 0

  /** `threaded: false`: every build on the main thread (no worker). */
  constructor(private readonly threaded = true) {}

  /**
   * Builds `requests` in order; resolves with one outcome each. In the thread when it runs (the main thread only
   * waits), else here, yielding to the event loop between slices.
   */
  async build(actor: Actor, requests: readonly BuildRequest[]): Promise<BuildOutcome[]> {
    const slices: BuildRequest[][] = []
    for (let i = 0; i < requests.length; i += MESSAGE_REQUESTS)
      slices.push(requests.slice(i, i + MESSAGE_REQUESTS))
    const built: Array<Promise<BuildOutcome[]>> = []
    for (const [i, slice] of slices.entries()) {
      // One slice's message is cloned per event-loop turn (cloning the whole batch at once held it several ms).
      if (i > 0) await yieldToLoop()
      const outcomes = this.inThread(actor, slice).catch(async () => {
        // The thread died (or never started): the slice is built here, as before the thread.
        await yieldToLoop()
        return slice.map((request) => buildRequested(actor, request))
      })
      built.push(outcomes)
    }
    return (await Promise.all(built)).flat()
  }

  /** Starts the thread (a job about to build) so the first batch does not wait for its modules to load. */
  warm(): void {
    if (this.usable) this.start().catch(() => {})
  }

  private get usable(): boolean {
    return this.threaded && !this.closed && this.crashes < MAX_CRASHES
  }

  private async inThread(actor: Actor, requests: BuildRequest[]): Promise<BuildOutcome[]> {
    if (!this.usable) throw new Error('no build thread')
    await this.start()
    const thread = this.thread
    if (!thread) throw new Error('the build thread is not running')
    const id = this.nextId++
    return new Promise<BuildOutcome[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.crashNext) {
        this.crashNext = false
        thread.postMessage({ type: 'crash' } satisfies ToBuildThread)
      }
      thread.postMessage({ type: 'build', id, actor, requests } satisfies ToBuildThread)
    })
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready
    const target = new URL('./documentBuildThread.ts', import.meta.url).href
    const thread = typeScriptThread(target)
    this.thread = thread
    this.ready = new Promise<void>((resolve, reject) => {
      let started = false
      const died = (error: Error) => {
        if (this.thread !== thread) return
        this.thread = null
        this.ready = null
        this.crashes += 1
        if (!started) reject(error)
        for (const waiting of this.pending.values()) waiting.reject(error)
        this.pending.clear()
      }
      thread.on('message', (message: FromBuildThread) => {
        if ('type' in message) {
          started = true
          resolve()
          return
        }
        const waiting = this.pending.get(message.id)
        if (!waiting) return
        this.pending.delete(message.id)
        this.builtInThread += message.outcomes.length
        waiting.resolve(message.outcomes)
      })
      thread.on('error', (error) => died(error))
      thread.on('exit', (code) => died(new Error(`the document build thread exited (${code})`)))
    })
    // Awaited by `inThread`; not an unhandled rejection when no build waits.
    this.ready.catch(() => {})
    // An idle thread does not keep the process alive.
    thread.unref()
    return this.ready
  }

  /** Test hook: the thread of the next build throws before it handles that build. */
  crashForTest(): void {
    this.crashNext = true
  }

  /** Ends the thread (the builds in flight are built on the main thread instead). */
  async close(): Promise<void> {
    this.closed = true
    const thread = this.thread
    if (!thread) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void thread.terminate(), 10_000)
      thread.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      thread.postMessage({ type: 'close' } satisfies ToBuildThread)
    })
  }
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
