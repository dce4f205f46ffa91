import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { isAppError } from '../errors.ts'
import type { BulkIndexSpec, FromThread, ToThread } from './BulkApplier.ts'
import type { RecordIndex } from './RecordIndex.ts'

/*
 * The worker thread of BulkApplier.ts: opens its own connection to the index (the tables exist: the main thread
 * opened it first) and runs the applies it is sent, one at a time, in the order they come.
 */

const spec = workerData as BulkIndexSpec
const port = parentPort
if (!port) throw new Error('bulkApplierThread.ts runs as a worker thread only.')

async function open(): Promise<RecordIndex> {
  if (spec.kind === 'sqlite') {
    const { openSqliteRecordIndex } = await import('./sqliteRecordIndex.ts')
    // Statistics stay the main thread's job (under its write lock): no `optimize` here.
    return openSqliteRecordIndex(spec.file, { statistics: false })
  }
  const { openPostgresRecordIndex } = await import('./postgresRecordIndex.ts')
  return openPostgresRecordIndex({
    url: spec.url,
    schema: spec.schema,
    poolSize: 1,
    vacuumEveryRows: Number.POSITIVE_INFINITY,
  })
}

const send = (message: FromThread) => port.postMessage(message)

/**
 * This thread runs at a lower priority than the main thread (Linux: `setpriority` of the thread's own id, nice 10):
 * on a machine with few cores the event loop that broadcasts others' edits is scheduled first, the bulk work takes
 * what is left. Elsewhere (no `/proc/thread-self`) the thread keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10)
  } catch {
    // not Linux, or not allowed: the same priority as the main thread
  }
}
// Only for bulk work: a thread that applies live changes too keeps the main thread's priority.
if (!spec.allApplies) lowerPriority()

open().then(
  (index) => {
    // One apply at a time, in order (the main thread sends one at a time anyway, under its write lock).
    let queue: Promise<void> = Promise.resolve()
    port.on('message', (message: ToThread) => {
      if (message.type === 'crash') throw new Error('bulk index thread crashed (test)')
      if (message.type === 'close') {
        queue = queue.then(() => index.close()).then(() => process.exit(0))
        return
      }
      const { id, batch } = message
      queue = queue.then(() =>
        index.apply(batch).then(
          (applied) => send({ id, ok: true, applied }),
          (error: unknown) =>
            send(
              isAppError(error)
                ? { id, ok: false, message: error.message, status: error.status, code: error.code }
                : { id, ok: false, message: error instanceof Error ? error.message : String(error) },
            ),
        ),
      )
    })
    send({ type: 'ready' })
  },
  (error: unknown) =>
    send({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) }),
)
