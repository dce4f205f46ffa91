import { ThreadClient } from '../threads/threadClient.ts'
import { csvProblem, csvRecords, rowObject, type Separator } from './csvFile.ts'
import { type ImportField, type MappedRow, mapRow } from './importFields.ts'

/*
 * An import's rows read from its CSV file and mapped to fields, a chunk at a time, each row mapped once (the job's
 * duplicate lookup and its planning both mapped every row before).
 *
 * In a worker thread of the job (`IMPORT_CSV_THREAD=0` turns it off): parsing the file (csv-parse,
 * decoding) and mapping were the largest share of the import's main-thread work that is neither a write nor a
 * lookup (tests/bench/importTail.ts: csv-parse ~7 % of the samples inside the slowest probe rounds), so the thread
 * reads and maps the rows and the main thread receives each row's mapped values and errors (cloned, `chunkRows` at a
 * time, one chunk requested ahead). Measured (`importAB.ts`, 20k contacts, 3 + 3 runs alternated, a slow machine):
 * the main thread's CPU per 1,000 rows was 256 / 257 / 305 ms without the thread and 298 / 267 / 282 ms with it, the
 * process's +100 ms, the import no faster and others' p99 no lower — the rows' cloning and the thread's wake-ups on
 * two cores cost what the parsing saved. So it was off. Stop 23 wrote each new document once (bulkCreate.ts
 * `storeNew`) and the main thread's CPU per row fell to a third; measured again (30k contacts, 6 + 6 runs alternated),
 * others' edit p99 during the import was lower with the thread in every pair: 9.20 / 8.64 / 9.48 / 10.97 / 9.76 /
 * 10.21 ms vs 11.68 / 9.56 / 11.55 / 12.08 / 9.93 / 11.32 ms, the import as fast, the process's CPU +~30 ms per 1,000
 * rows, RSS peak +~60 MB (the chunk read ahead and its clones). So it is on.
 *
 * The same `MappedRowReader` runs in the thread (mappedRowsThread.ts) and, when the thread cannot start or dies, on
 * the main thread from the row after the last one received — the same rows, only with the parsing on the event loop.
 */

/** One data row of the file (numbered from 1 after the header), mapped. */
export interface MappedCsvRow extends MappedRow {
  row: number
}

/** What to read: the file, its header's columns, the rows after `afterRow`, mapped with `mapping` onto `fields`. */
export interface MappedRowsSpec {
  path: string
  separator: Separator
  columns: string[]
  afterRow: number
  fields: ImportField[]
  mapping: Record<string, string | null>
}

export type MappedRowsRequest = { type: 'open'; spec: MappedRowsSpec } | { type: 'next'; max: number }
export interface MappedRowsChunk {
  rows: MappedCsvRow[]
  /** No rows after these. */
  done: boolean
}

/** Reads a file's mapped rows in order, `max` at a time (the header skipped, and every row up to `afterRow`). */
export class MappedRowReader {
  private readonly records: AsyncIterator<string[]>
  private readonly fields: Map<string, ImportField>
  private row = 0
  private done = false

  constructor(private readonly spec: MappedRowsSpec) {
    this.records = csvRecords(spec.path, spec.separator)[Symbol.asyncIterator]()
    this.fields = new Map(spec.fields.map((f) => [f.key, f]))
  }

  async next(max: number): Promise<MappedRowsChunk> {
    const rows: MappedCsvRow[] = []
    while (!this.done && rows.length < max) {
      const next = await this.records.next()
      if (next.done) {
        this.done = true
        break
      }
      // Row 0 is the header.
      const row = this.row++
      if (row === 0 || row <= this.spec.afterRow) continue
      const mapped = mapRow(this.fields, this.spec.mapping, rowObject(this.spec.columns, next.value))
      rows.push({ row, values: mapped.values, errors: mapped.errors })
    }
    return { rows, done: this.done }
  }

  /** Stops reading (the file is closed). */
  async close(): Promise<void> {
    if (!this.done) await this.records.return?.()
    this.done = true
  }
}

/** A parse problem of the file, in plain words (csvProblem's), from either thread. */
export class CsvRowsError extends Error {}
/** The thread died or could not start (the rows are then read on the main thread). */
class CsvThreadStopped extends Error {}

/** Rows per reply: the main thread deserializes one reply per call (~250 rows of a few fields each). */
export const CHUNK_ROWS = 250

/**
 * The main thread's side: the job's rows from its thread (one thread per reading), or read here once the thread
 * cannot serve. `next` keeps one chunk requested ahead, so the thread parses while the job plans and writes.
 */
export class MappedRows {
  private readonly client: ThreadClient<MappedRowsRequest, MappedRowsChunk | null> | null
  private local: MappedRowReader | null = null
  private opened: Promise<unknown> | null = null
  private ahead: Promise<MappedRowsChunk> | null = null
  /** The last row handed to the job (a reader on the main thread continues after it). */
  private lastRow: number
  /** Rows the thread mapped (tests). */
  rowsFromThread = 0

  constructor(
    private readonly spec: MappedRowsSpec,
    threaded: boolean,
    private readonly chunkRows = CHUNK_ROWS,
  ) {
    this.lastRow = spec.afterRow
    this.client = threaded
      ? new ThreadClient({
          entry: new URL('./mappedRowsThread.ts', import.meta.url).href,
          crashed: (cause) =>
            new CsvThreadStopped(`The import's CSV thread stopped: ${cause.message}`, { cause }),
          unref: true,
        })
      : null
  }

  /** The next rows of the file (fewer than `chunkRows` only at its end). Throws CsvRowsError on a parse problem. */
  async next(): Promise<MappedRowsChunk> {
    const chunk = await (this.ahead ?? this.fetch())
    this.ahead = chunk.done ? null : this.fetch()
    // Awaited by the next call; not an unhandled rejection if the job stops first.
    this.ahead?.catch(() => {})
    const last = chunk.rows.at(-1)
    if (last) this.lastRow = last.row
    return chunk
  }

  private async fetch(): Promise<MappedRowsChunk> {
    if (this.client && !this.local) {
      try {
        this.opened ??= this.client.call({ type: 'open', spec: this.spec })
        await this.opened
        const chunk = (await this.client.call({ type: 'next', max: this.chunkRows })) as MappedRowsChunk
        this.rowsFromThread += chunk.rows.length
        return chunk
      } catch (error) {
        // A problem of the file itself, found by the thread: the same answer here.
        if (!(error instanceof CsvThreadStopped)) throw new CsvRowsError(messageOf(error))
      }
    }
    // No thread, or it died: read here, after the last row the job received (a chunk the thread was preparing is
    // read again).
    this.local ??= new MappedRowReader({ ...this.spec, afterRow: this.lastRow })
    try {
      return await this.local.next(this.chunkRows)
    } catch (error) {
      throw new CsvRowsError(csvProblem(error))
    }
  }

  async close(): Promise<void> {
    await this.ahead?.catch(() => {})
    await this.local?.close()
    await this.client?.close()
  }

  /** Test hook: the thread dies before its next reply. */
  crashForTest(): void {
    this.client?.crashForTest()
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
