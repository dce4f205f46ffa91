import * as Y from 'yjs'

/**
 * Applies a stored state to a document Hocuspocus is loading. Its `Document` listens to its own `update` event from
 * construction, and Yjs encodes every transaction as an update for such listeners: a plain `applyUpdate` would
 * re-encode the whole stored state and build a broadcast message for it (no connection is attached yet) — for a
 * 5,000-deal pipeline ~150 ms and megabytes of garbage per load. The `update` listeners are set aside for this one
 * transaction and put back.
 */
export function applyWithoutUpdateEvents(doc: Y.Doc, state: Uint8Array): void {
  const observers = (doc as unknown as { _observers?: unknown })._observers
  const listeners = observers instanceof Map ? observers.get('update') : undefined
  if (!(observers instanceof Map) || listeners === undefined) {
    Y.applyUpdate(doc, state)
    return
  }
  observers.delete('update')
  try {
    Y.applyUpdate(doc, state)
  } finally {
    observers.set('update', listeners)
  }
}
