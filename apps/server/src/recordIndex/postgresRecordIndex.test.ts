import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PG_URL, dropPostgresIndexSchema, openPostgresRecordIndex } from './postgresRecordIndex.ts'
import type { RecordIndex } from './RecordIndex.ts'
import { contact, recordIndexContract, up } from './recordIndex.contract.ts'

/*
 * The contract on a real PostgreSQL (`RAPPORT_PG_URL`, default postgres://postgres@127.0.0.1:5432/test; `.ci/run`
 * starts the local cluster). Every store is a schema of its own, dropped after: files and runs do not share one.
 * PostgreSQL not reachable = these tests fail with that sentence, they are not skipped.
 */
recordIndexContract('PostgreSQL', async () => {
  const schema = `ri_test_${process.pid}_${randomBytes(4).toString('hex')}`
  return {
    open: () => openPostgresRecordIndex({ schema }),
    dispose: () => dropPostgresIndexSchema(schema),
  }
})

describe('PostgreSQL index upkeep', () => {
  const schema = `ri_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const url = process.env.RAPPORT_PG_URL ?? DEFAULT_PG_URL
  let index: RecordIndex | null = null

  const ask = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<T>(text, values)).rows
    } finally {
      await client.end()
    }
  }
  const indexNames = async () =>
    (
      await ask<{ name: string }>('select indexname as name from pg_indexes where schemaname = $1', [schema])
    ).map((r) => r.name)

  afterEach(async () => {
    await index?.close()
    index = null
    await dropPostgresIndexSchema(schema)
  })

  it('makes its list and search indexes at open, also in an index written without them', async () => {
    index = await openPostgresRecordIndex({ schema })
    const made = await indexNames()
    expect(made).toEqual(
      expect.arrayContaining([
        'rec_contacts_l_f_leadstatus',
        'rec_contacts_l_s_score',
        'rec_deals_l_s_amount',
        'rec_tickets_l_s_updatedat',
        'search_recent',
        'search_tsv_deals',
        'search_tsv_notes',
      ]),
    )
    // The filter index (workspace_id, f_leadStatus, archived, id) replaces the common (workspace_id, f_leadStatus).
    expect(made).not.toContain('rec_contacts_f_leadstatus')
    await index.close()
    index = null
    // An index of an earlier release (these indexes missing, same format): made at its next open.
    await ask(
      `drop index ${schema}.rec_contacts_l_s_score; drop index ${schema}.search_recent;
        drop index ${schema}.search_tsv_deals`,
    )
    index = await openPostgresRecordIndex({ schema })
    expect(await indexNames()).toEqual(
      expect.arrayContaining(['rec_contacts_l_s_score', 'search_recent', 'search_tsv_deals']),
    )
    // Per kind: a text query's matches of one kind are read from that kind's GIN index.
    const [def] = await ask<{ def: string }>(
      'select indexdef as def from pg_indexes where schemaname = $1 and indexname = $2',
      [schema, 'search_tsv_deals'],
    )
    expect(def?.def).toMatch(/USING gin \(tsv\) WHERE \(kind = 'deals'::text\)/)
  })

  it('vacuums and analyzes its tables after many rows written', async () => {
    const opened = await openPostgresRecordIndex({ schema, vacuumEveryRows: 50 })
    index = opened
    // VACUUM runs (pages it may mark all-visible, so index-only scans skip the heap — not while an older transaction
    // of the cluster is open, so not asserted here) and ANALYZE's row count for the planner (-1: never counted).
    const upkeep = async () => {
      const [row] = await ask<{ vacuums: string; tuples: number }>(
        `select s.vacuum_count as vacuums, c.reltuples as tuples from pg_class c
          join pg_stat_user_tables s on s.relid = c.oid
          where c.relname = 'rec_contacts' and c.relnamespace = $1::regnamespace`,
        [schema],
      )
      return { vacuums: Number(row?.vacuums), tuples: Number(row?.tuples) }
    }
    const settled = () => (opened as RecordIndex & { settled(): Promise<void> }).settled()
    await opened.apply({
      records: Array.from({ length: 40 }, (_, i) => up('contacts', contact(`c${i}`, 'A', 'B'))),
    })
    await settled()
    expect(await upkeep()).toEqual({ vacuums: 0, tuples: -1 })
    await opened.apply({
      records: Array.from({ length: 20 }, (_, i) => up('contacts', contact(`d${i}`, 'A', 'B'))),
    })
    await settled()
    expect(await upkeep()).toEqual({ vacuums: 1, tuples: 60 })
  })
})
