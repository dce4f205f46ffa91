import { workerData } from 'node:worker_threads'
import { lowerThreadPriority, serveThread } from '../threads/threadServer.ts'
import type { BulkIndexSpec, IndexThreadAnswer, IndexThreadRequest } from './BulkApplier.ts'
import type { KyselyRecordIndex } from './kyselyRecordIndex.ts'

/*
 * The worker thread of BulkApplier.ts: opens its own connection to the index (the tables exist: the main thread
 * opened it first) and runs the applies and reads it is sent, one at a time, in the order they come.
 */

const spec = workerData as BulkIndexSpec

// Only for bulk work: a thread that applies live changes too keeps the main thread's priority.
if (!spec.allApplies) lowerThreadPriority()

serveThread<IndexThreadRequest, IndexThreadAnswer>('bulkApplierThread.ts', async () => {
  const index = (
    spec.kind === 'sqlite'
      ? // Statistics stay the main thread's job (under its write lock): no `optimize` here.
        await (await import('./sqliteRecordIndex.ts')).openSqliteRecordIndex(spec.file, { statistics: false })
      : await (await import('./postgresRecordIndex.ts')).openPostgresRecordIndex({
          url: spec.url,
          schema: spec.schema,
          poolSize: 1,
          vacuumEveryRows: Number.POSITIVE_INFINITY,
        })
  ) as KyselyRecordIndex
  return {
    handle: async (request) => {
      switch (request.op) {
        case 'apply':
          return { result: await index.apply(request.batch) }
        case 'importMatches':
          // The select only: the main thread made the field's match index and keeps the statistics.
          return {
            result: await index.findImportMatches(
              request.workspaceId,
              request.kind,
              request.rule,
              request.keys,
            ),
          }
        case 'getMany':
          return { result: await index.getMany(request.workspaceId, request.kind, request.ids) }
      }
    },
    close: () => index.close(),
  }
})
