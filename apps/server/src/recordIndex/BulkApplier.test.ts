import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createContact, docName } from '@rapport/model'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { isAppError } from '../errors.ts'
import { silentLogger } from '../log/logger.ts'
import { Projection } from '../projection/Projection.ts'
import { type BulkApplier, BulkApplierCrashed } from './BulkApplier.ts'
import { IndexWorker } from './IndexWorker.ts'
import type { KyselyRecordIndex } from './kyselyRecordIndex.ts'
import { dropPostgresIndexSchema, openPostgresRecordIndex } from './postgresRecordIndex.ts'
import type { AppliedChange, IndexBatch, RecordChange, RecordIndex } from './RecordIndex.ts'
import { openSqliteRecordIndex } from './sqliteRecordIndex.ts'

// Each test starts a thread that compiles the index's modules (tsx): seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

/*
 * The index's bulk applies in a worker thread (BulkApplier.ts) with a connection of its own: real SQLite files and the
 * real PostgreSQL at 127.0.0.1:5432 (db `test`), a real thread loading the index's TypeScript through tsx.
 */

const WS = 'ws_bulk_thread'

function contact(
  i: number,
  name = 'Bulk',
): { change: RecordChange; state: Uint8Array; stateVector: Uint8Array } {
  const id = `con_bt_${i}`
  const doc = docName({ workspaceId: WS, kind: 'contact', contactId: id })
  const ydoc = new Y.Doc({ guid: doc })
  createContact(ydoc, { id, firstName: name, lastName: `N${i}`, email: `n${i}@bulk.test` }, 'test')
  const record = ydoc.getMap('contacts').toJSON()[id] as { id: string }
  return {
    change: { op: 'upsert', workspaceId: WS, kind: 'contacts', id, doc, record },
    state: Y.encodeStateAsUpdate(ydoc),
    stateVector: Y.encodeStateVector(ydoc),
  }
}

const batchOf = (from: number, count: number, name?: string): IndexBatch => ({
  records: Array.from({ length: count }, (_, i) => contact(from + i, name).change),
})

const applierOf = (index: RecordIndex): BulkApplier => {
  const applier = (index as KyselyRecordIndex).bulkApplierForTest()
  if (!applier) throw new Error('the index has no bulk thread')
  return applier
}

/** Every seq of `applied` once, each call's seqs one after another in the order the calls committed. */
function expectMonotonic(calls: AppliedChange[][]): void {
  const seqs = calls.flat().map((c) => c.seq)
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  expect(new Set(seqs).size).toBe(seqs.length)
}

/** An import's reads of the records `batchOf(0, 300)` wrote, each rule's matches in key order (the stores' order differs). */
async function importReads(i: RecordIndex) {
  const byKey = (found: Array<{ key: string; id: string }>) =>
    [...found].sort((a, b) => a.key.localeCompare(b.key))
  return {
    email: byKey(
      await i.importMatches(WS, 'contacts', { on: 'email' }, [
        'n7@bulk.test',
        'nobody@bulk.test',
        'n299@bulk.test',
        '',
        'n7@bulk.test',
      ]),
    ),
    // A chosen field: its match index made on the main side first (DDL), the select in the thread.
    field: byKey(
      await i.importMatches(WS, 'contacts', { on: 'field', field: 'lastName' }, ['n8', 'n250', 'x']),
    ),
    many: await i.getMany(WS, 'contacts', ['con_bt_3', 'missing', 'con_bt_1', 'con_bt_3']),
  }
}

/** What `importReads` answers over `batchOf(0, 300)`. */
function expectImportReads(reads: Awaited<ReturnType<typeof importReads>>): void {
  expect(reads.email).toEqual([
    { key: 'n299@bulk.test', id: 'con_bt_299' },
    { key: 'n7@bulk.test', id: 'con_bt_7' },
  ])
  expect(reads.field).toEqual([
    { key: 'n250', id: 'con_bt_250' },
    { key: 'n8', id: 'con_bt_8' },
  ])
  expect(reads.many.map((r) => r.id)).toEqual(['con_bt_3', 'con_bt_1'])
  expect(reads.many[0]?.record).toMatchObject({ lastName: 'N3', email: 'n3@bulk.test' })
}

let dir: string
let index: RecordIndex

describe('bulk applies in a worker thread (SQLite)', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapport-bulk-thread-'))
    index = await openSqliteRecordIndex(join(dir, 'index.sqlite'), { thread: 'bulk' })
  })
  afterEach(async () => {
    await index.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('lands in the same file, read by the main connection, with the feed events of the batch', async () => {
    const applied = await index.applyBulk?.(batchOf(0, 300))
    expect(applierOf(index).running).toBe(true)
    // 300 records: two parts of 100 sent ahead (one message per turn), the last 100 with the apply — one transaction.
    expect(applierOf(index).partsStaged).toBe(2)
    expect(applied?.map((a) => a.id)).toEqual(Array.from({ length: 300 }, (_, i) => `con_bt_${i}`))
    expect(applied?.map((a) => a.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(await index.lastSeq(WS)).toBe(300)
    expect((await index.get(WS, 'contacts', 'con_bt_299'))?.record).toMatchObject({ lastName: 'N299' })
    // Search and the import's match keys were written by the thread's connection too (its own match function).
    expect((await index.search(WS, 'N150')).map((h) => h.id)).toContain('con_bt_150')
    expect(await index.importMatches(WS, 'contacts', { on: 'email' }, ['n7@bulk.test'])).toEqual([
      { key: 'n7@bulk.test', id: 'con_bt_7' },
    ])
    // A chosen-field rule: the expression index calls rapport_match_text, which the thread's connection has too.
    expect(await index.importMatches(WS, 'contacts', { on: 'field', field: 'lastName' }, ['n8'])).toEqual([
      { key: 'n8', id: 'con_bt_8' },
    ])
    await index.applyBulk?.(batchOf(1000, 10))
    expect((await index.get(WS, 'contacts', 'con_bt_1009'))?.record).toMatchObject({ lastName: 'N1009' })
  })

  it('one writer at a time: bulk and live applies started together commit one after another, seqs in order', async () => {
    // Warm: the thread is started.
    await index.applyBulk?.(batchOf(0, 1))
    const calls = await Promise.all([
      index.applyBulk?.(batchOf(100, 400)) as Promise<AppliedChange[]>,
      index.apply(batchOf(600, 5)),
      index.applyBulk?.(batchOf(700, 400)) as Promise<AppliedChange[]>,
      index.apply(batchOf(100, 3, 'Live')),
      index.prune().then(() => [] as AppliedChange[]),
    ])
    // Each call's seqs are one run, in the order the calls were made (the write lock queues them).
    expectMonotonic(calls)
    expect(calls.map((c) => c.length)).toEqual([400, 5, 400, 3, 0])
    const feed = await index.feedSince(WS, 1, 5_000)
    if (feed === 'gap') throw new Error('gap')
    expect(feed.changes.map((c) => c.seq)).toEqual(calls.flat().map((c) => c.seq))
    // The live rename after the bulk create of the same record won.
    expect((await index.get(WS, 'contacts', 'con_bt_101'))?.record).toMatchObject({ firstName: 'Live' })
  })

  it('close waits for a bulk apply in flight; what it wrote is there after reopening', async () => {
    const pending = index.applyBulk?.(batchOf(0, 500))
    await index.close()
    await expect(pending).resolves.toHaveLength(500)
    index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
    expect(await index.lastSeq(WS)).toBe(500)
    expect(await index.get(WS, 'contacts', 'con_bt_499')).not.toBeNull()
  })

  it('a change the index refuses comes back as the same 400 error as on the main thread', async () => {
    const bad = contact(1).change as Extract<RecordChange, { op: 'upsert' }>
    const refused = await index
      .applyBulk?.({ records: [{ ...bad, record: { ...bad.record, id: 42 } as never }] })
      .catch((error: unknown) => error)
    const direct = await index
      .apply({ records: [{ ...bad, record: { ...bad.record, id: 42 } as never }] })
      .catch((error: unknown) => error)
    expect(isAppError(direct) && direct.status).toBe(400)
    expect(isAppError(refused) && { status: refused.status, message: refused.message }).toEqual({
      status: 400,
      message: (direct as Error).message,
    })
  })

  it('a large batch with document states goes over in parts and commits whole; a crash while it is sent writes none of it', async () => {
    const written = Array.from({ length: 260 }, (_, i) => contact(i))
    const batch: IndexBatch = {
      records: written.map((w) => w.change),
      docStates: written.map((w) => ({ doc: (w.change as { doc: string }).doc, stateVector: w.stateVector })),
    }
    const applier = applierOf(index)
    applier.crashForTest()
    expect(await index.applyBulk?.(batch).catch((error: unknown) => error)).toBeInstanceOf(BulkApplierCrashed)
    expect(await index.lastSeq(WS)).toBe(0)
    // After the thread's pause (bulk mode: a direct applyBulk starts a new thread) the same batch lands whole.
    const applied = await index.applyBulk?.(batch)
    expect(applier.partsStaged).toBeGreaterThanOrEqual(4 + 4)
    expect(applied).toHaveLength(260)
    expect(await index.lastSeq(WS)).toBe(260)
    expect((await index.get(WS, 'contacts', 'con_bt_259'))?.record).toMatchObject({ lastName: 'N259' })
    // The document states of the parts sent ahead are written too.
    for (const w of [written[0], written[150], written[259]])
      expect(await index.docState((w?.change as { doc: string } | undefined)?.doc ?? '')).toEqual(
        w?.stateVector,
      )
  })

  it('a crashed thread rejects its apply (nothing of it written, the lock released); the next apply starts a new one', async () => {
    const applier = applierOf(index)
    applier.crashForTest()
    const failed = await index.applyBulk?.(batchOf(0, 50)).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(BulkApplierCrashed)
    expect((failed as Error).message).toMatch(/bulk index thread stopped/)
    expect(applier.crashes).toBe(1)
    expect(await index.lastSeq(WS)).toBe(0)
    // The main thread still writes (the lock was released), and a new thread takes the next bulk apply.
    expect(await index.apply(batchOf(900, 1))).toHaveLength(1)
    expect(await index.applyBulk?.(batchOf(0, 50))).toHaveLength(50)
    expect(applier.running).toBe(true)
    expect(await index.lastSeq(WS)).toBe(51)
  }, 60_000)

  it('IndexWorker: written records go through the thread, the feed gets them after commit in seq order; a crash is counted and the batch applied again', async () => {
    const committed: AppliedChange[][] = []
    const worker = new IndexWorker({
      index,
      projection: new Projection(silentLogger()),
      logger: silentLogger(),
      onCommitted: (applied) => committed.push(applied),
    })
    const written = Array.from({ length: 1_200 }, (_, i) => contact(i))
    worker.enqueueWritten(written)
    await worker.flush()
    expect(applierOf(index).running).toBe(true)
    expect(worker.stats()).toMatchObject({ lag: 0, bulkCrashes: 0, failures: 0 })
    // 1,000 changes (500 records with their states) per apply in the thread.
    expect(committed.map((c) => c.length)).toEqual([500, 500, 200])
    expectMonotonic(committed)
    const last = written[1_199] as ReturnType<typeof contact>
    expect(Buffer.from((await index.docState((last.change as { doc: string }).doc)) ?? [])).toEqual(
      Buffer.from(last.stateVector),
    )

    applierOf(index).crashForTest()
    worker.enqueueWritten(Array.from({ length: 100 }, (_, i) => contact(2_000 + i)))
    await worker.flush()
    expect(worker.stats()).toMatchObject({ lag: 0, bulkCrashes: 1 })
    expect(await index.get(WS, 'contacts', 'con_bt_2099')).not.toBeNull()
    expect(committed.flat()).toHaveLength(1_300)
    expectMonotonic(committed)
    await worker.stop()
  }, 60_000)
})

describe('every apply in the worker thread (SQLite, INDEX_THREAD=all)', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapport-all-thread-'))
    index = await openSqliteRecordIndex(join(dir, 'index.sqlite'), { thread: 'all' })
  })
  afterEach(async () => {
    await index.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a live apply runs in the thread and is read back by the main connection, seqs in order with bulk applies', async () => {
    // Started with the index (not on the first apply): a live edit does not wait for the thread's modules.
    expect(applierOf(index).running).toBe(true)
    expect(await index.apply(batchOf(0, 3))).toHaveLength(3)
    const calls = await Promise.all([
      index.apply(batchOf(10, 2, 'Live')),
      index.applyBulk?.(batchOf(100, 300)) as Promise<AppliedChange[]>,
      index.apply(batchOf(10, 1, 'Later')),
    ])
    expectMonotonic(calls)
    expect(await index.lastSeq(WS)).toBe(306)
    expect((await index.get(WS, 'contacts', 'con_bt_10'))?.record).toMatchObject({ firstName: 'Later' })
    expect((await index.search(WS, 'N11')).map((h) => h.id)).toContain('con_bt_11')
  })

  it('a crash under a live apply rejects it (nothing written); the applies after it run on the main thread', async () => {
    await index.apply(batchOf(0, 1))
    const applier = applierOf(index)
    applier.crashForTest()
    const failed = await index.apply(batchOf(1, 5)).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(BulkApplierCrashed)
    expect(await index.lastSeq(WS)).toBe(1)
    // Applied here meanwhile: no new thread is started for it.
    expect(await index.apply(batchOf(1, 5))).toHaveLength(5)
    expect(applier.running).toBe(false)
    expect(applier.crashes).toBe(1)
    expect((await index.get(WS, 'contacts', 'con_bt_5'))?.record).toMatchObject({ lastName: 'N5' })
  })

  it("an import's reads are answered by the thread, as the main thread answers them; a read after an apply sees it", async () => {
    const applier = applierOf(index)
    await index.applyBulk?.(batchOf(0, 300))
    const answered = applier.readsAnswered
    const inThread = await importReads(index)
    expect(applier.readsAnswered - answered).toBe(3)
    expectImportReads(inThread)
    // The same reads on the main thread: an index on the same file without a thread.
    const here = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
    try {
      expect(await importReads(here)).toEqual(inThread)
    } finally {
      await here.close()
    }
    // A read after an apply (a live one, in the thread too) sees what it wrote: a new record, a renamed one.
    await index.apply({ records: [contact(1000).change, contact(5, 'Renamed').change] })
    expect(await index.importMatches(WS, 'contacts', { on: 'email' }, ['n1000@bulk.test'])).toEqual([
      { key: 'n1000@bulk.test', id: 'con_bt_1000' },
    ])
    expect((await index.getMany(WS, 'contacts', ['con_bt_5']))[0]?.record).toMatchObject({
      firstName: 'Renamed',
    })
    expect(applier.readsAnswered - answered).toBe(5)
    // Checked here first, with the same plain errors; nothing asked of the thread.
    const badIds = await index.getMany(WS, 'contacts', [42 as never]).catch((error: unknown) => error)
    expect(isAppError(badIds) && badIds.status).toBe(400)
    expect((badIds as Error).message).toMatch(/Invalid record ids/)
    const badRule = await index
      .importMatches(WS, 'contacts', { on: 'field', field: 'city) or (1=1' }, ['x'])
      .catch((error: unknown) => error)
    expect(isAppError(badRule) && badRule.status).toBe(400)
    expect((badRule as Error).message).toMatch(/Invalid import match query/)
    expect(await index.getMany(WS, 'contacts', [])).toEqual([])
    expect(applier.readsAnswered - answered).toBe(5)
  })

  it('a thread that dies under a read: the read is answered here, and the reads after it while the thread is paused', async () => {
    await index.apply(batchOf(0, 20))
    const applier = applierOf(index)
    const answered = applier.readsAnswered
    applier.crashForTest()
    expect(await index.importMatches(WS, 'contacts', { on: 'email' }, ['n3@bulk.test'])).toEqual([
      { key: 'n3@bulk.test', id: 'con_bt_3' },
    ])
    // The read went to the thread (it died under it), then was answered here.
    expect(applier.crashes).toBe(1)
    expect(index.bulkThreaded).toBe(false)
    expect((await index.getMany(WS, 'contacts', ['con_bt_4', 'con_bt_19'])).map((r) => r.id)).toEqual([
      'con_bt_4',
      'con_bt_19',
    ])
    // Paused: no new thread was started for the reads after it.
    expect(applier.running).toBe(false)
    expect(applier.readsAnswered).toBe(answered)
  })

  it('IndexWorker: a live edit’s batch lost with the thread is applied again, once', async () => {
    const committed: AppliedChange[][] = []
    const projection = new Projection(silentLogger())
    const worker = new IndexWorker({
      index,
      projection,
      logger: silentLogger(),
      onCommitted: (applied) => committed.push(applied),
    })
    worker.start()
    await index.apply(batchOf(0, 1))
    applierOf(index).crashForTest()
    // A live document edited: the projection's events, not a bulk write.
    const name = docName({ workspaceId: WS, kind: 'contact', contactId: 'con_live' })
    const doc = new Y.Doc({ guid: name })
    projection.attach(name, doc)
    createContact(
      doc,
      { id: 'con_live', firstName: 'Live', lastName: 'Edit', email: 'live@bulk.test' },
      'test',
    )
    await worker.flush()
    expect(worker.stats()).toMatchObject({ lag: 0, bulkCrashes: 1, failures: 1 })
    expect(committed.flat().map((c) => c.id)).toEqual(['con_live'])
    expect(await index.lastSeq(WS)).toBe(2)
    expect((await index.get(WS, 'contacts', 'con_live'))?.record).toMatchObject({ lastName: 'Edit' })
    await worker.stop()
  }, 60_000)
})

const PG_SCHEMA = 'rapport_bulk_thread_test'

describe('bulk applies in a worker thread (PostgreSQL)', () => {
  beforeEach(async () => {
    await dropPostgresIndexSchema(PG_SCHEMA)
    index = await openPostgresRecordIndex({ schema: PG_SCHEMA, thread: 'bulk' })
  })
  afterEach(async () => {
    await index.close()
    await dropPostgresIndexSchema(PG_SCHEMA)
  })

  it('lands through the thread’s own connection, seqs in order with the main pool’s applies', async () => {
    await index.applyBulk?.(batchOf(0, 1))
    expect(applierOf(index).running).toBe(true)
    const calls = await Promise.all([
      index.applyBulk?.(batchOf(100, 300)) as Promise<AppliedChange[]>,
      index.apply(batchOf(500, 4)),
      index.applyBulk?.(batchOf(600, 300)) as Promise<AppliedChange[]>,
    ])
    expectMonotonic(calls)
    expect(calls.map((c) => c.length)).toEqual([300, 4, 300])
    expect(await index.lastSeq(WS)).toBe(605)
    expect((await index.get(WS, 'contacts', 'con_bt_899'))?.record).toMatchObject({ lastName: 'N899' })
    expect(await index.importMatches(WS, 'contacts', { on: 'email' }, ['n650@bulk.test'])).toEqual([
      { key: 'n650@bulk.test', id: 'con_bt_650' },
    ])
  })
})

const PG_SCHEMA_ALL = 'rapport_all_thread_test'

describe('every apply and an import’s reads in the worker thread (PostgreSQL, INDEX_THREAD=all)', () => {
  beforeEach(async () => {
    await dropPostgresIndexSchema(PG_SCHEMA_ALL)
    index = await openPostgresRecordIndex({ schema: PG_SCHEMA_ALL, thread: 'all' })
  })
  afterEach(async () => {
    await index.close()
    await dropPostgresIndexSchema(PG_SCHEMA_ALL)
  })

  it('importMatches and getMany are answered by the thread, as the main pool answers them', async () => {
    const applier = applierOf(index)
    await index.apply(batchOf(0, 300))
    const answered = applier.readsAnswered
    const inThread = await importReads(index)
    expect(applier.readsAnswered - answered).toBe(3)
    expectImportReads(inThread)
    const here = await openPostgresRecordIndex({ schema: PG_SCHEMA_ALL })
    try {
      expect(await importReads(here)).toEqual(inThread)
    } finally {
      await here.close()
    }
    await index.apply({ records: [contact(5, 'Renamed').change] })
    expect((await index.getMany(WS, 'contacts', ['con_bt_5']))[0]?.record).toMatchObject({
      firstName: 'Renamed',
    })
  })
})
