import { type FileHandle, mkdir, open, readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeLogRecords, encodeLogRecord, MAX_LOG_RECORD_BYTES } from './updateLogRecords.ts'

export interface FileUpdateLogOptions {
  /** Directory of the segment files (created on the first append). */
  dir: string
  /** fdatasync every group of appends (and the directory when a segment is created) before resolving them. */
  fsync: boolean
  /** Records claiming more bytes are treated as damage (default MAX_LOG_RECORD_BYTES). */
  maxRecordBytes?: number
}

export interface LogRead {
  updates: Uint8Array[]
  /** Bytes skipped because a segment ended in a torn or damaged record. */
  damagedBytes: number
}

/**
 * Append-only Yjs update logs, one chain of numbered segment files per document:
 * `<dir>/<encodeURIComponent(name)>.<generation>.ylog`, each a sequence of `updateLogRecords` records.
 *
 * - Group commit: appends are queued; one writer loop writes every queued record of a segment in one write and one
 *   fdatasync, and resolves them together. Appends arriving meanwhile form the next group.
 * - `seal(name)` (called synchronously when a store of the document starts) closes the current segment to new
 *   appends and returns its generation; once the stored state landed, `dropThrough(name, generation)` deletes the
 *   sealed segments. A crash in between leaves them on disk: replaying them onto the stored state is idempotent.
 * - Segments found at start-up are never appended to (their last record may be torn); new appends open a new one.
 * - A failed write marks its segment broken: later appends go to a new segment, never after a partial record.
 */
export class FileUpdateLog {
  readonly #dir: string
  readonly #fsync: boolean
  readonly #maxRecordBytes: number
  readonly #docs = new Map<string, Segment[]>()
  #queue: Pending[] = []
  #writing: Promise<void> | null = null
  #ready: Promise<void> | null = null
  #dirMade: Promise<void> | null = null

  constructor(options: FileUpdateLogOptions) {
    this.#dir = options.dir
    this.#fsync = options.fsync
    this.#maxRecordBytes = options.maxRecordBytes ?? MAX_LOG_RECORD_BYTES
  }

  /** Scans the directory once; every other method awaits it. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      const files = await readdir(this.#dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return []
        throw error
      })
      for (const file of files) {
        const match = /^(.+)\.(\d+)\.ylog$/.exec(file)
        if (!match?.[1] || !match[2]) continue
        let name: string
        try {
          name = decodeURIComponent(match[1])
        } catch {
          continue
        }
        if (segmentFileName(name, Number(match[2])) !== file) continue
        this.#segmentsOf(name).push(this.#segment(name, Number(match[2]), true))
      }
      for (const segments of this.#docs.values()) segments.sort((a, b) => a.generation - b.generation)
    })()
    return this.#ready
  }

  /** Names that have logged updates (sorted by the caller). */
  names(): string[] {
    return [...this.#docs.keys()]
  }

  /** Resolves once the update is written (and fdatasynced when `fsync`). Call after `ready()` resolved. */
  append(name: string, update: Uint8Array): Promise<void> {
    const segments = this.#segmentsOf(name)
    let segment = segments.at(-1)
    if (!segment || segment.sealed || segment.broken) {
      segment = this.#segment(name, (segment?.generation ?? 0) + 1, false)
      segments.push(segment)
    }
    const record = encodeLogRecord(update)
    const written = new Promise<void>((resolve, reject) =>
      this.#queue.push({ segment, record, resolve, reject }),
    )
    segment.lastWrite = written.then(
      () => {},
      () => {},
    )
    this.#writing ??= this.#drain()
    return written
  }

  /** Closes the document's current segment to appends; returns the last generation on disk, or null when none. */
  seal(name: string): number | null {
    const segments = this.#docs.get(name)
    const last = segments?.at(-1)
    if (!last) return null
    last.sealed = true
    return last.generation
  }

  /** Deletes the document's segments up to `generation` once their pending writes ended. */
  async dropThrough(name: string, generation: number): Promise<void> {
    const segments = this.#docs.get(name)
    if (!segments) return
    const dropped = segments.filter((segment) => segment.generation <= generation)
    await Promise.all(dropped.map((segment) => segment.lastWrite))
    for (const segment of dropped) {
      await segment.handle?.close().catch(() => {})
      segment.handle = null
      await unlinkQuietly(segment.path)
    }
    const left = (this.#docs.get(name) ?? []).filter((segment) => !dropped.includes(segment))
    if (left.length === 0) this.#docs.delete(name)
    else this.#docs.set(name, left)
  }

  /** Every intact record of the document, oldest first; torn or damaged tails are skipped and counted. */
  async read(name: string): Promise<LogRead> {
    await this.ready()
    const result: LogRead = { updates: [], damagedBytes: 0 }
    for (const segment of [...(this.#docs.get(name) ?? [])]) {
      await segment.lastWrite
      const bytes = await readCapped(segment.path, MAX_SEGMENT_BYTES).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null
          throw error
        },
      )
      if (!bytes) continue
      const decoded = decodeLogRecords(bytes.data, this.#maxRecordBytes)
      result.updates.push(...decoded.updates)
      result.damagedBytes += decoded.damagedBytes + bytes.skipped
    }
    return result
  }

  /** Removes every segment of the document. */
  async remove(name: string): Promise<void> {
    await this.ready()
    const generation = this.seal(name)
    if (generation !== null) await this.dropThrough(name, generation)
  }

  async close(): Promise<void> {
    await this.#writing
    for (const segments of this.#docs.values()) {
      for (const segment of segments) {
        await segment.handle?.close().catch(() => {})
        segment.handle = null
      }
    }
  }

  #segmentsOf(name: string): Segment[] {
    let segments = this.#docs.get(name)
    if (!segments) {
      segments = []
      this.#docs.set(name, segments)
    }
    return segments
  }

  #segment(name: string, generation: number, sealed: boolean): Segment {
    const path = join(this.#dir, segmentFileName(name, generation))
    return { generation, path, sealed, broken: false, handle: null, lastWrite: Promise.resolve() }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue
        this.#queue = []
        const groups = new Map<Segment, Pending[]>()
        for (const pending of batch) {
          const group = groups.get(pending.segment)
          if (group) group.push(pending)
          else groups.set(pending.segment, [pending])
        }
        await Promise.all([...groups].map(([segment, group]) => this.#writeGroup(segment, group)))
      }
    } finally {
      this.#writing = null
    }
  }

  async #writeGroup(segment: Segment, group: Pending[]): Promise<void> {
    try {
      if (segment.broken) throw new Error('an earlier write to this log segment failed')
      if (!segment.handle) {
        this.#dirMade ??= mkdir(this.#dir, { recursive: true }).then(
          () => {},
          (error: unknown) => {
            this.#dirMade = null
            throw error
          },
        )
        await this.#dirMade
        segment.handle = await open(segment.path, 'a')
        if (this.#fsync) await syncDirectory(this.#dir)
      }
      await segment.handle.appendFile(Buffer.concat(group.map((pending) => pending.record)))
      if (this.#fsync) await segment.handle.datasync()
      for (const pending of group) pending.resolve()
    } catch (error) {
      segment.broken = true
      for (const pending of group) pending.reject(error)
    }
  }
}

/** A segment bigger than this is read up to it; the rest counts as damaged (logs are compacted every few seconds). */
const MAX_SEGMENT_BYTES = 512 * 1024 * 1024

const segmentFileName = (name: string, generation: number): string =>
  `${encodeURIComponent(name).replace(/^\./, '%2E')}.${generation}.ylog`

const readCapped = async (path: string, cap: number): Promise<{ data: Uint8Array; skipped: number }> => {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, cap)
    const data = new Uint8Array(length)
    let offset = 0
    while (offset < length) {
      const { bytesRead } = await handle.read(data, offset, length - offset, offset)
      if (bytesRead === 0) break
      offset += bytesRead
    }
    return { data: data.subarray(0, offset), skipped: size - offset }
  } finally {
    await handle.close()
  }
}

const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const unlinkQuietly = (path: string): Promise<void> =>
  unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })

interface Segment {
  generation: number
  path: string
  /** No more appends (a store started, or found on disk at start-up). */
  sealed: boolean
  /** A write failed: the file may end in a partial record. */
  broken: boolean
  handle: FileHandle | null
  /** Settles (never rejects) when the last append queued for this segment was written or failed. */
  lastWrite: Promise<void>
}

interface Pending {
  segment: Segment
  record: Buffer
  resolve: () => void
  reject: (error: unknown) => void
}
