import type * as Y from 'yjs'
import { type LostSet, lostSetsOf } from './lostSets.ts'
import { type OriginActor, originActor } from './originActor.ts'

/** Yjs client ids remembered per document, to name who wrote a kept value (oldest forgotten first). */
const MAX_WRITERS = 1_000

export type LostSetsListener = (
  lost: LostSet[],
  /** Who sent the losing sets (the transaction's connection or server write). */
  actor: OriginActor,
  /** Who last sent updates of a Yjs client id on this document since it was loaded, if known. */
  writerOf: (client: number) => OriginActor | null,
) => void

/**
 * Follows a loaded document's transactions: remembers which authenticated connection sent each Yjs client id's
 * updates (attribution stays on the server) and reports field sets of `collection` that lost at once to a
 * concurrent set (`lostSetsOf`). Returns the function that stops following.
 */
export function watchLostSets(doc: Y.Doc, collection: Y.Map<unknown>, onLost: LostSetsListener): () => void {
  const writers = new Map<number, OriginActor>()
  const handler = (txn: Y.Transaction): void => {
    if (txn.changed.size === 0) return
    const actor = originActor(txn.origin)
    if (!actor) return
    for (const [client, clock] of txn.afterState) {
      if (clock <= (txn.beforeState.get(client) ?? 0)) continue
      writers.delete(client)
      writers.set(client, actor)
      if (writers.size > MAX_WRITERS) {
        const oldest = writers.keys().next().value
        if (oldest !== undefined) writers.delete(oldest)
      }
    }
    if (actor.internal) return
    const lost = lostSetsOf(txn, collection)
    if (lost.length > 0) onLost(lost, actor, (client) => writers.get(client) ?? null)
  }
  doc.on('afterTransaction', handler)
  return () => doc.off('afterTransaction', handler)
}
