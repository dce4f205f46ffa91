import type { Actor } from '../collab/directWrites.ts'
import { lowerThreadPriority, serveThread } from '../threads/threadServer.ts'
import { type BuildOutcome, type BuildRequest, buildRequested } from './bulkCreate.ts'

/*
 * The worker thread of DocumentBuilder.ts: builds the requested documents (`buildRequested`, the same function the
 * main thread would run) and sends back their states, state vectors (their buffers transferred) and records.
 */

lowerThreadPriority()

serveThread<{ actor: Actor; requests: BuildRequest[] }, BuildOutcome[]>(
  'documentBuildThread.ts',
  async () => ({
    handle({ actor, requests }) {
      const outcomes: BuildOutcome[] = []
      const transfer: ArrayBuffer[] = []
      for (const request of requests) {
        const outcome = buildRequested(actor, request)
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
      return { result: outcomes, transfer }
    },
  }),
)
