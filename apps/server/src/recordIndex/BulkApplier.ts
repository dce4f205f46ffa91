import type { RecordKind } from '../projection/recordKinds.ts'
import { ThreadClient } from '../threads/threadClient.ts'
import type { MatchKind } from './importKeys.ts'
import type { AppliedChange, ImportMatchRule, IndexBatch, IndexedRecord } from './RecordIndex.ts'

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
 *
 * With every apply in the thread (`INDEX_THREAD=all`) it also answers an import's index reads, `importMatches` and
 * `getMany` (a batch of 1,000 rows: ~12 % of the main thread in the slowest probe rounds of others' edits during an
 * import, all synchronous SQLite work). They are answered in order with the applies, so a read sent after an apply
 * sees what it wrote; they change nothing, so one lost with a crashed thread is asked again (kyselyRecordIndex.ts).
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

/** Entries (records and document states) per message of a large apply (`BulkApplier.apply`). */
export const STAGE_ENTRIES = 100

/** What the thread is asked: an apply, or one of an import's reads (checked again in the thread). */
export type IndexThreadRequest =
  | { op: 'apply'; batch: IndexBatch }
  /** Part of the next `apply`'s batch, sent ahead in its own message (held by the thread until that apply). */
  | { op: 'stage'; part: Pick<IndexBatch, 'records' | 'docStates'> }
  | { op: 'importMatches'; workspaceId: string; kind: MatchKind; rule: ImportMatchRule; keys: string[] }
  | { op: 'getMany'; workspaceId: string; kind: RecordKind; ids: string[] }

/** The thread's answer to each request (`IndexThreadRequest`), by `op`. */
export interface IndexThreadAnswers {
  apply: AppliedChange[]
  stage: null
  importMatches: Array<{ key: string; id: string }>
  getMany: IndexedRecord[]
}
export type IndexThreadAnswer = IndexThreadAnswers[keyof IndexThreadAnswers]

/** The index's applies in a worker thread (bulkApplierThread.ts); each call rejects with BulkApplierCrashed when it dies. */
export class BulkApplier extends ThreadClient<IndexThreadRequest, IndexThreadAnswer> {
  /** Reads (`importMatches`, `getMany`) the thread answered (tests, logs). */
  readsAnswered = 0
  /** Parts of large applies sent ahead (tests). */
  partsStaged = 0

  constructor(spec: BulkIndexSpec) {
    super({
      entry: new URL('./bulkApplierThread.ts', import.meta.url).href,
      workerData: spec,
      crashed: (cause) =>
        new BulkApplierCrashed(`The bulk index thread stopped: ${cause.message}`, { cause }),
    })
  }

  /**
   * Applies `batch` in the thread (started if needed); rejects with BulkApplierCrashed when the thread dies. A large
   * batch goes over in parts of STAGE_ENTRIES, one message per event-loop turn: cloning an import's 1,000 records
   * with their document states in one message held the event loop ~2.5 ms on a slow machine (others' edits wait
   * behind it), a part of 100 ~0.25 ms. The thread applies the parts and the rest as one transaction, as before.
   * The caller holds the index's write lock throughout, so no other apply comes between the parts.
   */
  async apply(batch: IndexBatch): Promise<AppliedChange[]> {
    const records = batch.records ?? []
    const docStates = batch.docStates ?? []
    if (records.length + docStates.length <= 2 * STAGE_ENTRIES)
      return (await this.call({ op: 'apply', batch })) as AppliedChange[]
    const staged: Array<Promise<unknown>> = []
    // A thread that died while the parts were sent took them with it: the rest must not go to its successor.
    const crashesBefore = this.crashes
    const died = async (): Promise<never> => {
      await Promise.all(staged)
      throw new BulkApplierCrashed('The bulk index thread stopped while a batch was sent to it.')
    }
    let r = 0
    let d = 0
    // The last part goes with the apply itself.
    while (records.length - r + docStates.length - d > STAGE_ENTRIES) {
      if (this.crashes !== crashesBefore) return died()
      const partRecords = records.slice(r, r + STAGE_ENTRIES)
      const part = {
        records: partRecords,
        docStates: docStates.slice(d, d + STAGE_ENTRIES - partRecords.length),
      }
      r += part.records.length
      d += part.docStates.length
      const sent = this.call({ op: 'stage', part })
      this.partsStaged += 1
      // Awaited with the apply below; not an unhandled rejection if the thread dies meanwhile.
      sent.catch(() => {})
      staged.push(sent)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    if (this.crashes !== crashesBefore) return died()
    const applied = this.call({
      op: 'apply',
      batch: { ...batch, records: records.slice(r), docStates: docStates.slice(d) },
    }) as Promise<AppliedChange[]>
    // Both awaited at once: whichever rejects first, the other is not left an unhandled rejection.
    const [result] = await Promise.all([applied, ...staged])
    return result
  }

  /** The index's `importMatches` (its DDL and statistics left to the caller), answered by the thread. */
  async importMatches(
    workspaceId: string,
    kind: MatchKind,
    rule: ImportMatchRule,
    keys: string[],
  ): Promise<Array<{ key: string; id: string }>> {
    const found = await this.call({ op: 'importMatches', workspaceId, kind, rule, keys })
    this.readsAnswered += 1
    return found as IndexThreadAnswers['importMatches']
  }

  /** The index's `getMany`, answered by the thread. */
  async getMany(workspaceId: string, kind: RecordKind, ids: string[]): Promise<IndexedRecord[]> {
    const found = await this.call({ op: 'getMany', workspaceId, kind, ids })
    this.readsAnswered += 1
    return found as IndexThreadAnswers['getMany']
  }
}
