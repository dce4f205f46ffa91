import { workerData } from 'node:worker_threads'
import { lowerThreadPriority, serveThread } from '../threads/threadServer.ts'
import type { BulkIndexSpec } from './BulkApplier.ts'
import type { AppliedChange, IndexBatch } from './RecordIndex.ts'

/*
 * The worker thread of BulkApplier.ts: opens its own connection to the index (the tables exist: the main thread
 * opened it first) and runs the applies it is sent, one at a time, in the order they come.
 */

const spec = workerData as BulkIndexSpec

// Only for bulk work: a thread that applies live changes too keeps the main thread's priority.
if (!spec.allApplies) lowerThreadPriority()

serveThread<IndexBatch, AppliedChange[]>('bulkApplierThread.ts', async () => {
  const index =
    spec.kind === 'sqlite'
      ? // Statistics stay the main thread's job (under its write lock): no `optimize` here.
        await (await import('./sqliteRecordIndex.ts')).openSqliteRecordIndex(spec.file, { statistics: false })
      : await (await import('./postgresRecordIndex.ts')).openPostgresRecordIndex({
          url: spec.url,
          schema: spec.schema,
          poolSize: 1,
          vacuumEveryRows: Number.POSITIVE_INFINITY,
        })
  return {
    handle: async (batch) => ({ result: await index.apply(batch) }),
    close: () => index.close(),
  }
})
