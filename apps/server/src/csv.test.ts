import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csvLines } from './csv.ts'

/** The exports' hand-written escape before csv-stringify wrote them (csvRows.ts `csvLine`): the bytes to keep. */
const guard = (cell: string) =>
  /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell) ? `'${cell}` : cell
function handWrittenLine(cells: readonly string[]): string {
  return `${cells
    .map((cell) => {
      const safe = guard(cell)
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
    })
    .join(',')}\r\n`
}

describe('csvLines', () => {
  it('quotes commas, quotes and line breaks, doubles quotes and ends every line with CRLF', () => {
    expect(csvLines([['a', 'b,c', 'say "hi"', 'one\ntwo', 'cr\rhere', '']])).toBe(
      'a,"b,c","say ""hi""","one\ntwo","cr\rhere",\r\n',
    )
    expect(csvLines([['x'], ['', '']])).toBe('x\r\n,\r\n')
    expect(csvLines([])).toBe('')
  })

  it('writes a text that a spreadsheet would run as a formula as text, and leaves negative numbers alone', () => {
    expect(csvLines([['=SUM(A1)', '+1 555', '-x', '@me', '\tTab', '-12', '-1.5', '-1e5', '=a,b']])).toBe(
      `'=SUM(A1),'+1 555,'-x,'@me,'\tTab,-12,-1.5,'-1e5,"'=a,b"\r\n`,
    )
  })

  it('writes the same bytes as the hand-written escape it replaced, and csv-parse reads the cells back', () => {
    const cell = fc.oneof(
      fc.string({
        unit: fc.constantFrom('a', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', '1', '.', ' ', 'é'),
      }),
      fc.string(),
    )
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 4 }), (rows) => {
        const text = csvLines(rows)
        expect(text).toBe(rows.map(handWrittenLine).join(''))
        if (text === '') return
        const back = parse(text, { record_delimiter: '\r\n', relax_column_count: true }) as string[][]
        expect(back).toEqual(rows.map((row) => row.map(guard)))
      }),
      { numRuns: 500 },
    )
  })
})
