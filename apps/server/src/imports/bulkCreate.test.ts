import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ACCOUNTS,
  COLLECTION,
  collectionMap,
  createAccount,
  createContact,
  docName,
  TIMELINE,
} from '@rapport/model'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { writeDocument } from '../collab/directWrites.ts'
import { createServer, type RapportServer } from '../createServer.ts'
import { silentLogger } from '../log/logger.ts'
import { normalizeDomain } from '../recordIndex/duplicateKeys.ts'
import type { KyselyRecordIndex } from '../recordIndex/kyselyRecordIndex.ts'
import { sqliteStore } from '../storage/sqliteStore.ts'
import { buildDocument } from './bulkCreate.ts'
import { type ImportJob, ImportJobs, type ImportSettings } from './ImportJobs.ts'

const WS = 'ws_bulk'
const ACTOR = { userId: 'usr_bulk_admin', name: 'Bulk Admin' }
const ACCOUNT = 'acc_bulk_room'

let dir: string
let server: RapportServer
let sqlite: ReturnType<typeof sqliteStore>
/** The server's own jobs: contacts created on the bulk path. */
let bulk: ImportJobs
/** The same jobs without a store: every row through Hocuspocus (the path before the bulk path). */
let oneByOne: ImportJobs

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-bulk-import-'))
  // The server's own kind of store, whose batch forms the bulk path writes with (`storeNew`, `settleNew`).
  sqlite = sqliteStore({ file: join(dir, 'data', 'documents.sqlite') })
  server = await createServer({
    documentStore: sqlite,
    dataDir: join(dir, 'data'),
    secrets: { session: 'bulk-import-test-session-secret-0123456789' },
    logger: silentLogger(),
    webDist: null,
    debounceMs: 50,
    maxDebounceMs: 500,
    // The index's bulk applies in their worker thread (BulkApplier.ts): the bulk path as INDEX_BULK_THREAD=1 runs it.
    index: { kind: 'sqlite', thread: 'bulk' },
  })
  await writeDocument(
    server.hocuspocus,
    docName({ workspaceId: WS, kind: 'account', accountId: ACCOUNT }),
    'rest',
    ACTOR,
    (doc, origin) => createAccount(doc, { id: ACCOUNT, name: 'Bulk Room Inc' }, origin),
  )
  await server.index.flush()
  const deps = { hocuspocus: server.hocuspocus, index: server.index, logger: silentLogger() }
  // Pipelined (ImportJobsDeps `pipeline`, off by default): what holds one batch after another holds here too.
  bulk = await ImportJobs.open({ ...deps, dataDir: join(dir, 'bulk'), store: sqlite, pipeline: true })
  oneByOne = await ImportJobs.open({ ...deps, dataDir: join(dir, 'one') })
})
afterAll(async () => {
  await bulk?.close()
  await oneByOne?.close()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

const MAPPING = {
  'First name': 'firstName',
  'Last name': 'lastName',
  Email: 'email',
  Phone: 'phone',
  Account: 'accountName',
}

async function runImport(
  jobs: ImportJobs,
  csv: string,
  settings: ImportSettings,
  kind: ImportJob['kind'] = 'contacts',
): Promise<ImportJob> {
  const id = await startImport(jobs, csv, settings, kind)
  await jobs.settled(id)
  return jobs.get(WS, id) as ImportJob
}

/** Uploads `csv` as a job and starts it; returns the job's id. */
async function startImport(
  jobs: ImportJobs,
  csv: string,
  settings: ImportSettings,
  kind: ImportJob['kind'] = 'contacts',
): Promise<string> {
  const id = jobs.newId()
  const lines = csv.trimEnd().split('\n')
  const job: ImportJob = {
    id,
    workspaceId: WS,
    kind,
    fileName: 'bulk.csv',
    status: 'uploaded',
    separator: ',',
    columns: (lines[0] as string).split(','),
    rowCount: lines.length - 1,
    total: lines.length - 1,
    processed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    uploadedAt: Date.now(),
    startedAt: null,
    finishedAt: null,
    createdBy: ACTOR.userId,
    createdByName: ACTOR.name,
    lastRow: 0,
    settings: null,
  }
  await jobs.add(job)
  await writeFile(jobs.filePath(id), csv)
  await jobs.start(job, settings, ACTOR)
  return id
}

/** A contacts file of `rows` rows with the emails `<prefix><n>@bulk.test`. */
function contactsCsv(prefix: string, rows: number): { csv: string; emails: string[] } {
  const emails = Array.from({ length: rows }, (_, i) => `${prefix}${i + 1}@bulk.test`)
  const lines = emails.map((email, i) => `Row,${prefix}${i + 1},${email},,`)
  return { csv: ['First name,Last name,Email,Phone,Account', ...lines].join('\n'), emails }
}

/** How many of `emails` the index holds as contacts of WS. */
async function indexedOf(emails: readonly string[]): Promise<number> {
  let found = 0
  for (let i = 0; i < emails.length; i += 200)
    found += (
      await server.index.index.importMatches(WS, 'contacts', { on: 'email' }, emails.slice(i, i + 200))
    ).length
  return found
}

const createdIds = async (jobs: ImportJobs, job: ImportJob): Promise<string[]> =>
  (await jobs.readLog(job.id))
    .filter((l) => l.t === 'c')
    .sort((a, b) => a.row - b.row)
    .map((l) => (l as { id: string }).id)

/** A stored document's content as JSON, with the record's own id and times left out. */
async function storedContent(name: string, id: string): Promise<Record<string, unknown>> {
  const state = await server.documentStore.load(name)
  expect(state, name).not.toBeNull()
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state as Uint8Array)
  const content: Record<string, unknown> = {}
  for (const key of doc.share.keys()) content[key] = doc.getMap(key).toJSON()
  const record = (content[COLLECTION.contacts] as Record<string, Record<string, unknown>>)[id]
  expect(record, `${id} in ${name}`).toBeDefined()
  const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = record as Record<string, unknown>
  doc.destroy()
  return {
    keys: [...Object.keys(content)].sort(),
    records: Object.keys(content[COLLECTION.contacts] as object),
    fields,
  }
}

const contactDoc = (id: string) => docName({ workspaceId: WS, kind: 'contact', contactId: id })

describe('the bulk path of an import', () => {
  it('creates the same documents, index rows, feed events and timeline entries as creating one by one', async () => {
    const csv = [
      'First name,Last name,Email,Phone,Account',
      'Ada,Lovelace,ada@bulk.test,+44 20 7946 0001,Bulk Room Inc',
      'Alan,Turing,alan@bulk.test,+44 20 7946 0002,',
      'Grace,Hopper,grace@bulk.test,,Bulk Room Inc',
    ].join('\n')
    const settings: ImportSettings = { mapping: MAPPING, duplicates: { policy: 'create', matchOn: 'email' } }
    const seqBefore = await server.index.index.lastSeq(WS)
    const a = await runImport(bulk, csv, settings)
    const b = await runImport(oneByOne, csv, settings)
    expect([a.status, a.created, a.failed]).toEqual(['done', 3, 0])
    expect([b.status, b.created, b.failed]).toEqual(['done', 3, 0])
    const bulkIds = await createdIds(bulk, a)
    const oneIds = await createdIds(oneByOne, b)
    expect(bulkIds).toHaveLength(3)
    await server.index.flush()
    for (const [i, id] of bulkIds.entries()) {
      const other = oneIds[i] as string
      // Documents: the same maps, one record each, the same fields.
      const mine = await storedContent(contactDoc(id), id)
      expect(mine.records).toEqual([id])
      expect(mine).toEqual({ ...(await storedContent(contactDoc(other), other)), records: [id] })
      // Index rows: the same record (id and times aside) in its own document.
      const row = await server.index.index.get(WS, 'contacts', id)
      const otherRow = await server.index.index.get(WS, 'contacts', other)
      expect(row?.doc).toBe(contactDoc(id))
      const strip = (r: Record<string, unknown> | undefined) => {
        const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = r ?? {}
        return rest
      }
      expect(strip(row?.record)).toEqual(strip(otherRow?.record))
      // Duplicate keys: each finds the other (same email).
      const email = String(row?.record.email)
      const matches = await server.index.index.duplicateMatches(WS, 'contacts', [
        { type: 'email', value: email },
      ])
      expect(matches.map((m) => m.id).sort()).toEqual([id, other].sort())
    }
    // Nothing of the bulk documents is left in the update log: their states are stored.
    const logged = await server.documentStore.loggedNames()
    for (const id of bulkIds) expect(logged).not.toContain(contactDoc(id))
    // The change feed announced every created record.
    const feed = await server.index.index.feedSince(WS, seqBefore)
    expect(feed).not.toBe('gap')
    const announced = new Set(
      (feed as { changes: Array<{ id: string; op: string }> }).changes
        .filter((c) => c.op === 'upsert')
        .map((c) => c.id),
    )
    for (const id of [...bulkIds, ...oneIds]) expect(announced.has(id), id).toBe(true)
    // The account room's timeline: "created contact …" by the importing user, for both paths alike.
    const room = docName({ workspaceId: WS, kind: 'account', accountId: ACCOUNT })
    await vi.waitFor(
      async () => {
        const entries = await writeDocument(server.hocuspocus, room, 'audit', null, (doc) =>
          [...collectionMap(doc, TIMELINE).values()].map((e) => (e as Y.Map<unknown>).toJSON()),
        )
        const created = (ids: string[]) =>
          entries
            .filter((e) => ids.includes(String(e.subject?.id)))
            .map((e) => [e.type, e.actorId, e.text])
            .sort()
        const withAccount = (ids: string[]) => [ids[0], ids[2]] as string[]
        expect(created(withAccount(bulkIds))).toEqual([
          ['field_change', ACTOR.userId, 'created contact Ada Lovelace'],
          ['field_change', ACTOR.userId, 'created contact Grace Hopper'],
        ])
        expect(created(withAccount(bulkIds))).toEqual(created(withAccount(oneIds)))
      },
      { timeout: 5_000, interval: 50 },
    )
  })

  it('matches duplicates inside one batch and existing ones by email: the first row is created, later ones skipped', async () => {
    const csv = [
      'First name,Last name,Email,Phone,Account',
      'Katherine,Johnson,kj@bulk.test,,',
      'Kathy,Johnson,KJ@bulk.test ,,',
      'Dorothy,Vaughan,dv@bulk.test,,',
      'Dot,Vaughan,dv@bulk.test,,',
      // A contact of the first test (found through the index's duplicate keys, case and spaces aside).
      'Ada,Byron, ADA@Bulk.test,,',
    ].join('\n')
    const job = await runImport(bulk, csv, {
      mapping: MAPPING,
      duplicates: { policy: 'skip', matchOn: 'email' },
    })
    expect([job.status, job.created, job.skipped, job.failed]).toEqual(['done', 2, 3, 0])
    const ids = await createdIds(bulk, job)
    const rows = await server.index.index.getMany(WS, 'contacts', ids)
    expect(rows.map((r) => r.record.firstName)).toEqual(['Katherine', 'Dorothy'])
  })

  it('a crash of the index’s bulk thread fails the import in plain words; the batch it hit is stored and indexed', async () => {
    const applier = (server.index.index as KyselyRecordIndex).bulkApplierForTest()
    expect(applier).not.toBeNull()
    applier?.crashForTest()
    const crashesBefore = server.index.stats().bulkCrashes
    const csv = [
      'First name,Last name,Email,Phone,Account',
      'Mae,Jemison,mae@bulk.test,,',
      'Sally,Ride,sally@bulk.test,,',
    ].join('\n')
    const job = await runImport(bulk, csv, {
      mapping: MAPPING,
      duplicates: { policy: 'create', matchOn: 'email' },
    })
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/record index stopped in the middle of this import/)
    expect(server.index.stats().bulkCrashes).toBe(crashesBefore + 1)
    // Nothing half done: the rows of the batch are in the index (applied again on the main thread) and stored.
    const found = await server.index.index.importMatches(WS, 'contacts', { on: 'email' }, [
      'mae@bulk.test',
      'sally@bulk.test',
    ])
    expect(found).toHaveLength(2)
    for (const { id } of found) {
      expect((await server.index.index.get(WS, 'contacts', id))?.doc).toBe(contactDoc(id))
      expect(await server.documentStore.load(contactDoc(id))).not.toBeNull()
    }
  })

  it('a batch that fails stops the import before the next one, built meanwhile, is written', async () => {
    // 2,500 rows: three batches of the bulk path (1,000 rows); the second is planned and built while the first is
    // written (ImportJobsDeps `pipeline`). The first one's durable append fails.
    const { csv, emails } = contactsCsv('order', 2_500)
    const append = vi.spyOn(sqlite, 'storeNew').mockRejectedValueOnce(new Error('disk full'))
    try {
      const job = await runImport(bulk, csv, {
        mapping: MAPPING,
        duplicates: { policy: 'create', matchOn: 'email' },
      })
      expect(job.status).toBe('failed')
      expect([job.processed, job.lastRow]).toEqual([0, 0])
      // Nothing indexed: not the failed batch, not the one built while it was written.
      expect(await indexedOf(emails)).toBe(0)
      expect(await createdIds(bulk, job)).toEqual([])
    } finally {
      append.mockRestore()
    }
  })

  it('a cancel while one batch is written and the next built: the job counts exactly what it wrote', async () => {
    const { csv, emails } = contactsCsv('cancel', 6_000)
    const id = await startImport(bulk, csv, {
      mapping: MAPPING,
      duplicates: { policy: 'create', matchOn: 'email' },
    })
    await vi.waitFor(() => expect(bulk.get(WS, id)?.processed).toBeGreaterThanOrEqual(1_000), {
      timeout: 30_000,
      interval: 5,
    })
    bulk.cancel(bulk.get(WS, id) as ImportJob)
    await bulk.settled(id)
    const job = bulk.get(WS, id) as ImportJob
    expect(job.status).toBe('cancelled')
    expect(job.processed).toBeLessThan(6_000)
    expect([job.created, job.lastRow]).toEqual([job.processed, job.processed])
    // Written = counted: the rows counted are indexed and logged, no row after them is.
    expect(await indexedOf(emails.slice(0, job.processed))).toBe(job.processed)
    expect(await indexedOf(emails.slice(job.processed))).toBe(0)
    expect(await createdIds(bulk, job)).toHaveLength(job.processed)
  })

  it('gives way to live edits: while a client edited within the window, a pause before each later batch; else none', async () => {
    const live = { editing: true }
    const pauses: number[] = []
    const yielding = await ImportJobs.open({
      hocuspocus: server.hocuspocus,
      index: server.index,
      logger: silentLogger(),
      dataDir: join(dir, 'yielding'),
      store: sqlite,
      liveEdits: { msSinceLast: () => (live.editing ? 0 : Number.POSITIVE_INFINITY) },
      liveShare: 0.5,
      pause: async (ms) => {
        pauses.push(ms)
      },
    })
    try {
      // 2,500 rows: three batches, so two pauses (none after the last batch: the import's end is not held back).
      const editing = contactsCsv('giveway', 2_500)
      const job = await runImport(yielding, editing.csv, {
        mapping: MAPPING,
        duplicates: { policy: 'create', matchOn: 'email' },
      })
      expect([job.status, job.created]).toEqual(['done', 2_500])
      expect(pauses).toHaveLength(2)
      // At a share of 0.5, each pause is as long as the batch before it took (> 0 ms), at most a second.
      for (const ms of pauses) expect(ms).toBeGreaterThan(0)
      for (const ms of pauses) expect(ms).toBeLessThanOrEqual(1_000)

      live.editing = false
      pauses.length = 0
      const quiet = contactsCsv('noway', 2_500)
      const alone = await runImport(yielding, quiet.csv, {
        mapping: MAPPING,
        duplicates: { policy: 'create', matchOn: 'email' },
      })
      expect([alone.status, alone.created]).toEqual(['done', 2_500])
      expect(pauses).toEqual([])
    } finally {
      await yielding.close()
    }
  })

  it('undo archives what the bulk path created', async () => {
    const csv = ['First name,Last name,Email,Phone,Account', 'Mary,Jackson,mj@bulk.test,,'].join('\n')
    const job = await runImport(bulk, csv, {
      mapping: MAPPING,
      duplicates: { policy: 'create', matchOn: 'email' },
    })
    const [id] = await createdIds(bulk, job)
    await bulk.undo(job, ACTOR)
    await bulk.settled(job.id)
    expect(bulk.get(WS, job.id)?.status).toBe('undone')
    const row = await server.index.index.get(WS, 'contacts', id as string)
    expect(row?.record.archived).toBe(true)
  })

  it('creates accounts the same as one by one: room document with its "created account" entry, index, keys, feed', async () => {
    const csv = [
      'Name,Domain,City',
      'Difference Engines Ltd,difference.test,London',
      'Jacquard Looms,https://www.Jacquard.test/,Lyon',
    ].join('\n')
    const settings: ImportSettings = {
      mapping: { Name: 'name', Domain: 'domain', City: 'city' },
      duplicates: { policy: 'create', matchOn: 'domain' },
    }
    const seqBefore = await server.index.index.lastSeq(WS)
    // The bulk path opens no room: no direct connection to a new account's document.
    const opened: string[] = []
    const open = server.hocuspocus.openDirectConnection.bind(server.hocuspocus)
    const spy = vi.spyOn(server.hocuspocus, 'openDirectConnection').mockImplementation((name, context) => {
      opened.push(name)
      return open(name, context)
    })
    const a = await runImport(bulk, csv, settings, 'accounts')
    spy.mockRestore()
    const b = await runImport(oneByOne, csv, settings, 'accounts')
    expect([a.status, a.created, a.failed]).toEqual(['done', 2, 0])
    expect([b.status, b.created, b.failed]).toEqual(['done', 2, 0])
    const bulkIds = await createdIds(bulk, a)
    const oneIds = await createdIds(oneByOne, b)
    const room = (id: string) => docName({ workspaceId: WS, kind: 'account', accountId: id })
    expect(opened.filter((name) => bulkIds.some((id) => name === room(id)))).toEqual([])
    // The stored room: the bulk path stored its state (nothing left in the update log), with the account in it.
    const logged = await server.documentStore.loggedNames()
    for (const id of bulkIds) expect(logged).not.toContain(room(id))
    for (const id of bulkIds) expect(await server.documentStore.load(room(id))).not.toBeNull()
    /** A room as JSON: its maps, the account's fields (id and times aside), its timeline entries. */
    const content = (id: string) =>
      writeDocument(server.hocuspocus, room(id), 'audit', null, (doc) => {
        const keys = [...doc.share.keys()].sort()
        const account = collectionMap(doc, ACCOUNTS).get(id) as Y.Map<unknown> | undefined
        const { id: _i, createdAt: _c, updatedAt: _u, ...fields } = account?.toJSON() ?? {}
        const entries = [...collectionMap(doc, TIMELINE).values()].map((e) => (e as Y.Map<unknown>).toJSON())
        return {
          keys,
          accounts: [...collectionMap(doc, ACCOUNTS).keys()].length,
          fields,
          timeline: entries.map((e) => [e.type, e.actorId, e.subject?.kind, e.subject?.id === id, e.text]),
        }
      })
    await server.index.flush()
    await vi.waitFor(
      async () => {
        for (const [i, id] of bulkIds.entries()) {
          const mine = await content(id)
          expect(mine.accounts).toBe(1)
          expect(mine.timeline).toHaveLength(1)
          expect(mine).toEqual(await content(oneIds[i] as string))
        }
      },
      { timeout: 5_000, interval: 50 },
    )
    expect((await content(bulkIds[0] as string)).timeline).toEqual([
      ['field_change', ACTOR.userId, 'account', true, 'created account Difference Engines Ltd'],
    ])
    for (const [i, id] of bulkIds.entries()) {
      const other = oneIds[i] as string
      const row = await server.index.index.get(WS, 'accounts', id)
      const otherRow = await server.index.index.get(WS, 'accounts', other)
      expect(row?.doc).toBe(room(id))
      const strip = (r: Record<string, unknown> | undefined) => {
        const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = r ?? {}
        return rest
      }
      expect(strip(row?.record)).toEqual(strip(otherRow?.record))
      // Duplicate keys and import keys: each finds the other.
      const domain = normalizeDomain(String(row?.record.domain))
      const matches = await server.index.index.duplicateMatches(WS, 'accounts', [
        { type: 'domain', value: domain },
      ])
      expect(matches.map((m) => m.id).sort()).toEqual([id, other].sort())
      const byRule = await server.index.index.importMatches(WS, 'accounts', { on: 'domain' }, [domain])
      expect(byRule).toEqual([{ key: domain, id: [id, other].sort()[0] }])
    }
    const feed = await server.index.index.feedSince(WS, seqBefore)
    expect(feed).not.toBe('gap')
    const announced = new Set((feed as { changes: Array<{ id: string }> }).changes.map((c) => c.id))
    for (const id of [...bulkIds, ...oneIds]) expect(announced.has(id), id).toBe(true)
  })
})

describe('a stop between the store and the index (bulkCreate.ts step 1 → 2)', () => {
  it('documents stored with storeNew and never indexed are indexed and settled at the next start', async () => {
    const dataDir = join(dir, 'stopped')
    const options = {
      dataDir,
      secrets: { session: 'bulk-import-test-session-secret-0123456789' },
      logger: silentLogger(),
      webDist: null,
      index: { kind: 'sqlite', thread: 'off' },
    } as const
    await (await createServer(options)).close()
    // Step 1 of a batch, then the process stops: stored, durable, not indexed.
    const store = sqliteStore({ file: join(dataDir, 'documents.sqlite') })
    const ids = ['con_stopped_1', 'con_stopped_2']
    const built = ids.map((id) =>
      buildDocument(contactDoc(id), 'contacts', id, ACTOR, (doc, origin) =>
        createContact(doc, { id, firstName: 'Stopped', lastName: id }, origin),
      ),
    )
    await store.storeNew(built.map((d) => ({ name: d.name, state: d.state })))
    await store.close()
    const again = await createServer(options)
    try {
      for (const id of ids)
        expect((await again.index.index.get(WS, 'contacts', id))?.record.lastName).toBe(id)
      // Compacted at the start: nothing left to replay.
      expect(await again.documentStore.loggedNames()).toEqual([])
    } finally {
      await again.close()
    }
  })
})
