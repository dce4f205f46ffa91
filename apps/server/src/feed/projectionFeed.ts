import type { Projection } from '../projection/Projection.ts'
import type { FeedHub, FeedInput } from './FeedHub.ts'

/**
 * Feeds the hub from the projection's record events (until the persisted index assigns seqs after its commit): the
 * changes of one Yjs transaction — and of everything else in the same turn — are collected and published in one
 * `setImmediate`, after Hocuspocus has broadcast the update, so the broadcast path never pays for the feed. A record
 * changed several times in one turn is sent once, with its latest state. Returns the function that stops it.
 */
export function feedFromProjection(projection: Projection, hub: FeedHub): () => void {
  const pending = new Map<string, Map<string, FeedInput>>()
  let scheduled: NodeJS.Immediate | null = null

  const flush = () => {
    scheduled = null
    const batches = [...pending]
    pending.clear()
    for (const [workspaceId, inputs] of batches) hub.publish(workspaceId, [...inputs.values()])
  }

  const stop = projection.on((event) => {
    if (event.type !== 'record') return
    let inputs = pending.get(event.workspaceId)
    if (!inputs) {
      inputs = new Map()
      pending.set(event.workspaceId, inputs)
    }
    const key = `${event.kind}:${event.id}`
    // Re-inserted so the batch keeps the order of the latest changes.
    inputs.delete(key)
    inputs.set(
      key,
      event.after
        ? { kind: event.kind, id: event.id, op: 'upsert', row: event.after, doc: event.docName }
        : { kind: event.kind, id: event.id, op: 'remove', doc: event.docName },
    )
    scheduled ??= setImmediate(flush)
  })

  return () => {
    stop()
    if (scheduled) clearImmediate(scheduled)
    scheduled = null
    pending.clear()
  }
}
