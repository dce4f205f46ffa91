import type { beforeHandleMessagePayload, Extension } from '@hocuspocus/server'
import * as decoding from 'lib0/decoding'

/** Hocuspocus' `MessageType.Awareness`. */
const AWARENESS = 1

/** The awareness update inside a Hocuspocus frame (`varString documentName, varUint type, varUint8Array`), else null. */
export const awarenessInFrame = (frame: Uint8Array): Uint8Array | null => {
  try {
    const decoder = decoding.createDecoder(frame)
    decoding.readVarString(decoder)
    if (decoding.readVarUint(decoder) !== AWARENESS) return null
    return decoding.readVarUint8Array(decoder)
  } catch {
    return null
  }
}

/**
 * Presence is broadcast when it arrives, not after the connection's earlier messages are answered. The patched
 * Hocuspocus (docs/ARCHITECTURE.md, "A connection's messages are applied and answered in arrival order") applies a
 * connection's messages one after the other, and an update's turn ends only once its log append is on disk: a cursor
 * or "editing" state sent right after an edit waited for that fsync (~30 ms on this machine) before anyone saw it.
 * This hook applies the awareness update at arrival, as Hocuspocus itself would (same origin, so it tracks the
 * connection's awareness clients); Hocuspocus' own apply in turn finds the same clocks and changes nothing. Bytes that
 * do not apply are left to that apply, which closes the connection as before. `refused` names documents whose
 * messages a later hook refuses (retired, deleted): nothing of theirs is applied here.
 */
export function awarenessAtArrivalExtension(refused: (documentName: string) => boolean): Extension {
  return {
    extensionName: 'rapport-awareness-at-arrival',
    // Before persistence (1000) and attribution (1001), whose hooks may wait (an update's log append).
    priority: 1002,
    async beforeHandleMessage({ connection, document, documentName, update }: beforeHandleMessagePayload) {
      const awareness = awarenessInFrame(update)
      if (awareness === null || refused(documentName)) return
      try {
        document.applyAwarenessUpdate(connection, awareness)
      } catch {
        // Malformed: Hocuspocus applies the same bytes in turn and closes the connection.
      }
    },
  }
}
