import type { Actor } from '../collab/directWrites.ts'
import { ThreadClient } from '../threads/threadClient.ts'
import { type BuildOutcome, type BuildRequest, buildRequested } from './bulkCreate.ts'
import { nextImportTurn } from './importTurns.ts'

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

/** Requests per message: the main thread receives (deserializes) one message per event-loop turn. */
const MESSAGE_REQUESTS = 50
/** Threads that died before the builder stays on the main thread. */
const MAX_CRASHES = 3

export class DocumentBuilder {
  private readonly client = new ThreadClient<{ actor: Actor; requests: BuildRequest[] }, BuildOutcome[]>({
    entry: new URL('./documentBuildThread.ts', import.meta.url).href,
    crashed: (cause) => new Error(`The document build thread stopped: ${cause.message}`, { cause }),
    // An idle thread does not keep the process alive.
    unref: true,
  })
  private closed = false
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
    if (this.usable) this.client.warm()
  }

  /** Threads that died (tests, logs). */
  get crashes(): number {
    return this.client.crashes
  }

  private get usable(): boolean {
    return this.threaded && !this.closed && this.client.crashes < MAX_CRASHES
  }

  private async inThread(actor: Actor, requests: BuildRequest[]): Promise<BuildOutcome[]> {
    if (!this.usable) throw new Error('no build thread')
    const outcomes = await this.client.call({ actor, requests })
    this.builtInThread += outcomes.length
    return outcomes
  }

  /** Test hook: the thread of the next build throws before it handles that build. */
  crashForTest(): void {
    this.client.crashForTest()
  }

  /** Ends the thread (the builds in flight are built on the main thread instead). */
  async close(): Promise<void> {
    this.closed = true
    await this.client.close()
  }
}

/** The import's yield: one slice of its work per event-loop turn (importTurns.ts). */
const yieldToLoop = nextImportTurn
