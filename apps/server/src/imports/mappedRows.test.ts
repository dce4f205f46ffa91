import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { importFields } from './importFields.ts'
import { type MappedCsvRow, MappedRowReader, MappedRows, type MappedRowsSpec } from './mappedRows.ts'

// The thread compiles csv-parse's and the import modules' TypeScript (tsx): seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

/*
 * An import's rows read and mapped in the job's CSV thread (mappedRows.ts), a real worker thread over a real file,
 * compared with the same reader on the main thread.
 */

let dirs: string[] = []
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs = []
})

const COLUMNS = ['First name', 'Last name', 'Email', 'Notes']
const MAPPING = { 'First name': 'firstName', 'Last name': 'lastName', Email: 'email', Notes: 'cf.score' }

/** A CSV of `rows` contacts (`;` separated, a BOM; every 7th score is a quoted text with a newline, not a number). */
function csvFile(rows: number, text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-mapped-rows-'))
  dirs.push(dir)
  const path = join(dir, 'upload.csv')
  const lines = [COLUMNS.join(';')]
  for (let i = 1; i <= rows; i++)
    lines.push(`Ann;"Row ${i}";row${i}@mapped.test;${i % 7 === 0 ? '"two\nlines"' : `${i},5`}`)
  writeFileSync(path, text ?? `\ufeff${lines.join('\r\n')}\r\n`)
  return path
}

function spec(path: string, afterRow = 0): MappedRowsSpec {
  return {
    path,
    separator: ';',
    columns: COLUMNS,
    afterRow,
    fields: [
      ...importFields('contacts', []),
      { key: 'cf.score', label: 'Score', type: 'number', required: false },
    ],
    mapping: MAPPING,
  }
}

async function readAll(rows: MappedRows): Promise<MappedCsvRow[]> {
  const out: MappedCsvRow[] = []
  try {
    for (let done = false; !done; ) {
      const chunk = await rows.next()
      out.push(...chunk.rows)
      done = chunk.done
    }
  } finally {
    await rows.close()
  }
  return out
}

async function readHere(s: MappedRowsSpec): Promise<MappedCsvRow[]> {
  const reader = new MappedRowReader(s)
  const out: MappedCsvRow[] = []
  for (let done = false; !done; ) {
    const chunk = await reader.next(100)
    out.push(...chunk.rows)
    done = chunk.done
  }
  return out
}

describe('MappedRows: an import’s CSV rows read and mapped in a thread', () => {
  it('reads in its thread, in chunks, what the main thread reads: row numbers, mapped values, errors', async () => {
    const path = csvFile(1_234)
    const rows = new MappedRows(spec(path), true, 250)
    const fromThread = await readAll(rows)
    expect(rows.rowsFromThread).toBe(1_234)
    const here = await readHere(spec(path))
    expect(fromThread).toEqual(here)
    expect(here).toHaveLength(1_234)
    expect(here[0]).toEqual({
      row: 1,
      values: { firstName: 'Ann', lastName: 'Row 1', email: 'row1@mapped.test', 'cf.score': 1.5 },
      errors: [],
    })
    expect(here[6]?.errors).toEqual([
      { field: 'cf.score', message: 'Score must be a number, not "two\nlines".' },
    ])
  })

  it('starts after the last row already imported (a resume)', async () => {
    const path = csvFile(600)
    const rows = await readAll(new MappedRows(spec(path, 420), true, 250))
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 180 }, (_, i) => 421 + i))
  })

  it('reads on the main thread from the row after the last one received when the thread dies', async () => {
    const path = csvFile(1_000)
    const rows = new MappedRows(spec(path), true, 100)
    const first = await rows.next()
    expect(first.rows.at(-1)?.row).toBe(100)
    // The chunk requested ahead (rows 101–200) may be answered before the crash; the one after it is not.
    rows.crashForTest()
    const rest = await readAll(rows)
    const all = [...first.rows, ...rest]
    expect(all.map((r) => r.row)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1))
    expect(all).toEqual(await readHere(spec(path)))
    expect(rows.rowsFromThread).toBeLessThan(1_000)
  })

  it('says in plain words what is wrong with the file, from the thread as from the main thread', async () => {
    const path = csvFile(0, 'First name;Last name;Email;Notes\nAnn;"never closed;x@y.z;n\n')
    await expect(readAll(new MappedRows(spec(path), true))).rejects.toThrow(
      /A quoted value is never closed \(near line \d+\)/,
    )
    await expect(readAll(new MappedRows(spec(path), false))).rejects.toThrow(
      /A quoted value is never closed \(near line \d+\)/,
    )
  })
})
