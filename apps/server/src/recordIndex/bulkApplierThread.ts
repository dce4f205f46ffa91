import { workerData } from 'node:worker_threads'
import { lowerThreadPriority, serveThread } from '../threads/threadServer.ts'
import type { BulkIndexSpec, IndexThreadAnswer, IndexThreadRequest } from './BulkApplier.ts'
import type { KyselyRecordIndex } from './kyselyRecordIndex.ts'
import type { DocStateChange, RecordChange } from './RecordIndex.ts'

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
  // The parts of the next apply's batch sent ahead (BulkApplier.apply), in order.
  let staged: { records: RecordChange[]; docStates: DocStateChange[] } = { records: [], docStates: [] }
  return {
    handle: async (request) => {
      switch (request.op) {
        case 'stage':
          for (const change of request.part.records ?? []) staged.records.push(change)
          for (const state of request.part.docStates ?? []) staged.docStates.push(state)
          return { result: null }
        case 'apply': {
          const { batch } = request
          const parts = staged
          staged = { records: [], docStates: [] }
          const whole =
            parts.records.length + parts.docStates.length === 0
              ? batch
              : {
                  ...batch,
                  records: [...parts.records, ...(batch.records ?? [])],
                  docStates: [...parts.docStates, ...(batch.docStates ?? [])],
                }
          return { result: await index.apply(whole) }
        }
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
