import { stringify } from 'csv-stringify/sync'

/**
 * CSV text as the server writes it (exports; reading CSV is csv-parse's job, imports). One place for what a written
 * CSV file is: RFC 4180 by csv-stringify (a field with a comma, quote or line break is quoted, quotes doubled; CRLF
 * ends every line), and a text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet shows
 * it instead of running it as a formula (CSV injection). Numbers such as `-12` or `-1.5` are left as they are.
 */

/** The file starts with a UTF-8 byte order mark so spreadsheet programs read accents right. */
export const CSV_BOM = '\uFEFF'

function formulaSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell) ? `'${cell}` : cell
}

/**
 * CSV lines of text cells, each line ending in CRLF ('' for no rows). `quote_record_delimiter`: a lone `\n` or `\r` in a
 * cell is quoted too (csv-stringify quotes only the whole record delimiter once one is set).
 */
export function csvLines(rows: ReadonlyArray<readonly string[]>): string {
  return stringify(
    rows.map((row) => row.map(formulaSafe)),
    { record_delimiter: '\r\n', quote_record_delimiter: true },
  )
}
