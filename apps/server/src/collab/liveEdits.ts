/**
 * When a client last edited a document live (a Yjs update over its WebSocket; server writes and imports do not
 * count). An import reads it to give way: while others edit, it pauses between its batches (imports/ImportJobs.ts,
 * `liveShare`), so their edits find the machine less busy.
 */
export class LiveEdits {
  private last = Number.NEGATIVE_INFINITY

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A client's update was applied. */
  noted(): void {
    this.last = this.now()
  }

  /** Milliseconds since the last live edit (Infinity before the first). */
  msSinceLast(): number {
    return this.now() - this.last
  }
}
