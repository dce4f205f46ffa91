import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import type { ReportAnswer } from './ReportService.ts'
import { reportCsv } from './reportRoutes.ts'

const answer = (rows: ReportAnswer['rows'], converted = true): ReportAnswer =>
  ({
    id: 'sales.leaderboard',
    title: 'Leaderboard',
    filters: { from: null, to: null },
    currency: { base: 'EUR', converted },
    columns: [
      { key: 'owner', label: 'Owner', type: 'text' },
      { key: 'won', label: 'Won value', type: 'money' },
    ],
    rows,
    chart: { type: 'table' },
    seq: 1,
    generatedAt: 0,
  }) as unknown as ReportAnswer

describe('reportCsv', () => {
  it('writes a BOM, CRLF lines, and guards a name that a spreadsheet would run as a formula', () => {
    const csv = reportCsv(
      answer([
        { key: 'u1', values: { owner: '=HYPERLINK("http://x.example","click")', won: -1200.5 } },
        { key: 'u2', values: { owner: 'Sam, "the closer"', won: null } },
      ] as unknown as ReportAnswer['rows']),
    )
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(parse(csv, { bom: true })).toEqual([
      ['Owner', 'Won value'],
      ['\'=HYPERLINK("http://x.example","click")', '-1200.5'],
      ['Sam, "the closer"', ''],
    ])
  })
})
