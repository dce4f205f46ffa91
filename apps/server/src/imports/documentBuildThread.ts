import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import type { BuildOutcome } from './bulkCreate.ts'
import { buildRequested } from './bulkCreate.ts'
import type { FromBuildThread, ToBuildThread } from './DocumentBuilder.ts'

/*
 * The worker thread of DocumentBuilder.ts: builds the requested documents (`buildRequested`, the same function the
 * main thread would run) and sends back their states, state vectors (their buffers transferred) and records.
 */

const port = parentPort
if (!port) throw new Error('documentBuildThread.ts runs as a worker thread only.')

/**
 * A lower priority than the main thread (Linux: `setpriority` of the thread's own id), as the index's bulk thread: on
 * a machine with few cores the event loop that broadcasts others' edits is scheduled first.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10)
  } catch {
    // not Linux, or not allowed: the same priority as the main thread
  }
}
lowerPriority()

port.on('message', (message: ToBuildThread) => {
  if (message.type === 'crash') throw new Error('document build thread crashed (test)')
  if (message.type === 'close') {
    process.exit(0)
  }
  const outcomes: BuildOutcome[] = []
  const transfer: ArrayBuffer[] = []
  for (const request of message.requests) {
    const outcome = buildRequested(message.actor, request)
    if (outcome.ok) {
      transfer.push(
        outcome.built.state.buffer as ArrayBuffer,
        outcome.built.stateVector.buffer as ArrayBuffer,
      )
      outcomes.push(outcome)
    } else {
      // The error itself stays here (it may not clone): its kind and message are what the job logs.
      outcomes.push({ ok: false, model: outcome.model, message: outcome.message })
    }
  }
  port.postMessage({ id: message.id, outcomes } satisfies FromBuildThread, transfer)
})
port.postMessage({ type: 'ready' } satisfies FromBuildThread)
