import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDeal } from '@rapport/model'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { catchUpIndex } from './IndexWorker.ts'
import { matchText } from './importKeys.ts'
import { BREATHE_FROM_CHANGES } from './kyselyRecordIndex.ts'
import { INDEX_FORMAT } from './RecordIndex.ts'
import { contact, recordIndexContract, up } from './recordIndex.contract.ts'
import { cachingStatements, openSqliteRecordIndex } from './sqliteRecordIndex.ts'

recordIndexContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-index-'))
  const file = join(dir, 'index.sqlite')
  return {
    open: () => openSqliteRecordIndex(file),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

describe('SQLite record index file', () => {
  const dirs: string[] = []
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-index-'))
    dirs.push(dir)
    return join(dir, 'index.sqlite')
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('is in WAL mode and refuses a file of another format in plain words', async () => {
    const file = tempFile()
    await (await openSqliteRecordIndex(file)).close()
    const raw = new Database(file)
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    raw.prepare("update meta set value = '99' where key = 'format'").run()
    raw.close()
    await expect(openSqliteRecordIndex(file)).rejects.toThrow(
      new RegExp(`format 99; this server reads format ${INDEX_FORMAT}`),
    )
  })

  it('empties an index of an older format (the server rebuilds it from the documents)', async () => {
    const file = tempFile()
    const index = await openSqliteRecordIndex(file)
    await index.apply({ docStates: [{ doc: 'W/accounts', stateVector: new Uint8Array([1]) }] })
    await index.close()
    const raw = new Database(file)
    raw.prepare("update meta set value = '1' where key = 'format'").run()
    raw.close()
    const reopened = await openSqliteRecordIndex(file)
    expect(await reopened.docState('W/accounts')).toBeNull()
    await reopened.close()
    const again = new Database(file)
    expect(again.prepare("select value from meta where key = 'format'").get()).toEqual({
      value: String(INDEX_FORMAT),
    })
    again.close()
  })

  it('an index of format 3 (before report facts) is rebuilt with them: a deal from before gets one history entry', async () => {
    const file = tempFile()
    const old = new Database(file)
    // What a format-3 index looked like as far as opening goes: a meta table saying 3, no fact tables.
    old.exec(
      "create table meta (key text primary key, value text not null); insert into meta values ('format', '3')",
    )
    old.close()
    const index = await openSqliteRecordIndex(file)
    try {
      const doc = new Y.Doc()
      const d = createDeal(
        doc,
        { id: 'deal_old', pipelineId: 'p1', title: 'Old deal', stageId: 'stg_b' },
        'test',
        { now: 5_000 },
      )
      const name = 'W/deal/deal_old'
      await catchUpIndex(index, [name], async () => Y.encodeStateAsUpdate(doc))
      expect((await index.stageHistory('W')).map(({ seq: _, ...h }) => h)).toEqual([
        { dealId: d.id, pipelineId: 'p1', fromStage: null, toStage: 'stg_b', at: 5_000 },
      ])
      expect(await index.handoffFacts('W')).toEqual([])
    } finally {
      await index.close()
    }
  })

  it("an apply leaves the event loop between its statements (others run meanwhile), a live edit's one too", async () => {
    // After every statement (0 ms without a turn): the turns are counted, not timed.
    const index = await openSqliteRecordIndex(tempFile(), { yieldAfterMs: 0 })
    try {
      /** Turns of the event loop that ran while `apply` of `count` contacts was in progress. */
      const turnsDuring = async (from: number, count: number): Promise<number> => {
        let turns = 0
        let applying = true
        const turn = () => {
          if (!applying) return
          turns += 1
          setImmediate(turn)
        }
        setImmediate(turn)
        const records = Array.from({ length: count }, (_, i) =>
          up('contacts', contact(`c${from + i}`, 'Ann', `Lee ${from + i}`)),
        )
        await index.apply({ records })
        applying = false
        return turns
      }
      // One record: its rows read, the record, keys, search rows, the feed — several statements, a turn after each.
      expect(await turnsDuring(0, 1)).toBeGreaterThanOrEqual(4)
      expect(await turnsDuring(1, BREATHE_FROM_CHANGES + 250)).toBeGreaterThanOrEqual(4)
      expect((await index.list('wsA', 'contacts', { offset: 0, limit: 1, archived: 'all' })).total).toBe(
        BREATHE_FROM_CHANGES + 251,
      )
    } finally {
      await index.close()
    }
  })

  it('close waits for an apply that is between its steps; what it wrote is there after reopening', async () => {
    const file = tempFile()
    const index = await openSqliteRecordIndex(file)
    const records = Array.from({ length: BREATHE_FROM_CHANGES + 250 }, (_, i) =>
      up('contacts', contact(`c${i}`, 'Ann', `Lee ${i}`)),
    )
    const applying = index.apply({ records })
    // One turn of the event loop: the apply is past its first step, its transaction open.
    await new Promise((resolve) => setImmediate(resolve))
    await index.close()
    await expect(applying).resolves.toHaveLength(records.length)
    const reopened = await openSqliteRecordIndex(file)
    try {
      expect((await reopened.list('wsA', 'contacts', { offset: 0, limit: 1, archived: 'all' })).total).toBe(
        records.length,
      )
    } finally {
      await reopened.close()
    }
  })

  it('refuses a file that is not a database in plain words', async () => {
    const file = tempFile()
    writeFileSync(file, 'not a database, just text '.repeat(100))
    await expect(openSqliteRecordIndex(file)).rejects.toThrow(/record index|not a database/)
  })
})

interface LoggedQuery {
  sql: string
  parameters: readonly unknown[]
}

/** A fresh index file whose queries are logged, for `body`; then the index is closed and the file removed. */
async function withLoggedIndex(
  body: (
    index: Awaited<ReturnType<typeof openSqliteRecordIndex>>,
    file: string,
    queries: LoggedQuery[],
  ) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-index-'))
  const file = join(dir, 'index.sqlite')
  const queries: LoggedQuery[] = []
  const index = await openSqliteRecordIndex(file, {
    onQuery: (sql, parameters) => queries.push({ sql, parameters }),
  })
  try {
    await body(index, file, queries)
  } finally {
    await index.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** SQLite's plan of a logged query, read on a read-only connection of `file` (`prepare` adds what it needs). */
function planOf(
  file: string,
  query: LoggedQuery | undefined,
  prepare?: (raw: Database.Database) => void,
): string {
  const raw = new Database(file, { readonly: true })
  try {
    prepare?.(raw)
    const plan = raw
      .prepare(`explain query plan ${query?.sql}`)
      .all(...((query?.parameters ?? []) as unknown[])) as Array<{ detail: string }>
    return plan.map((row) => row.detail).join('\n')
  } finally {
    raw.close()
  }
}

describe('SQLite record index statistics', () => {
  it('after a bulk load, "contacts of one account, by name" reads the account index (PRAGMA optimize ran)', () =>
    withLoggedIndex(async (index, file, queries) => {
      // 10,000 contacts over 100 accounts of one workspace, written as the catch-up writes them (batches of 2,000).
      const contacts = Array.from({ length: 10_000 }, (_, i) =>
        up('contacts', contact(`c${i}`, `First${i % 997}`, `Last${i}`, { accountId: `a${i % 100}` })),
      )
      for (let i = 0; i < contacts.length; i += 2_000)
        await index.apply({ records: contacts.slice(i, i + 2_000) })
      await (index as unknown as { settled(): Promise<void> }).settled()

      queries.length = 0
      const page = await index.list('wsA', 'contacts', {
        filters: { accountId: 'a7' },
        sort: 'lastName',
        archived: 'false',
        limit: 20,
        offset: 0,
      })
      expect(page.total).toBe(100)
      const idQuery = queries.find((q) => /order by/i.test(q.sql) && /limit/i.test(q.sql))
      expect(idQuery).toBeDefined()
      const details = planOf(file, idQuery)
      expect(details).toMatch(/USING INDEX rec_contacts_f_accountId /)
      expect(details).not.toMatch(/rec_contacts_s_lastName/)
    }))
})

describe('SQLite import match on a chosen field', () => {
  it("seeks the keys in the field's expression index (created on the first lookup), not every row", () =>
    withLoggedIndex(async (index, file, queries) => {
      const contacts = Array.from({ length: 2_000 }, (_, i) =>
        up('contacts', contact(`c${i}`, `First${i}`, `Last${i}`, { phone: `+1 555 ${i}` })),
      )
      await index.apply({ records: contacts })
      queries.length = 0
      const found = await index.importMatches('wsA', 'contacts', { on: 'field', field: 'phone' }, [
        '+1 555 7',
        '+1 555 1999',
        '+1 555 2000',
      ])
      expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: '+1 555 1999', id: 'c1999' },
        { key: '+1 555 7', id: 'c7' },
      ])
      const lookup = queries.find((q) => /^select min/i.test(q.sql))
      expect(lookup).toBeDefined()
      const details = planOf(file, lookup, (raw) =>
        raw.function('rapport_match_text', { deterministic: true }, (json: unknown) =>
          typeof json === 'string' ? matchText(JSON.parse(json)) : null,
        ),
      )
      expect(details).toMatch(
        /USING INDEX rec_contacts_m_\w+ \(workspace_id=\? AND archived=\? AND <expr>=\?\)/,
      )
    }))
})

describe('SQLite statement cache', () => {
  it('reuses the statement of an SQL text, keeps the most recently used, and answers like a fresh one', () => {
    const raw = new Database(':memory:')
    const db = cachingStatements(raw, 2)
    db.prepare('create table t (x integer)').run()
    const insert = db.prepare('insert into t (x) values (?)')
    expect(db.prepare('insert into t (x) values (?)')).toBe(insert)
    for (let i = 0; i < 3; i++) db.prepare('insert into t (x) values (?)').run(i)
    const count = db.prepare('select count(*) as n from t')
    expect(count.get()).toEqual({ n: 3 })
    // Cache of 2: 'insert' used again after 'count', so the third text pushes 'count' out, not 'insert'.
    expect(db.prepare('insert into t (x) values (?)')).toBe(insert)
    db.prepare('select max(x) as m from t')
    expect(db.prepare('insert into t (x) values (?)')).toBe(insert)
    expect(db.prepare('select count(*) as n from t')).not.toBe(count)
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 3 })
    // Everything else is the database's own.
    expect(db.inTransaction).toBe(false)
    expect(db.transaction(() => db.prepare('select 1 as one').get())()).toEqual({ one: 1 })
    raw.close()
  })
})
