import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WorkspaceSettings } from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { account, contact, deal, up } from '../recordIndex/recordIndex.contract.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'
import { ReportService } from './ReportService.ts'

/*
 * ReportService's narrowed reads over a real SQLite index: leads.revenueBySource reads only the contacts of won deals
 * (getMany), customers.revenue only the accounts of won deals: an archived one must read as missing, as the full
 * read left it out.
 */

const W = 'wsA'
const SETTINGS = {
  name: 'T',
  pipelines: [],
  customFields: [],
  currency: { base: 'USD', rates: {} },
} as unknown as WorkspaceSettings

let dir: string | null = null
let index: RecordIndex | null = null
afterEach(async () => {
  await index?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  index = null
  dir = null
})

describe('ReportService', () => {
  it('leads.revenueBySource: an archived contact of a won deal counts as missing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-reports-'))
    index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
    const won = (id: string, amount: number, contactIds: string[]) =>
      up('deals', deal(id, id, { status: 'won', amount, contactIds, stageEnteredAt: 1 }) as ProjectedRecord)
    await index.apply({
      records: [
        up('contacts', contact('c1', 'Ann', 'Web', { source: 'web' }) as ProjectedRecord),
        up('contacts', contact('c2', 'Bob', 'Gone', { source: 'event', archived: true }) as ProjectedRecord),
        up('contacts', contact('c3', 'Cid', 'Ref', { source: 'referral' }) as ProjectedRecord),
        won('d1', 100, ['c1']),
        won('d2', 50, ['c2', 'c1']),
        won('d3', 500, ['c2', 'c9']),
        up('deals', deal('d4', 'open', { amount: 7, contactIds: ['c3'] }) as ProjectedRecord),
      ],
    })
    const open = index
    const service = new ReportService({
      index: () => open,
      settings: async () => SETTINGS,
      members: () => [],
      now: () => 1_800_000_000_000,
    })
    const answer = await service.report(W, 'leads.revenueBySource', { period: 'all' })
    expect(answer.rows.map((r) => [r.key, r.values.deals, r.values.revenue])).toEqual([
      ['none~USD', 1, 500],
      ['web~USD', 2, 150],
    ])
    await index.apply({
      records: [
        up('accounts', account('a1', 'Acme')),
        up('accounts', account('a2', 'Gone', { archived: true })),
        up('deals', deal('d1', 'd1', { status: 'won', amount: 100, accountId: 'a1' }) as ProjectedRecord),
        up('deals', deal('d3', 'd3', { status: 'won', amount: 500, accountId: 'a2' }) as ProjectedRecord),
      ],
    })
    const revenue = await service.report(W, 'customers.revenue', { period: 'all' })
    expect(revenue.rows.map((r) => [r.key, r.label, r.values.revenue])).toEqual([
      ['a2~USD', 'a2 (USD)', 500],
      ['a1~USD', 'Acme (USD)', 100],
      ['-~USD', 'No account (USD)', 50],
    ])
  })
})
