import * as decoding from 'lib0/decoding'

/** Hocuspocus message types that carry a y-protocols sync message (`MessageType.Sync`, `MessageType.SyncReply`). */
const SYNC = 0
const SYNC_REPLY = 4
/** y-protocols sync message types that change the document. */
const SYNC_STEP_2 = 1
const UPDATE = 2

/**
 * The Yjs update inside a Hocuspocus frame (`varString documentName, varUint messageType, varUint syncType,
 * varUint8Array update`) when the frame is a document-changing sync message (sync step 2 or update), else null.
 * Malformed frames give null: Hocuspocus itself rejects them.
 */
export const updateInFrame = (frame: Uint8Array): Uint8Array | null => {
  try {
    const decoder = decoding.createDecoder(frame)
    decoding.readVarString(decoder)
    const type = decoding.readVarUint(decoder)
    if (type !== SYNC && type !== SYNC_REPLY) return null
    const syncType = decoding.readVarUint(decoder)
    if (syncType !== SYNC_STEP_2 && syncType !== UPDATE) return null
    return decoding.readVarUint8Array(decoder)
  } catch {
    return null
  }
}
