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

/** What the thread is asked: an apply, or one of an import's reads (checked again in the thread). */
export type IndexThreadRequest =
  | { op: 'apply'; batch: IndexBatch }
  | { op: 'importMatches'; workspaceId: string; kind: MatchKind; rule: ImportMatchRule; keys: string[] }
  | { op: 'getMany'; workspaceId: string; kind: RecordKind; ids: string[] }

/** The thread's answer to each request (`IndexThreadRequest`), by `op`. */
export interface IndexThreadAnswers {
  apply: AppliedChange[]
  importMatches: Array<{ key: string; id: string }>
  getMany: IndexedRecord[]
}
export type IndexThreadAnswer = IndexThreadAnswers[keyof IndexThreadAnswers]

/** The index's applies in a worker thread (bulkApplierThread.ts); each call rejects with BulkApplierCrashed when it dies. */
export class BulkApplier extends ThreadClient<IndexThreadRequest, IndexThreadAnswer> {
  /** Reads (`importMatches`, `getMany`) the thread answered (tests, logs). */
  readsAnswered = 0

  constructor(spec: BulkIndexSpec) {
    super({
      entry: new URL('./bulkApplierThread.ts', import.meta.url).href,
      workerData: spec,
      crashed: (cause) =>
        new BulkApplierCrashed(`The bulk index thread stopped: ${cause.message}`, { cause }),
    })
  }

  /** Applies `batch` in the thread (started if needed); rejects with BulkApplierCrashed when the thread dies. */
  apply(batch: IndexBatch): Promise<AppliedChange[]> {
    return this.call({ op: 'apply', batch }) as Promise<AppliedChange[]>
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
