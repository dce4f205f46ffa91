import { crc32 } from 'node:zlib'

/**
 * The on-disk framing of one logged Yjs update: `[byte length u32 LE][crc32 of the bytes u32 LE][bytes]`.
 * Append-only files can only be damaged at their end (a crash mid-write); the length and checksum detect such a
 * torn record, and a record that claims more than `MAX_LOG_RECORD_BYTES` is treated as damage too.
 */
export const LOG_HEADER_BYTES = 8
/** Larger than any update the server accepts (1 MiB WebSocket frames; server writes are record-sized). */
export const MAX_LOG_RECORD_BYTES = 64 * 1024 * 1024

export const encodeLogRecord = (update: Uint8Array): Buffer => {
  const record = Buffer.allocUnsafe(LOG_HEADER_BYTES + update.byteLength)
  record.writeUInt32LE(update.byteLength, 0)
  record.writeUInt32LE(crc32(update), 4)
  record.set(update, LOG_HEADER_BYTES)
  return record
}

export interface DecodedLog {
  /** The intact records, in file order. */
  updates: Uint8Array[]
  /** Bytes from the first damaged record on (0 when the whole file is intact); they are ignored. */
  damagedBytes: number
}

/** Reads records until the end or the first damaged one (short header, length over the cap or past the end, bad crc). */
export const decodeLogRecords = (bytes: Uint8Array, maxRecordBytes = MAX_LOG_RECORD_BYTES): DecodedLog => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const updates: Uint8Array[] = []
  let offset = 0
  while (offset < buffer.byteLength) {
    if (buffer.byteLength - offset < LOG_HEADER_BYTES) break
    const length = buffer.readUInt32LE(offset)
    const checksum = buffer.readUInt32LE(offset + 4)
    const start = offset + LOG_HEADER_BYTES
    if (length === 0 || length > maxRecordBytes || start + length > buffer.byteLength) break
    const update = buffer.subarray(start, start + length)
    if (crc32(update) !== checksum) break
    updates.push(new Uint8Array(update))
    offset = start + length
  }
  return { updates, damagedBytes: buffer.byteLength - offset }
}
