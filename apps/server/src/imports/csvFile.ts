import { createReadStream, createWriteStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CsvError, parse } from 'csv-parse'
import { badRequest } from '../errors.ts'

export type Separator = ',' | ';'

/** The most bytes an import file may have (the upload route's body cap). */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024
/** The most columns and the longest cell an import reads (a bigger one is refused in plain words). */
export const MAX_COLUMNS = 200
export const MAX_CELL_CHARS = 20_000

const NOT_UTF8 =
  'The file is not UTF-8 text. Save it as "CSV UTF-8" (comma or semicolon separated) and upload it again.'
const NOT_CSV =
  'The file is not a CSV file: it contains binary data. Upload a comma or semicolon separated text file.'

/**
 * Streams a request body to `path` without holding it in memory, checking as it goes that it is UTF-8 text
 * (a fatal streaming decoder) with no NUL bytes. Returns the bytes written; a file that is not text is removed and
 * refused with 400 `invalid_input` in plain words.
 */
export async function saveUpload(body: ReadableStream<Uint8Array> | null, path: string): Promise<number> {
  if (!body) throw badRequest('Send the CSV file as the request body.', 'invalid_input')
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let bytes = 0
  let problem: string | null = null
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (problem === null) {
        if (chunk.includes(0)) problem = NOT_CSV
        else {
          try {
            decoder.decode(chunk, { stream: true })
          } catch {
            problem = NOT_UTF8
          }
        }
      }
      done(null, chunk)
    },
    flush(done) {
      if (problem === null) {
        try {
          decoder.decode()
        } catch {
          problem = NOT_UTF8
        }
      }
      done()
    },
  })
  try {
    await pipeline(
      Readable.fromWeb(body as import('node:stream/web').ReadableStream),
      check,
      createWriteStream(path),
    )
  } catch (error) {
    await rm(path, { force: true })
    throw error
  }
  if (problem !== null) {
    await rm(path, { force: true })
    throw badRequest(problem, 'invalid_input')
  }
  if (bytes === 0) {
    await rm(path, { force: true })
    throw badRequest('The file is empty: it needs a header line naming its columns.', 'invalid_input')
  }
  return bytes
}

/** `;` when the header line has more semicolons than commas outside quotes, else `,`. */
export function sniffSeparator(headerLine: string): Separator {
  let commas = 0
  let semicolons = 0
  let quoted = false
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === ',') commas++
    else if (!quoted && ch === ';') semicolons++
  }
  return semicolons > commas ? ';' : ','
}

/** The first line of the file (up to 64 KiB, BOM dropped), for sniffing the separator. */
export async function readHeaderLine(path: string): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    let text = buffer.subarray(0, bytesRead).toString('utf8')
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    const end = text.search(/\r?\n/)
    return end === -1 ? text : text.slice(0, end)
  } finally {
    await handle.close()
  }
}

/** A parse problem in plain words (csv-parse's codes), naming the line. */
export function csvProblem(error: unknown): string {
  if (error instanceof CsvError) {
    const line = (error as unknown as { lines?: number }).lines
    const at = line ? ` (near line ${line})` : ''
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return `A quoted value is never closed${at}: check the quotes in the file.`
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return `A quote is followed by other characters${at}: a quoted value must end at the separator.`
      case 'CSV_MAX_RECORD_SIZE':
        return `A value is longer than ${MAX_CELL_CHARS} characters${at}.`
      default:
        return `The file is not valid CSV${at}: ${error.message}`
    }
  }
  return error instanceof Error ? error.message : String(error)
}

const CSV_CHUNK_BYTES = 16 * 1024

/** The records of the file (header first) as arrays of strings, streamed. */
export function csvRecords(path: string, separator: Separator): AsyncIterable<string[]> {
  const parser = parse({
    bom: true,
    delimiter: separator,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_CELL_CHARS * 4,
  })
  // The parser parses a chunk in one go, on the event loop: 16 KiB (~250 rows) rather than the default 64 KiB.
  const input = createReadStream(path, { highWaterMark: CSV_CHUNK_BYTES })
  input.on('error', (error) => parser.destroy(error))
  input.pipe(parser)
  return parser
}

export interface CsvSummary {
  separator: Separator
  columns: string[]
  sample: Array<Record<string, string>>
  rowCount: number
}

/** A row's cells by column name. */
export function rowObject(columns: readonly string[], cells: readonly string[]): Record<string, string> {
  const row: Record<string, string> = {}
  columns.forEach((column, i) => {
    row[column] = cells[i] ?? ''
  })
  return row
}

/**
 * Reads the whole file once (streamed): header, the first `sampleSize` rows and the row count. Refuses in plain words
 * a file without a header, with duplicate or too many columns, or that is not valid CSV.
 */
export async function summarize(path: string, sampleSize = 20): Promise<CsvSummary> {
  const separator = sniffSeparator(await readHeaderLine(path))
  let columns: string[] | null = null
  const sample: Array<Record<string, string>> = []
  let rowCount = 0
  try {
    for await (const cells of csvRecords(path, separator)) {
      if (columns === null) {
        columns = cells.map((c) => c.trim())
        if (columns.length > MAX_COLUMNS)
          throw badRequest(
            `The file has ${columns.length} columns; at most ${MAX_COLUMNS} can be imported.`,
            'invalid_input',
          )
        if (columns.every((c) => c === ''))
          throw badRequest('The first line must name the columns.', 'invalid_input')
        const seen = new Set<string>()
        columns = columns.map((c, i) => (c === '' ? `Column ${i + 1}` : c))
        for (const c of columns) {
          if (seen.has(c))
            throw badRequest(`Two columns are named "${c}": give each column its own name.`, 'invalid_input')
          seen.add(c)
        }
        continue
      }
      rowCount++
      if (sample.length < sampleSize) sample.push(rowObject(columns, cells))
    }
  } catch (error) {
    if (error instanceof CsvError) throw badRequest(csvProblem(error), 'invalid_input')
    throw error
  }
  if (columns === null)
    throw badRequest('The file is empty: it needs a header line naming its columns.', 'invalid_input')
  return { separator, columns, sample, rowCount }
}
