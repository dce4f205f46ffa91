import * as Y from 'yjs'

/**
 * One state from a stored state and its logged updates (`DocumentStore.load`). Updates are applied one by one, so
 * an update Yjs cannot read is skipped instead of losing the rest; no log → the state as it is.
 */
export const mergeLogged = (state: Uint8Array | null, log: readonly Uint8Array[]): Uint8Array | null => {
  if (log.length === 0) return state
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  for (const update of log) {
    try {
      Y.applyUpdate(doc, update)
    } catch {
      // An unreadable record: the others still count.
    }
  }
  return Y.encodeStateAsUpdate(doc)
}
