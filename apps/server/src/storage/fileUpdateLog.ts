import { closeSync, fdatasync, mkdirSync, openSync, writeSync } from 'node:fs'
import { open, readdir, unlink } from 'node:fs/promises'
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
 * - An append writes its record synchronously (`writeSync`, into the page cache: a few microseconds, no thread-pool
 *   round trip, records of one file in call order), so once `append` returned the record survives a crash of the
 *   process. Without `fsync` it resolves at once.
 * - With `fsync`, group commit: one `fdatasync` per segment covers every record written before it started, and
 *   resolves them together; appends arriving meanwhile wait for the next one.
 * - `seal(name)` (called synchronously when a store of the document starts) closes the current segment to new
 *   appends and returns its generation; once the stored state landed, `dropThrough(name, generation)` deletes the
 *   sealed segments. A crash in between leaves them on disk: replaying them onto the stored state is idempotent.
 * - Segments found at start-up are never appended to (their last record may be torn); new appends open a new one.
 * - A failed write or sync marks its segment broken: later appends go to a new segment, never after a partial record.
 */
export class FileUpdateLog {
  readonly #dir: string
  readonly #fsync: boolean
  readonly #maxRecordBytes: number
  readonly #docs = new Map<string, Segment[]>()
  /** Segments written since their last fdatasync, with the appends waiting for it. */
  #unsynced = new Map<Segment, Waiter[]>()
  #syncing: Promise<void> | null = null
  #ready: Promise<void> | null = null
  #dirMade = false

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

  /**
   * Writes the update now; resolves at once, or with `fsync` once an fdatasync covered it. Rejects (and writes
   * nothing more to that segment) when the write or the sync failed. Call after `ready()` resolved.
   */
  append(name: string, update: Uint8Array): Promise<void> {
    const segments = this.#segmentsOf(name)
    let segment = segments.at(-1)
    if (!segment || segment.sealed || segment.broken) {
      segment = this.#segment(name, (segment?.generation ?? 0) + 1, false)
      segments.push(segment)
    }
    try {
      this.#write(segment, encodeLogRecord(update))
    } catch (error) {
      segment.broken = true
      return Promise.reject(error)
    }
    if (!this.#fsync) return Promise.resolve()
    const synced = new Promise<void>((resolve, reject) => {
      const waiters = this.#unsynced.get(segment) ?? []
      waiters.push({ resolve, reject })
      this.#unsynced.set(segment, waiters)
    })
    segment.lastWrite = synced.then(
      () => {},
      () => {},
    )
    this.#syncing ??= this.#syncLoop()
    return synced
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
      closeQuietly(segment)
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
    await this.#syncing
    for (const segments of this.#docs.values()) for (const segment of segments) closeQuietly(segment)
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
    return {
      generation,
      path,
      sealed,
      broken: false,
      fd: null,
      dirSynced: !this.#fsync,
      lastWrite: Promise.resolve(),
    }
  }

  /** Synchronous: opens the segment on its first record and writes the whole record (or throws). */
  #write(segment: Segment, record: Buffer): void {
    if (segment.fd === null) {
      if (!this.#dirMade) {
        mkdirSync(this.#dir, { recursive: true })
        this.#dirMade = true
      }
      segment.fd = openSync(segment.path, 'a')
    }
    for (let offset = 0; offset < record.byteLength; ) {
      offset += writeSync(segment.fd, record, offset, record.byteLength - offset)
    }
  }

  /** Group commit: each round syncs every segment written since the previous round, then resolves its appends. */
  async #syncLoop(): Promise<void> {
    try {
      while (this.#unsynced.size > 0) {
        const round = this.#unsynced
        this.#unsynced = new Map()
        await Promise.all([...round].map(([segment, waiters]) => this.#sync(segment, waiters)))
      }
    } finally {
      this.#syncing = null
    }
  }

  async #sync(segment: Segment, waiters: Waiter[]): Promise<void> {
    try {
      const fd = segment.fd
      if (fd === null) throw new Error('the log segment was closed before it was synced')
      await new Promise<void>((resolve, reject) =>
        fdatasync(fd, (error) => (error ? reject(error) : resolve())),
      )
      if (!segment.dirSynced) {
        // A new segment's directory entry must be durable too.
        await syncDirectory(this.#dir)
        segment.dirSynced = true
      }
      for (const waiter of waiters) waiter.resolve()
    } catch (error) {
      segment.broken = true
      for (const waiter of waiters) waiter.reject(error)
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

const closeQuietly = (segment: Segment): void => {
  if (segment.fd === null) return
  try {
    closeSync(segment.fd)
  } catch {
    // already closed
  }
  segment.fd = null
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
  fd: number | null
  /** The directory entry is durable (always true without fsync). */
  dirSynced: boolean
  /** Settles (never rejects) when the last append to this segment is durable or failed. */
  lastWrite: Promise<void>
}

interface Waiter {
  resolve: () => void
  reject: (error: unknown) => void
}
