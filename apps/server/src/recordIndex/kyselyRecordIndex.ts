import { createHash } from 'node:crypto'
import { type Kysely, type KyselyPlugin, type RawBuilder, sql, type Transaction } from 'kysely'
import { badRequest } from '../errors.ts'
import { parseSort } from '../projection/queryRecords.ts'
import {
  type ProjectedRecord,
  RECORD_KINDS,
  type RecordKind,
  searchEntryOf,
} from '../projection/recordKinds.ts'
import type { SearchEntry, SearchHit, SearchKind } from '../projection/SearchIndex.ts'
import { type TaskItem, TaskListQuery } from '../tasks/taskQueries.ts'
import { BulkApplier, BulkApplierCrashed, type BulkIndexSpec } from './BulkApplier.ts'
import {
  type DuplicateKey,
  type DuplicateKind,
  findByKeys,
  keyPairs,
  writeDuplicateKeys,
} from './duplicateKeys.ts'
import { findByImportKeys, IMPORT_KEY_TABLE, type MatchKind, writeImportKeys } from './importKeys.ts'
import {
  checkBatch,
  checkDoc,
  checkDocs,
  checkFeed,
  checkId,
  checkIds,
  checkImportMatch,
  checkKind,
  checkListQuery,
  checkOwners,
  checkReportFields,
  checkReportGroupQuery,
  checkSearch,
  checkStageFunnelQuery,
  checkWorkspace,
} from './indexInput.ts'
import {
  COLUMNS,
  commonDdl,
  type DialectTypes,
  filterColumn,
  filterSpec,
  reportColumn,
  reportSpec,
  rowOf,
  sortColumn,
  sortSpec,
  tableOf,
} from './indexSchema.ts'
import {
  type ActivityFact,
  type AppliedChange,
  BOARD_ROW_FIELDS,
  type CustomFieldCondition,
  type CustomSortType,
  FEED_KEEP_EVENTS,
  FEED_KEEP_MS,
  type FeedAnswer,
  type HandoffFact,
  type ImportMatchRule,
  INDEX_FORMAT,
  type IndexBatch,
  type IndexedRecord,
  type IndexListQuery,
  type IndexPage,
  type IndexSearchOptions,
  type IndexStats,
  type RecordChange,
  type RecordIndex,
  type ReportGroup,
  type ReportGroupQuery,
  type RoomFactsChange,
  type StageChange,
  type StageFunnel,
  type StageFunnelQuery,
} from './RecordIndex.ts'
import { textSortKey, words } from './textKeys.ts'

// biome-ignore lint/suspicious/noExplicitAny: tables are per kind and generated (indexSchema.ts)
export type AnyDb = Kysely<any>
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnyTrx = Transaction<any>

/** A search row as both stores keep it (the text columns go to FTS5 / a tsvector). */
export interface SearchRow {
  workspaceId: string
  entry: SearchEntry
  updatedAt: number
}

/** Matches of a text query: a subquery with columns `kind`, `id`, `rank` (lower is better), `updated_at`, and shown fields. */
export interface MatchSpec {
  workspaceId: string
  kinds: readonly SearchKind[] | null
  terms: readonly string[]
  /** Terms of two letters or more match as prefixes. */
  prefix: boolean
}

/** What differs between the stores: DDL types, search, JSON access. Everything else is written once, below. */
export interface IndexFlavor {
  name: 'sqlite' | 'postgres'
  types: DialectTypes
  /** Statements run first in the transaction of a report read (`reportRead`), e.g. PostgreSQL's `set local`. */
  reportSetup?: readonly string[]
  searchDdl: string[]
  /**
   * Run at every open once the tables exist: the indexes this store adds to the common ones, made when missing, so an
   * index written by an earlier release gets them without a rebuild.
   */
  ensureIndexes?(db: AnyDb): Promise<void>
  putSearch(trx: AnyTrx, row: SearchRow): Promise<void>
  putSearchMany(trx: AnyTrx, rows: readonly SearchRow[]): Promise<void>
  removeSearch(trx: AnyTrx, workspaceId: string, kind: SearchKind, id: string): Promise<void>
  /** `select kind, id, rank, updated_at, title, subtitle, account_id from … where <matches>` */
  matches(spec: MatchSpec): RawBuilder<unknown>
  /**
   * A list with a text query counts and sorts its matches in one statement (`textListOnce`) instead of a count, then
   * a page query that joins the matches again.
   */
  textListOnce?: boolean
  /** A JSON text as the store's binary JSON (the `custom_fields` column). */
  jsonb(text: string): RawBuilder<unknown>
  /** `data` at `path` is exactly `value` (same JSON type and value; `null` is not a missing key). */
  jsonEquals(path: readonly string[], value: string | number | boolean | null): RawBuilder<boolean>
  customField(condition: CustomFieldCondition): RawBuilder<boolean>
  /**
   * SQL text of the sort value of custom field `fieldId` (checked: letters, digits, `_`, `-`) in the `cf_sort` column
   * `column` (`cf_sort` in an index definition, `r.cf_sort` in a query: the same expression, so the index serves it):
   * numbers only (`number`) or text keys only (`text`, ordered by code point), else NULL.
   */
  customSortSql(column: string, fieldId: string, type: 'number' | 'text'): string
  /** The text value of custom field `fieldId` of `r` (a member field's user id), else NULL. */
  customText(fieldId: string): RawBuilder<unknown>
  /** Text keys (`textSortKey`) ordered by code point (PostgreSQL: `collate "C"`). */
  keyOrder(expression: RawBuilder<unknown>): RawBuilder<unknown>
  /** Drops every table of the index (an index of an older format is rebuilt from the documents). */
  dropAll(db: AnyDb): Promise<void>
  /** The `data` column as read back (SQLite: text; PostgreSQL `json`: already parsed). */
  parseData(value: unknown): ProjectedRecord
  bytes(value: unknown): Uint8Array
  /** Whether the store already has table `name` (in this index's schema). */
  tableExists(db: AnyDb, name: string): Promise<boolean>
  /**
   * The record's JSON as `reportRows` reads it (`j` of its inner query): PostgreSQL parses its `json` text once per
   * row into `jsonb` (each `->` on `json` would parse the whole text again); SQLite reads the text (its JSON cache
   * parses it once per row).
   */
  parsedData(): RawBuilder<unknown>
  /** A top-level field of `p.j` (`parsedData`) as JSON, SQL NULL when missing. */
  jsonField(field: string): RawBuilder<unknown>
  /** The JSON value held as text in column `p.<column>` (an `f_` column), as JSON. */
  textAsJson(column: string): RawBuilder<unknown>
  /** An aggregate: one JSON array of every row's array of `values` — one value to parse instead of one per row. */
  jsonRows(values: readonly RawBuilder<unknown>[]): RawBuilder<unknown>
  /** The JSON value at `path` (checked field names) of `p.j` (`parsedData`), SQL NULL when missing. */
  jsonPath(path: readonly string[]): RawBuilder<unknown>
  /** The same as JSON text (a value to group by). */
  jsonPathText(path: readonly string[]): RawBuilder<unknown>
  /** A FROM item `e` with one row per element (column `value`) of a JSON array of texts held as text. */
  textElements(column: RawBuilder<unknown>): RawBuilder<unknown>
  /**
   * SQL text of `matchText` (importKeys.ts) of the value at top-level `field` (checked: letters, digits, `_`, `-`) of
   * the JSON column `column` (`data` or `custom_fields`, `r.data` … in a query: the same expression, so the index
   * serves it), NULL when missing. SQLite calls the JavaScript function itself; PostgreSQL computes the same
   * (lower-cased text trimmed of spaces, tabs and line breaks; numbers and booleans as text), and the import checks
   * each candidate again.
   */
  matchTextSql(column: string, field: string): string
  /** Store-specific counting of the search table. */
  searchCount(db: AnyDb, workspaceId: string | undefined, kind?: SearchKind): Promise<number>
}

/**
 * The stage-history entry an upsert of a deal adds (`before` = the stored deal, null when new): one when the deal is
 * new or its stage or pipeline changed, else null.
 */
export function stageChangeOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
  at: number,
): Omit<StageChange, 'seq'> | null {
  const stageOf = (deal: Record<string, unknown> | null): string | null => {
    const position = deal?.position as { column?: unknown } | undefined
    return typeof position?.column === 'string' ? position.column : null
  }
  const to = stageOf(after)
  if (to === null || typeof after.pipelineId !== 'string') return null
  const from = stageOf(before)
  if (before && from === to && before.pipelineId === after.pipelineId) return null
  return {
    dealId: String(after.id),
    pipelineId: after.pipelineId,
    fromStage: before ? from : null,
    toStage: to,
    at: typeof after.stageEnteredAt === 'number' ? after.stageEnteredAt : at,
  }
}

/** The checked arguments of `importMatches` (`importMatchQuery`). */
interface ImportMatchQuery {
  workspaceId: string
  kind: MatchKind
  rule: ImportMatchRule
  /** Without blanks and duplicates. */
  keys: string[]
}

/** The kinds whose rows keep their account's name (`s_accountName`) for the `accountName` sort. */
/** After the index thread died under an apply, applies run on the main thread for this long before it is tried again. */
const THREAD_PAUSE_MS = 30_000

const ACCOUNT_NAMED: readonly RecordKind[] = ['contacts', 'deals', 'tickets']
/** The member sorts: sort field → the filter column holding the user id. */
const MEMBER_SORTS: Readonly<Record<string, string>> = { owner: 'ownerId', assignee: 'assigneeId' }
const CF_SORT = 'cf.'

/** Above this many matches a search is ordered newest first instead of by relevance (ranking them costs too much). */
export const RANKED_MAX = 1_000
/** "No due time" in the tasks order (taskQueries.ts uses Number.MAX_SAFE_INTEGER). */
const NO_DUE = Number.MAX_SAFE_INTEGER
/** Changes from which an apply on SQLite leaves the event loop between its steps (`breather`). */
export const BREATHE_FROM_CHANGES = 50

/**
 * An apply on SQLite leaves the event loop between its statements (better-sqlite3 runs each synchronously) once
 * `afterMs` have passed since it last did: a live edit's apply is ~14 statements (the rows read, the record, its keys
 * and search rows, the document's vector, the feed's seq), ~1.4 ms in one block, and every message arriving meanwhile —
 * the next edit of the same document, in issue #12's 2-client rounds — waited for all of it; now it waits for about
 * `afterMs` plus one statement. Not after every statement: each turn of the loop costs CPU too.
 */
const yieldingEvery = (afterMs: number): KyselyPlugin => {
  let last = performance.now()
  return {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      if (performance.now() - last >= afterMs) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        last = performance.now()
      }
      return args.result
    },
  }
}

const num = (value: unknown): number => Number(value ?? 0)

/**
 * Per kind, the fields whose `f_` column holds the JSON of the field itself (`fieldValue` is the plain field: not
 * `status`/`stage`, which may read the board position): `reportRows` reads these without parsing the record's data.
 */
const COLUMN_FIELDS = Object.fromEntries(
  (Object.keys(COLUMNS) as RecordKind[]).map((kind) => [
    kind,
    new Set(
      COLUMNS[kind]
        .filter(
          (c) => c.filter && !c.derived && !c.value && !['status', 'stage', 'stageId'].includes(c.field),
        )
        .map((c) => c.field),
    ),
  ]),
) as Record<RecordKind, Set<string>>

export class KyselyRecordIndex implements RecordIndex {
  private closed = false
  /** Applies in progress, and reads waiting for the thread (`close` waits for them). */
  private readonly applying = new Set<Promise<unknown>>()
  /** The write lock (`exclusive`): the tail of the writes queued so far. */
  private writing: Promise<unknown> = Promise.resolve()
  /** The worker thread of `applyBulk` (BulkApplier.ts), when this index was opened with one. */
  private readonly bulk: BulkApplier | null

  /**
   * Every apply — a live edit's too, not only an import's bulk ones — runs in the thread (`INDEX_THREAD=all`): the
   * statements' building, SQLite's work and the apply's garbage leave the event loop that broadcasts the edits.
   */
  private readonly appliesInThread: boolean
  /** No apply in the thread before this time (`performance.now`): it died under one; the main thread applies meanwhile. */
  private threadAfter = Number.NEGATIVE_INFINITY

  constructor(
    protected readonly db: AnyDb,
    private readonly flavor: IndexFlavor,
    private readonly onClose: () => Promise<void>,
    bulk?: BulkIndexSpec,
  ) {
    this.bulk = bulk ? new BulkApplier(bulk) : null
    this.appliesInThread = bulk?.allApplies === true
  }

  /**
   * Runs `write` once every write queued before it has finished: one writer at a time, across this connection and
   * the bulk thread's (`applyBulk`) — on SQLite two writers would wait on each other's file lock (better-sqlite3
   * waits synchronously, holding the event loop) or fail to upgrade a read; on both stores the feed's seqs are taken
   * in the order the applies commit.
   */
  protected exclusive<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writing.then(write)
    this.writing = run.catch(() => {})
    return run
  }

  /**
   * SQLite: an apply leaves the event loop between statements after this long (ms) without doing so. Off by default
   * (Infinity): at 0.3 ms every apply of an import's undo (1,000 archives) took so many turns that the undo outlasted
   * the e2e test's wait (tests/e2e/imports.test.ts) on this session's slow machine, and the 2-client gain was not shown
   * in a full bench. Applies of 50+ changes still breathe between their steps (`breather`).
   */
  yieldAfterMs = Number.POSITIVE_INFINITY

  /** Hook after every committed apply (bulk or not): a store refreshes its statistics now and then. */
  protected afterWrite(_input: IndexBatch): void {}

  /**
   * As `apply`, for large batches of an import's new records: in the bulk thread (BulkApplier.ts) when this index has
   * one — off the event loop — else here. Rejects with BulkApplierCrashed when the thread died meanwhile (the batch
   * was rolled back with the thread's connection; the next call starts a new thread).
   */
  async applyBulk(input: IndexBatch): Promise<AppliedChange[]> {
    const bulk = this.bulk
    if (!bulk) return this.apply(input)
    this.open()
    const applied = await this.inThread(bulk, input)
    this.afterWrite(input)
    return applied
  }

  /**
   * `input` applied in the thread, under the write lock. A thread that dies under it (the batch rolled back with its
   * connection) pauses the thread for THREAD_PAUSE_MS: `apply` runs here and `bulkThreaded` says no meanwhile.
   */
  private async inThread(bulk: BulkApplier, input: IndexBatch): Promise<AppliedChange[]> {
    try {
      return await this.tracked(this.exclusive(() => bulk.apply(input)))
    } catch (error) {
      if (error instanceof BulkApplierCrashed) this.threadAfter = performance.now() + THREAD_PAUSE_MS
      throw error
    }
  }

  /**
   * `run` counted among the applies in progress from now on (queued for the lock or running): an apply that leaves
   * the event loop (`breather`) or waits for the bulk thread may be in progress when the index is closed; close waits.
   */
  private async tracked<T>(run: Promise<T>): Promise<T> {
    this.applying.add(run)
    try {
      return await run
    } finally {
      this.applying.delete(run)
    }
  }

  /**
   * The thread, when it answers reads too: it runs every apply (`INDEX_THREAD=all`) and is not paused after a crash.
   * A read takes no write lock: the thread runs its calls one at a time in the order they were sent, so a read sees
   * every apply sent to it before — every apply that had finished when the read was asked (an import flushes its
   * applies before it looks its next batch up), and one already sent that is still running, as a read on this
   * connection waits for the apply holding it — and its connection reads what applies here committed (while the
   * thread was paused).
   */
  private readThread(): BulkApplier | null {
    return this.bulk !== null && this.appliesInThread && this.bulkThreaded ? this.bulk : null
  }

  /**
   * A read answered by the thread (`inThread`); one the thread died under is answered here by `here` instead (a read
   * changes nothing: asking again is safe), and the thread pauses as after a crash under an apply.
   */
  private async readInThread<T>(inThread: () => Promise<T>, here: () => Promise<T>): Promise<T> {
    try {
      return await this.tracked(inThread())
    } catch (error) {
      if (!(error instanceof BulkApplierCrashed)) throw error
      this.threadAfter = performance.now() + THREAD_PAUSE_MS
      return here()
    }
  }

  get bulkThreaded(): boolean {
    return this.bulk !== null && performance.now() >= this.threadAfter
  }

  /** Starts the bulk thread now (its modules take a moment to load), so the first bulk apply does not wait for it. */
  prepareBulk(): void {
    if (!this.closed) this.bulk?.warm()
  }

  /** Test hook: the bulk thread (null when this index has none). */
  bulkApplierForTest(): BulkApplier | null {
    return this.bulk
  }

  /** Creates the tables on an empty store, or checks the stored format. */
  async init(): Promise<void> {
    const exists = await this.tableExists('meta')
    if (exists) {
      const row = await this.db
        .selectFrom('meta')
        .select('value')
        .where('key', '=', 'format')
        .executeTakeFirst()
      const stored = Number(row?.value)
      if (row?.value === String(INDEX_FORMAT)) return this.flavor.ensureIndexes?.(this.db)
      if (!(Number.isInteger(stored) && stored >= 1 && stored < INDEX_FORMAT)) {
        throw new Error(
          `The record index has format ${row?.value ?? 'unknown'}; this server reads format ${INDEX_FORMAT}. Delete it to rebuild.`,
        )
      }
      // An older layout: the index is derived data, emptied here and rebuilt from the documents at start-up (its
      // "built for" row is gone with it, see IndexWorker.ts INDEX_BUILT_DOC).
      await this.flavor.dropAll(this.db)
    }
    await this.db.transaction().execute(async (trx) => {
      const statements = [...commonDdl(this.flavor.types), ...this.flavor.searchDdl]
      // PostgreSQL takes the whole script in one round trip; better-sqlite3 prepares one statement at a time.
      if (this.flavor.name === 'postgres') await sql.raw(statements.join(';\n')).execute(trx)
      else for (const statement of statements) await sql.raw(statement).execute(trx)
      await trx
        .insertInto('meta')
        .values({ key: 'format', value: String(INDEX_FORMAT) })
        .execute()
    })
    await this.flavor.ensureIndexes?.(this.db)
  }

  private tableExists(name: string): Promise<boolean> {
    return this.flavor.tableExists(this.db, name)
  }

  private open(): void {
    if (this.closed) throw new Error('The record index is closed.')
  }

  /**
   * Runs one report query: as is, or — when the store has a `reportSetup` — in a transaction of its own that runs
   * those statements first (their `set local` ends with it; the pool's connection is left as it was).
   */
  private reportRead<T>(run: (db: AnyDb) => Promise<T>): Promise<T> {
    const setup = this.flavor.reportSetup
    if (!setup || setup.length === 0) return run(this.db)
    return this.db.transaction().execute(async (trx) => {
      for (const statement of setup) await sql.raw(statement).execute(trx)
      return run(trx)
    })
  }

  /**
   * Between the steps of an apply on SQLite: better-sqlite3 runs every statement synchronously, so without a turn of
   * the event loop in between one apply held it from its first statement to its commit (an import's applies of 100+
   * changes, several ms each: others' edits waited behind them). The transaction stays open meanwhile; other queries
   * of this index wait for the connection (Kysely's single-connection mutex), nothing else runs inside it.
   * PostgreSQL's statements already leave the event loop. A small batch (a live edit's) breathes between its
   * statements instead (`yieldingEvery`).
   */
  private breather(changes: number): () => Promise<void> {
    if (this.flavor.name !== 'sqlite' || changes < BREATHE_FROM_CHANGES) return async () => {}
    return () => new Promise<void>((resolve) => setImmediate(resolve))
  }

  // ---- writes ----

  async apply(input: IndexBatch): Promise<AppliedChange[]> {
    this.open()
    const bulk = this.bulk
    // A batch lost with the thread is applied again by the caller (IndexWorker): here, the thread being paused.
    const applied =
      bulk !== null && this.appliesInThread && this.bulkThreaded
        ? await this.inThread(bulk, input)
        : await this.tracked(this.exclusive(() => this.applyNow(input)))
    this.afterWrite(input)
    return applied
  }

  private async applyNow(input: IndexBatch): Promise<AppliedChange[]> {
    const batch = checkBatch(input)
    const at = batch.at ?? Date.now()
    const breathe = this.breather(
      (batch.records?.length ?? 0) + (batch.docStates?.length ?? 0) + (batch.notes?.length ?? 0),
    )
    // Every row is built (and its sort fields checked) before the transaction: a bad record rejects the batch.
    const prepared = (batch.records ?? []).map((change, i) => {
      if (change.op === 'remove') return { change, data: '', row: null }
      const data = batch.json.get(i) as string
      try {
        return { change, data, row: rowOf(change.kind, change.record as ProjectedRecord, data) }
      } catch (error) {
        throw badRequest((error as Error).message, 'invalid_input')
      }
    })
    const run = this.db.transaction().execute(async (connection) => {
      const trx =
        this.flavor.name === 'sqlite' ? connection.withPlugin(yieldingEvery(this.yieldAfterMs)) : connection
      const keyOf = (c: { workspaceId: string; kind: RecordKind; id: string }) =>
        `${c.workspaceId}\u0000${c.kind}\u0000${c.id}`
      // The stored rows of every record the batch names, read once per (workspace, kind).
      const current = new Map<string, { doc: string; data: string } | null>()
      const accountNames = new Map<string, unknown>()
      const groups = new Map<string, { workspaceId: string; kind: RecordKind; ids: Set<string> }>()
      for (const { change } of prepared) {
        const group = `${change.workspaceId}\u0000${change.kind}`
        let entry = groups.get(group)
        if (!entry) {
          entry = { workspaceId: change.workspaceId, kind: change.kind, ids: new Set() }
          groups.set(group, entry)
        }
        entry.ids.add(change.id)
        current.set(keyOf(change), null)
      }
      for (const { workspaceId, kind, ids } of groups.values()) {
        const all = [...ids]
        for (let i = 0; i < all.length; i += 500) {
          const rows = await trx
            .selectFrom(tableOf(kind))
            .select(['id', 'doc', 'data'])
            .where('workspace_id', '=', workspaceId)
            .where('id', 'in', all.slice(i, i + 500))
            .execute()
          for (const row of rows) {
            const key = keyOf({ workspaceId, kind, id: String(row.id) })
            current.set(key, { doc: String(row.doc), data: this.dataText(row.data) })
            if (kind === 'accounts') accountNames.set(key, this.flavor.parseData(row.data).name)
          }
        }
      }
      await breathe()
      // The changes in order against the current rows: what each changes (the feed), and each record's final state.
      const pending: Array<Omit<AppliedChange, 'seq'>> = []
      const final = new Map<string, (typeof prepared)[number]>()
      // Stage history (fact_stage): the deals whose history goes (removed), the entries to add (with their change).
      const clearedDeals = new Map<string, { workspaceId: string; id: string }>()
      let history: Array<{
        key: string
        workspaceId: string
        change: number
        fact: Omit<StageChange, 'seq'>
      }> = []
      for (const item of prepared) {
        const { change } = item
        const key = keyOf(change)
        const now = current.get(key)
        if (change.op === 'remove') {
          if (!now) continue
          current.set(key, null)
          if (change.kind === 'deals') {
            clearedDeals.set(key, { workspaceId: change.workspaceId, id: change.id })
            history = history.filter((h) => h.key !== key)
          }
        } else {
          if (now && now.doc === change.doc && now.data === item.data) continue
          current.set(key, { doc: change.doc, data: item.data })
          if (change.kind === 'deals') {
            // The stages the deal passed through (moves coalesced into this change), then its own: each step that
            // changes the stage adds an entry, all under this change's seq, in order.
            let before: Record<string, unknown> | null = now ? this.flavor.parseData(now.data) : null
            const steps: Array<Record<string, unknown>> = (change.passedStages ?? []).map((p) => ({
              id: change.id,
              pipelineId: p.pipelineId,
              position: { column: p.stage },
              stageEnteredAt: p.at,
            }))
            steps.push(change.record)
            for (const step of steps) {
              const fact = stageChangeOf(before, step, at)
              if (fact) history.push({ key, workspaceId: change.workspaceId, change: pending.length, fact })
              before = step
            }
          }
        }
        final.set(key, item)
        pending.push({ workspaceId: change.workspaceId, kind: change.kind, id: change.id, op: change.op, at })
      }
      await this.writeRecords(trx, [...final.values()], at, breathe)
      await this.keepAccountNames(trx, final, accountNames, keyOf)
      await breathe()
      for (const [key, item] of final) {
        const { change } = item
        if (change.kind !== 'accounts' || change.op !== 'upsert' || !accountNames.has(key)) continue
        if (accountNames.get(key) !== change.record.name)
          await this.retitleNotes(trx, change.workspaceId, change.id, change.record.name)
      }
      // An account deleted for good takes its room's note text and report facts out of the index (the room keeps
      // them as the record of what happened); notes and facts of a room without an account row are not indexed.
      for (const { change } of final.values()) {
        if (change.kind !== 'accounts' || change.op !== 'remove') continue
        await this.flavor.removeSearch(trx, change.workspaceId, 'notes', change.id)
        await this.clearRoomFacts(trx, change.workspaceId, change.id)
      }
      for (const notes of batch.notes ?? [])
        await this.putNotes(trx, notes.workspaceId, notes.accountId, notes.text, at)
      // 200 rows per statement (one document once per statement: PostgreSQL refuses to update a row twice in one
      // insert, and the last vector is the one that counts): a statement per document cost an import's bulk path
      // a query build and a round of the driver per row.
      const states = new Map<string, Uint8Array>()
      for (const state of batch.docStates ?? []) {
        states.delete(state.doc)
        states.set(state.doc, state.stateVector)
      }
      const stateRows = [...states].map(([doc, vector]) => ({
        doc,
        state_vector: Buffer.from(vector),
        indexed_at: at,
      }))
      for (let i = 0; i < stateRows.length; i += 200)
        await trx
          .insertInto('doc_state')
          .values(stateRows.slice(i, i + 200))
          .onConflict((oc) =>
            oc.column('doc').doUpdateSet((eb) => ({
              state_vector: eb.ref('excluded.state_vector'),
              indexed_at: eb.ref('excluded.indexed_at'),
            })),
          )
          .execute()
      const withAccount = await this.existingAccounts(trx, batch.roomFacts ?? [])
      for (const facts of batch.roomFacts ?? [])
        await this.putRoomFacts(trx, facts, withAccount.has(`${facts.workspaceId}\u0000${facts.accountId}`))
      await breathe()
      const applied = await this.recordFeed(trx, pending, at)
      for (const { workspaceId, id } of clearedDeals.values())
        await trx
          .deleteFrom('fact_stage')
          .where('workspace_id', '=', workspaceId)
          .where('deal_id', '=', id)
          .execute()
      const rows = history.map((h, i) => ({
        workspace_id: h.workspaceId,
        deal_id: h.fact.dealId,
        seq: applied[h.change]?.seq ?? 0,
        // Orders the entries of one change (its passed stages); the index in the batch is enough for that.
        step: i,
        pipeline_id: h.fact.pipelineId,
        from_stage: h.fact.fromStage,
        to_stage: h.fact.toStage,
        at: h.fact.at,
      }))
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('fact_stage')
          .values(rows.slice(i, i + 200))
          .onConflict((oc) => oc.doNothing())
          .execute()
      return applied
    })
    return run
  }

  /** Of the rooms `facts` names, those whose account the index holds (`workspaceId\0accountId`). */
  private async existingAccounts(trx: AnyTrx, facts: readonly RoomFactsChange[]): Promise<Set<string>> {
    const byWorkspace = new Map<string, string[]>()
    for (const { workspaceId, accountId } of facts) {
      const ids = byWorkspace.get(workspaceId) ?? []
      ids.push(accountId)
      byWorkspace.set(workspaceId, ids)
    }
    const found = new Set<string>()
    for (const [workspaceId, ids] of byWorkspace)
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx
          .selectFrom(tableOf('accounts'))
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where('id', 'in', ids.slice(i, i + 500))
          .execute()
        for (const row of rows) found.add(`${workspaceId}\u0000${String(row.id)}`)
      }
    return found
  }

  /**
   * Replaces the handoff and activity facts of one account room; a room whose account the index does not hold (deleted
   * for good: the room keeps its notes and timeline as the record of what happened) counts in no report.
   */
  private async putRoomFacts(trx: AnyTrx, facts: RoomFactsChange, hasAccount: boolean): Promise<void> {
    const { workspaceId, accountId } = facts
    await this.clearRoomFacts(trx, workspaceId, accountId)
    if (!hasAccount) return
    const handoffs = facts.handoffs.map((h) => ({
      workspace_id: workspaceId,
      account_id: accountId,
      id: h.id,
      deal_id: h.dealId,
      status: h.status,
      from_user: h.fromUserId,
      to_user: h.toUserId,
      created_at: h.createdAt,
      sent_at: h.sentAt,
      accepted_at: h.acceptedAt,
    }))
    for (let i = 0; i < handoffs.length; i += 200)
      await trx
        .insertInto('fact_handoff')
        .values(handoffs.slice(i, i + 200))
        .onConflict((oc) => oc.doNothing())
        .execute()
    const activities = facts.activities.map((a) => ({
      workspace_id: workspaceId,
      account_id: accountId,
      id: a.id,
      type: a.type,
      at: a.at,
      actor_id: a.actorId,
      deal_id: a.dealId,
    }))
    for (let i = 0; i < activities.length; i += 200)
      await trx
        .insertInto('fact_activity')
        .values(activities.slice(i, i + 200))
        .onConflict((oc) => oc.doNothing())
        .execute()
  }

  // ---- report facts ----

  async stageHistory(workspaceId: string, dealIds?: readonly string[]): Promise<StageChange[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const ids = dealIds === undefined ? undefined : checkIds(dealIds)
    // One JSON value of all rows (as reportRows): far cheaper to read than one driver row per change.
    const read = async (chunk?: string[]) => {
      const conditions = [sql<boolean>`f.workspace_id = ${ws}`]
      if (chunk) conditions.push(sql<boolean>`f.deal_id in (${sql.join(chunk)})`)
      const values = ['deal_id', 'pipeline_id', 'from_stage', 'to_stage', 'at', 'seq', 'step'].map((c) =>
        sql.ref(`p.${c}`),
      )
      const result = await sql<{ v: unknown }>`select ${this.flavor.jsonRows(values)} as v
        from (select f.* from fact_stage f where ${sql.join(conditions, sql` and `)}) p`.execute(this.db)
      const all = result.rows[0]?.v ?? '[]'
      return (typeof all === 'string' ? JSON.parse(all) : all) as unknown[][]
    }
    let rows: unknown[][] = []
    if (ids === undefined) rows = await read()
    else for (let i = 0; i < ids.length; i += 500) rows = rows.concat(await read(ids.slice(i, i + 500)))
    // By deal (code-point order, as the stores' key collation), then seq, then step (passed stages of one change).
    rows.sort((a, b) =>
      a[0] !== b[0] ? (String(a[0]) < String(b[0]) ? -1 : 1) : num(a[5]) - num(b[5]) || num(a[6]) - num(b[6]),
    )
    return rows.map(([dealId, pipelineId, fromStage, toStage, at, seq]) => ({
      dealId: String(dealId),
      pipelineId: String(pipelineId),
      fromStage: fromStage === null ? null : String(fromStage),
      toStage: String(toStage),
      at: num(at),
      seq: num(seq),
    }))
  }

  async handoffFacts(workspaceId: string): Promise<HandoffFact[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const rows = await this.db
      .selectFrom('fact_handoff')
      .selectAll()
      .where('workspace_id', '=', ws)
      .orderBy('account_id')
      .orderBy('id')
      .execute()
    const orNull = (v: unknown) => (v === null || v === undefined ? null : num(v))
    return rows.map((row) => ({
      id: String(row.id),
      accountId: String(row.account_id),
      dealId: row.deal_id === null ? null : String(row.deal_id),
      status: row.status as HandoffFact['status'],
      fromUserId: String(row.from_user),
      toUserId: row.to_user === null ? null : String(row.to_user),
      createdAt: num(row.created_at),
      sentAt: orNull(row.sent_at),
      acceptedAt: orNull(row.accepted_at),
    }))
  }

  async activityFacts(workspaceId: string): Promise<ActivityFact[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const rows = await this.db
      .selectFrom('fact_activity')
      .selectAll()
      .where('workspace_id', '=', ws)
      .orderBy('account_id')
      .orderBy('id')
      .execute()
    return rows.map((row) => ({
      id: String(row.id),
      accountId: String(row.account_id),
      type: row.type as ActivityFact['type'],
      at: num(row.at),
      actorId: row.actor_id === null ? null : String(row.actor_id),
      dealId: row.deal_id === null ? null : String(row.deal_id),
    }))
  }

  async reportRows(
    workspaceId: string,
    kind: RecordKind,
    fields: readonly string[],
    where?: { ownerField: 'ownerId' | 'assigneeId'; owners: readonly string[] },
  ): Promise<Array<Record<string, unknown>>> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const k = checkKind(kind)
    const names = checkReportFields(fields)
    const owner = checkOwners(where)
    if (owner && !filterSpec(k, owner.ownerField))
      throw badRequest(`${k} have no ${owner.ownerField}.`, 'invalid_input')
    if (owner && owner.owners.length === 0) return []
    const conditions = [sql<boolean>`r.workspace_id = ${ws}`, sql<boolean>`r.archived = 0`]
    if (owner) {
      const values = owner.owners.map((id) => JSON.stringify(id))
      conditions.push(
        sql<boolean>`${sql.ref(`r.${filterColumn(owner.ownerField)}`)} in (${sql.join(values)})`,
      )
    }
    // Fields with an `f_` column (the JSON of the field itself) read it; only the others parse the record's data.
    // PostgreSQL: `offset 0` keeps the inner query apart (not flattened into the aggregate), so the data is parsed
    // once per row, not once per field.
    const inner: RawBuilder<unknown>[] = [sql`r.id as id`]
    let needsData = false
    const values = names.map((name) => {
      if (name === 'id') return sql`p.id`
      if (COLUMN_FIELDS[k].has(name)) {
        const column = filterColumn(name)
        inner.push(sql`${sql.ref(`r.${column}`)} as ${sql.ref(column)}`)
        return this.flavor.textAsJson(column)
      }
      needsData = true
      return this.flavor.jsonField(name)
    })
    if (needsData) inner.push(sql`${this.flavor.parsedData()} as j`)
    const fence = this.flavor.name === 'postgres' ? sql` offset 0` : sql``
    const result = await sql<{
      v: unknown
    }>`select ${this.flavor.jsonRows(values)} as v from (select ${sql.join(inner)}
      from ${sql.table(tableOf(k))} r where ${sql.join(conditions, sql` and `)}${fence}) p`.execute(this.db)
    const all = result.rows[0]?.v ?? '[]'
    const rows = (typeof all === 'string' ? JSON.parse(all) : all) as unknown[][]
    return rows.map((values) => {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < names.length; i++) out[names[i] as string] = values[i] ?? null
      return out
    })
  }

  async boardRows(workspaceId: string, pipelineId: string): Promise<Array<Record<string, unknown>>> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const conditions = [
      sql<boolean>`r.workspace_id = ${ws}`,
      sql<boolean>`r.archived = 0`,
      this.filterCondition('deals', 'pipelineId', pipelineId),
    ]
    // As reportRows: one JSON value of every row's fields, read from the record's data parsed once per row in SQL.
    const values = BOARD_ROW_FIELDS.map((name) => (name === 'id' ? sql`p.id` : this.flavor.jsonField(name)))
    const fence = this.flavor.name === 'postgres' ? sql` offset 0` : sql``
    const result = await sql<{ v: unknown }>`select ${this.flavor.jsonRows(values)} as v
      from (select r.id as id, ${this.flavor.parsedData()} as j from ${sql.table(tableOf('deals'))} r
      where ${sql.join(conditions, sql` and `)}${fence}) p`.execute(this.db)
    const all = result.rows[0]?.v ?? '[]'
    const rows = (typeof all === 'string' ? JSON.parse(all) : all) as unknown[][]
    return rows.map((values) => {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < BOARD_ROW_FIELDS.length; i++) out[BOARD_ROW_FIELDS[i] as string] = values[i] ?? null
      return out
    })
  }

  /** The SQL conditions of a report query's `where` on `r` (a `kind` table); null when no record can match. */
  private reportConditions(
    ws: string,
    k: RecordKind,
    where: NonNullable<ReportGroupQuery['where']>,
  ): RawBuilder<boolean>[] | null {
    const conditions = [sql<boolean>`r.workspace_id = ${ws}`, sql<boolean>`r.archived = 0`]
    const filterOf = (field: string) => {
      if (!filterSpec(k, field)) throw badRequest(`${k} have no filter on ${field}.`, 'invalid_input')
      return sql.ref(`r.${filterColumn(field)}`)
    }
    if (where.owners) {
      if (where.owners.ids.length === 0) return null
      const values = where.owners.ids.map((id) => JSON.stringify(id))
      conditions.push(sql<boolean>`${filterOf(where.owners.field)} in (${sql.join(values)})`)
    }
    for (const { field, value } of where.equals ?? []) {
      const text = reportSpec(k, field)?.type === 'text'
      const column = text ? sql.ref(`r.${reportColumn(field)}`) : filterOf(field)
      const stored = (v: string) => (text ? v : JSON.stringify(v))
      conditions.push(
        typeof value === 'string'
          ? sql<boolean>`${column} = ${stored(value)}`
          : sql<boolean>`${column} in (${sql.join(value.map(stored))})`,
      )
    }
    if (where.createdAt?.from != null)
      conditions.push(sql<boolean>`coalesce(r.created_at, 0) >= ${where.createdAt.from}`)
    if (where.createdAt?.to != null)
      conditions.push(sql<boolean>`coalesce(r.created_at, 0) < ${where.createdAt.to}`)
    if (where.onDeal) {
      if (k !== 'contacts') throw badRequest('Only contacts are on deals.', 'invalid_input')
      const deal = [sql<boolean>`d.workspace_id = ${ws}`, sql<boolean>`d.archived = 0`]
      if (where.onDeal.pipelineId !== null)
        deal.push(
          sql<boolean>`d.${sql.ref(filterColumn('pipelineId'))} = ${JSON.stringify(where.onDeal.pipelineId)}`,
        )
      if (where.onDeal.won) deal.push(sql<boolean>`d.${sql.ref(reportColumn('status'))} = 'won'`)
      conditions.push(sql<boolean>`r.id in (select e.value from ${sql.table(tableOf('deals'))} d,
        ${this.flavor.textElements(sql.ref(`d.${reportColumn('contactIds')}`))} where ${sql.join(deal, sql` and `)})`)
    }
    return conditions
  }

  /** The deal conditions of a stage funnel: the report's filters, narrowed to its pipeline (null: no deal can match). */
  private funnelConditions(ws: string, query: ReturnType<typeof checkStageFunnelQuery>) {
    return this.reportConditions(ws, 'deals', {
      ...query.where,
      equals: [...(query.where?.equals ?? []), { field: 'pipelineId', value: query.pipelineId }],
    })
  }

  async stageFunnelDeals(workspaceId: string, input: StageFunnelQuery): Promise<string[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const query = checkStageFunnelQuery(input)
    const conditions = this.funnelConditions(ws, query)
    if (conditions === null || query.stageIds.length === 0) return []
    const rank = sql`case h.to_stage ${sql.join(
      query.stageIds.map((id, i) => sql`when ${id} then ${sql.lit(i)}`),
      sql` `,
    )} end`
    // As stageFunnel's furthest stage per deal, kept when it is the row's stage or a later one.
    const result = await this.reportRead((db) =>
      sql<{ v: unknown }>`select ${this.flavor.jsonRows([sql`x.deal_id`])} as v
      from (select h.deal_id from fact_stage h join ${sql.table(tableOf('deals'))} r
        on r.workspace_id = h.workspace_id and r.id = h.deal_id
        where h.workspace_id = ${ws} and h.pipeline_id = ${query.pipelineId} and ${sql.join(conditions, sql` and `)}
        group by h.deal_id having max(${rank}) >= ${sql.lit(query.reached ?? 0)}) x`.execute(db),
    )
    const all = result.rows[0]?.v ?? '[]'
    const rows = (typeof all === 'string' ? JSON.parse(all) : all) as unknown[][] | null
    return (rows ?? []).map(([id]) => String(id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }

  async stageFunnel(workspaceId: string, input: StageFunnelQuery): Promise<StageFunnel> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const query = checkStageFunnelQuery(input)
    const conditions = this.funnelConditions(ws, query)
    if (conditions === null || query.stageIds.length === 0) return { furthest: [], stays: [] }
    // The deal's changes into this pipeline, each with the time of its next one (the end of the stay).
    const changes = sql`from fact_stage h join ${sql.table(tableOf('deals'))} r
      on r.workspace_id = h.workspace_id and r.id = h.deal_id
      where h.workspace_id = ${ws} and h.pipeline_id = ${query.pipelineId} and ${sql.join(conditions, sql` and `)}`
    const rank = sql`case h.to_stage ${sql.join(
      query.stageIds.map((id, i) => sql`when ${id} then ${sql.lit(i)}`),
      sql` `,
    )} end`
    // Both at once (PostgreSQL runs them on two connections of its pool). One query computing both over a
    // materialized CTE (one join, one sort) was measured slower: 525 vs 326 ms p50 on 52k changes under load.
    const [furthest, stays] = await Promise.all([
      this.reportRead((db) =>
        sql<{ at: unknown; n: unknown }>`select x.furthest as at, count(*) as n
        from (select h.deal_id, max(${rank}) as furthest ${changes} group by h.deal_id) x
        where x.furthest is not null group by x.furthest`.execute(db),
      ),
      this.reportRead((db) =>
        sql<{ stage: unknown; v: unknown }>`select x.stage as stage, ${this.flavor.jsonRows([
          sql`x.stay`,
        ])} as v from (select h.to_stage as stage,
          coalesce(lead(h.at) over (partition by h.deal_id order by h.seq, h.step),
            case when ${sql.ref(`r.${reportColumn('status')}`)} = 'open' then ${sql.lit(query.now)} end) - h.at as stay
          ${changes}) x where x.stay is not null group by x.stage`.execute(db),
      ),
    ])
    return {
      furthest: furthest.rows.map((r) => ({ stage: num(r.at), deals: num(r.n) })),
      stays: stays.rows.map((r) => ({
        stage: String(r.stage),
        ms: ((typeof r.v === 'string' ? JSON.parse(r.v) : r.v) as unknown[][]).map(([v]) => num(v)),
      })),
    }
  }

  async reportGroups(workspaceId: string, kind: RecordKind, input: ReportGroupQuery): Promise<ReportGroup[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const k = checkKind(kind)
    const query = checkReportGroupQuery(input)
    const conditions = this.reportConditions(ws, k, query.where ?? {})
    if (conditions === null) return []
    // The inner query reads the columns (and the parsed JSON, when a field has no column); the outer one groups.
    const inner: RawBuilder<unknown>[] = [sql`r.id as id`]
    const columns = new Set<string>()
    let needsData = false
    const plain = new Set<number>()
    const field = (name: string, asText: boolean) => {
      if (name === 'id') return sql.ref('p.id')
      if (name === 'createdAt') {
        // The number column (NULL unless a finite number, as the facts read it), not the JSON of `f_createdAt`.
        if (!columns.has('created_at')) inner.push(sql`r.created_at as created_at`)
        columns.add('created_at')
        return sql.ref('p.created_at')
      }
      if (reportSpec(k, name)) {
        const column = reportColumn(name)
        if (!columns.has(column)) inner.push(sql`${sql.ref(`r.${column}`)} as ${sql.ref(column)}`)
        columns.add(column)
        return sql.ref(`p.${column}`)
      }
      if (COLUMN_FIELDS[k].has(name)) {
        const column = filterColumn(name)
        if (!columns.has(column)) inner.push(sql`${sql.ref(`r.${column}`)} as ${sql.ref(column)}`)
        columns.add(column)
        return asText ? sql.ref(`p.${column}`) : this.flavor.textAsJson(column)
      }
      needsData = true
      const path = name.split('.')
      return asText ? this.flavor.jsonPathText(path) : this.flavor.jsonPath(path)
    }
    const groups = query.groupBy.map((name, i) => {
      if (name === 'id' || name === 'createdAt' || reportSpec(k, name)) plain.add(i)
      return field(name, true)
    })
    const values = (query.values ?? []).map((name) => field(name, false))
    if (needsData) inner.push(sql`${this.flavor.parsedData()} as j`)
    const fence = this.flavor.name === 'postgres' ? sql` offset 0` : sql``
    const outer: RawBuilder<unknown>[] = [
      ...groups.map((g, i) => sql`${g} as ${sql.ref(`g${i}`)}`),
      sql`count(*) as n`,
      sql`min(p.id) as first`,
    ]
    if (values.length > 0) outer.push(sql`${this.flavor.jsonRows(values)} as v`)
    const groupBy =
      groups.length === 0 ? sql`` : sql` group by ${sql.join(groups.map((_, i) => sql.lit(i + 1)))}`
    const result = await this.reportRead((db) =>
      sql<Record<string, unknown>>`select ${sql.join(outer)} from (select ${sql.join(inner)}
        from ${sql.table(tableOf(k))} r where ${sql.join(conditions, sql` and `)}${fence}) p${groupBy}`.execute(
        db,
      ),
    )
    // A report column holds the value itself (PostgreSQL gives a double precision as a number already).
    const plainValue = (value: unknown) => value ?? null
    const decode = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : (text ?? null))
    const out: ReportGroup[] = []
    for (const row of result.rows) {
      const count = num(row.n)
      if (count === 0) continue
      const group: ReportGroup = {
        keys: groups.map((_, i) => (plain.has(i) ? plainValue(row[`g${i}`]) : decode(row[`g${i}`]))),
        count,
        firstId: String(row.first),
      }
      if (values.length > 0)
        group.values = (typeof row.v === 'string' ? JSON.parse(row.v) : row.v) as unknown[][]
      out.push(group)
    }
    return out
  }

  /** Final states of the records a batch changed: bulk upserts and deletes per kind, then their search rows. */
  private async writeRecords(
    trx: AnyTrx,
    items: Array<{ change: RecordChange; data: string; row: Record<string, unknown> | null }>,
    at: number,
    breathe: () => Promise<void>,
  ): Promise<void> {
    for (const kind of RECORD_KINDS) {
      const table = tableOf(kind)
      const ofKind = items.filter((item) => item.change.kind === kind)
      const upserts = ofKind.flatMap((item) =>
        item.change.op === 'upsert' && item.row
          ? [
              {
                workspace_id: item.change.workspaceId,
                id: item.change.id,
                doc: item.change.doc,
                ...item.row,
                custom_fields:
                  typeof item.row.custom_fields === 'string'
                    ? this.flavor.jsonb(item.row.custom_fields)
                    : null,
                cf_sort: typeof item.row.cf_sort === 'string' ? this.flavor.jsonb(item.row.cf_sort) : null,
              },
            ]
          : [],
      )
      for (let i = 0; i < upserts.length; i += 200) {
        if (i > 0) await breathe()
        const chunk = upserts.slice(i, i + 200)
        const columns = Object.keys(chunk[0] ?? {}).filter((c) => c !== 'workspace_id' && c !== 'id')
        await trx
          .insertInto(table)
          .values(chunk)
          .onConflict((oc) =>
            oc
              .columns(['workspace_id', 'id'])
              .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
          )
          .execute()
      }
      const removes = new Map<string, string[]>()
      for (const item of ofKind) {
        if (item.change.op !== 'remove') continue
        const list = removes.get(item.change.workspaceId) ?? []
        list.push(item.change.id)
        removes.set(item.change.workspaceId, list)
      }
      for (const [workspaceId, ids] of removes) {
        for (let i = 0; i < ids.length; i += 500) {
          await trx
            .deleteFrom(table)
            .where('workspace_id', '=', workspaceId)
            .where('id', 'in', ids.slice(i, i + 500))
            .execute()
        }
      }
    }
    await breathe()
    await writeDuplicateKeys(trx, items)
    await writeImportKeys(trx, items)
    await breathe()
    const put: SearchRow[] = []
    for (const { change } of items) {
      if (change.kind === 'tasks') continue
      const record = change.op === 'upsert' ? (change.record as ProjectedRecord) : null
      const entry = record ? searchEntryOf(change.kind, record) : null
      if (record && entry && record.archived !== true) {
        put.push({
          workspaceId: change.workspaceId,
          entry,
          updatedAt: typeof record.updatedAt === 'number' ? record.updatedAt : at,
        })
      } else await this.flavor.removeSearch(trx, change.workspaceId, change.kind as SearchKind, change.id)
    }
    await this.flavor.putSearchMany(trx, put)
  }

  /**
   * `s_accountName` of the contacts, deals and tickets a batch wrote (from their account's `s_name`), and of every
   * record of an account the batch added, renamed or removed.
   */
  private async keepAccountNames(
    trx: AnyTrx,
    final: Map<string, { change: RecordChange }>,
    oldNames: Map<string, unknown>,
    keyOf: (c: { workspaceId: string; kind: RecordKind; id: string }) => string,
  ): Promise<void> {
    const records = new Map<string, string[]>()
    const accounts = new Map<string, string[]>()
    const add = (map: Map<string, string[]>, key: string, id: string) => {
      const list = map.get(key) ?? []
      list.push(id)
      map.set(key, list)
    }
    for (const { change } of final.values()) {
      if (change.kind === 'accounts') {
        const renamed =
          change.op === 'remove' ||
          !oldNames.has(keyOf(change)) ||
          oldNames.get(keyOf(change)) !== change.record.name
        if (renamed) add(accounts, change.workspaceId, change.id)
      } else if (change.op === 'upsert' && ACCOUNT_NAMED.includes(change.kind))
        add(records, `${change.workspaceId}\u0000${change.kind}`, change.id)
    }
    const column = sortColumn('accountName')
    const update = (kind: RecordKind, workspaceId: string) => {
      const table = tableOf(kind)
      return trx
        .updateTable(table)
        .set((eb) => ({
          [column]: eb
            .selectFrom(`${tableOf('accounts')} as a`)
            .select(`a.${sortColumn('name')}`)
            .whereRef('a.workspace_id', '=', `${table}.workspace_id`)
            .whereRef('a.id', '=', `${table}.account_id`),
        }))
        .where('workspace_id', '=', workspaceId)
    }
    for (const [key, ids] of records) {
      const [workspaceId, kind] = key.split('\u0000') as [string, RecordKind]
      for (let i = 0; i < ids.length; i += 500)
        await update(kind, workspaceId)
          .where('id', 'in', ids.slice(i, i + 500))
          .execute()
    }
    for (const [workspaceId, ids] of accounts) {
      for (const kind of ACCOUNT_NAMED) {
        for (let i = 0; i < ids.length; i += 500)
          await update(kind, workspaceId)
            .where('account_id', 'in', ids.slice(i, i + 500))
            .execute()
      }
    }
  }

  private dataText(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value)
  }

  /** Seqs per workspace (one counter row update each), feed rows, pruning of the workspaces touched. */
  private async recordFeed(
    trx: AnyTrx,
    pending: Array<Omit<AppliedChange, 'seq'>>,
    now: number,
  ): Promise<AppliedChange[]> {
    const perWorkspace = new Map<string, number>()
    for (const change of pending)
      perWorkspace.set(change.workspaceId, (perWorkspace.get(change.workspaceId) ?? 0) + 1)
    const next = new Map<string, number>()
    for (const [workspaceId, count] of perWorkspace) {
      const row = await trx
        .insertInto('workspace_seq')
        .values({ workspace_id: workspaceId, seq: count })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ seq: sql`workspace_seq.seq + ${count}` }))
        .returning('seq')
        .executeTakeFirstOrThrow()
      next.set(workspaceId, num(row.seq) - count + 1)
    }
    const applied: AppliedChange[] = pending.map((change) => {
      const seq = next.get(change.workspaceId) as number
      next.set(change.workspaceId, seq + 1)
      return { ...change, seq }
    })
    for (let i = 0; i < applied.length; i += 500) {
      await trx
        .insertInto('feed')
        .values(
          applied.slice(i, i + 500).map((c) => ({
            workspace_id: c.workspaceId,
            seq: c.seq,
            kind: c.kind,
            id: c.id,
            op: c.op,
            at: c.at,
          })),
        )
        .execute()
    }
    for (const workspaceId of perWorkspace.keys()) await this.pruneWorkspace(trx, workspaceId, now)
    return applied
  }

  /**
   * Drops the events beyond the last FEED_KEEP_EVENTS that are older than FEED_KEEP_MS, oldest first: the events
   * before the first one that is still young enough (seq order). Only those are read — the young events beyond the
   * count are not read again by every apply (a delete filtered on `at` over `seq <= last - 10,000` read all of
   * them: ~90,000 rows, 35–40 ms, per apply at the end of a 100,000-row import). What stays is one run of seqs, so
   * `feedSince` answers `'gap'` exactly when an event after `since` is gone.
   */
  private async pruneWorkspace(trx: AnyDb | AnyTrx, workspaceId: string, now: number): Promise<void> {
    const beyond = (await this.lastSeqIn(trx, workspaceId)) - FEED_KEEP_EVENTS
    if (beyond < 1) return
    const young = await trx
      .selectFrom('feed')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('seq', '<=', beyond)
      .where('at', '>=', now - FEED_KEEP_MS)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst()
    await trx
      .deleteFrom('feed')
      .where('workspace_id', '=', workspaceId)
      .where('seq', young ? '<' : '<=', young ? num(young.seq) : beyond)
      .execute()
  }

  /** The handoff and activity facts of one account room, removed. */
  private async clearRoomFacts(trx: AnyTrx, workspaceId: string, accountId: string): Promise<void> {
    for (const table of ['fact_handoff', 'fact_activity'])
      await trx
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('account_id', '=', accountId)
        .execute()
  }

  /** The account's indexed row (its data), or null when the index holds no such account. */
  private async accountRow(
    trx: AnyTrx,
    workspaceId: string,
    accountId: string,
  ): Promise<ProjectedRecord | null> {
    const row = await trx
      .selectFrom(tableOf('accounts'))
      .select('data')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', accountId)
      .executeTakeFirst()
    return row ? this.flavor.parseData(row.data) : null
  }

  private async putNotes(trx: AnyTrx, workspaceId: string, accountId: string, text: string, at: number) {
    const account = text ? await this.accountRow(trx, workspaceId, accountId) : null
    if (!account) {
      await this.flavor.removeSearch(trx, workspaceId, 'notes', accountId)
      return
    }
    const name = account.name
    await this.flavor.putSearch(trx, {
      workspaceId,
      updatedAt: at,
      entry: {
        kind: 'notes',
        id: accountId,
        accountId,
        title: typeof name === 'string' ? `Notes — ${name}` : 'Notes',
        subtitle: text.slice(0, 120),
        fields: '',
        body: text,
      },
    })
  }

  /** An account renamed: its notes' search title follows (the projection kept the name from when notes changed). */
  private async retitleNotes(trx: AnyTrx, workspaceId: string, accountId: string, name: unknown) {
    const title = typeof name === 'string' ? `Notes — ${name}` : 'Notes'
    await trx
      .updateTable(this.flavor.name === 'sqlite' ? 'search_key' : 'search')
      .set({ title })
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'notes')
      .where('id', '=', accountId)
      .execute()
  }

  // ---- record reads ----

  private toIndexed(workspaceId: string, kind: RecordKind, row: Record<string, unknown>): IndexedRecord {
    return {
      workspaceId,
      kind,
      id: String(row.id),
      doc: String(row.doc),
      record: this.flavor.parseData(row.data),
    }
  }

  async get(workspaceId: string, kind: RecordKind, id: string): Promise<IndexedRecord | null> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const k = checkKind(kind)
    const row = await this.db
      .selectFrom(tableOf(k))
      .select(['id', 'doc', 'data'])
      .where('workspace_id', '=', ws)
      .where('id', '=', checkId(id))
      .executeTakeFirst()
    return row ? this.toIndexed(ws, k, row) : null
  }

  async getMany(workspaceId: string, kind: RecordKind, ids: readonly string[]): Promise<IndexedRecord[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const k = checkKind(kind)
    const wanted = [...new Set(checkIds(ids))]
    if (wanted.length === 0) return []
    const bulk = this.readThread()
    if (!bulk) return this.getManyNow(ws, k, wanted)
    return this.readInThread(
      () => bulk.getMany(ws, k, wanted),
      () => this.getManyNow(ws, k, wanted),
    )
  }

  private async getManyNow(ws: string, k: RecordKind, wanted: readonly string[]): Promise<IndexedRecord[]> {
    const found = new Map<string, IndexedRecord>()
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await this.db
        .selectFrom(tableOf(k))
        .select(['id', 'doc', 'data'])
        .where('workspace_id', '=', ws)
        .where('id', 'in', wanted.slice(i, i + 500))
        .execute()
      for (const row of rows) found.set(String(row.id), this.toIndexed(ws, k, row))
    }
    return wanted.flatMap((id) => found.get(id) ?? [])
  }

  async docRecords(workspaceId: string, kind: RecordKind, doc: string): Promise<ProjectedRecord[]> {
    this.open()
    const rows = await this.db
      .selectFrom(tableOf(checkKind(kind)))
      .select('data')
      .where('workspace_id', '=', checkWorkspace(workspaceId))
      .where('doc', '=', checkDoc(doc))
      .orderBy('id')
      .execute()
    return rows.map((row) => this.flavor.parseData(row.data))
  }

  async docRecordIds(
    workspaceId: string,
    kind: RecordKind,
    docs: readonly string[],
  ): Promise<Map<string, string[]>> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const table = tableOf(checkKind(kind))
    const names = [...new Set(checkDocs(docs))]
    const out = new Map<string, string[]>()
    for (let i = 0; i < names.length; i += 500) {
      // No ORDER BY: the (workspace_id, doc) index answers it, never a walk of the workspace's rows.
      const rows = await this.db
        .selectFrom(table)
        .select(['doc', 'id'])
        .where('workspace_id', '=', ws)
        .where('doc', 'in', names.slice(i, i + 500))
        .execute()
      for (const row of rows) {
        const doc = String(row.doc)
        const ids = out.get(doc)
        if (ids) ids.push(String(row.id))
        else out.set(doc, [String(row.id)])
      }
    }
    for (const ids of out.values()) ids.sort()
    return out
  }

  /** The condition of one equality filter (see `fieldValue`: stage/status read `position.column`). */
  private filterCondition(kind: RecordKind, field: string, value: string | number | boolean | null) {
    const spec = filterSpec(kind, field)
    if (spec) return sql<boolean>`${sql.ref(`r.${filterColumn(field)}`)} = ${JSON.stringify(value)}`
    if (field === 'stage' || field === 'stageId') return this.flavor.jsonEquals(['position', 'column'], value)
    if (field === 'status') {
      // `status` without a status field reads the board position (kinds with neither: never matches).
      return sql<boolean>`(${this.flavor.jsonEquals(['status'], value)} or (${this.jsonMissing('status')} and ${this.jsonPresent('position')} and ${this.flavor.jsonEquals(['position', 'column'], value)}))`
    }
    const dot = field.indexOf('.')
    const path = dot > 0 ? [field.slice(0, dot), field.slice(dot + 1)] : [field]
    return this.flavor.jsonEquals(path, value)
  }

  private jsonMissing(field: string): RawBuilder<boolean> {
    return this.flavor.name === 'sqlite'
      ? sql<boolean>`json_type(r.data, ${`$."${field}"`}) is null`
      : sql<boolean>`(r.data -> ${field}::text) is null`
  }
  private jsonPresent(field: string): RawBuilder<boolean> {
    // `row.position` truthy: an object (a board record's position is always one).
    return this.flavor.name === 'sqlite'
      ? sql<boolean>`json_type(r.data, ${`$."${field}"`}) in ('object', 'array')`
      : sql<boolean>`json_typeof(r.data -> ${field}::text) in ('object', 'array')`
  }

  private listConditions(
    workspaceId: string,
    kind: RecordKind,
    query: IndexListQuery,
  ): RawBuilder<boolean>[] {
    const conditions: RawBuilder<boolean>[] = [sql<boolean>`r.workspace_id = ${workspaceId}`]
    if (query.archived === 'false') conditions.push(sql<boolean>`r.archived = 0`)
    if (query.archived === 'true') conditions.push(sql<boolean>`r.archived = 1`)
    for (const [field, value] of Object.entries(query.filters ?? {})) {
      if (value !== undefined) conditions.push(this.filterCondition(kind, field, value))
    }
    for (const condition of query.customFields ?? []) conditions.push(this.flavor.customField(condition))
    return conditions
  }

  async list(workspaceId: string, kind: RecordKind, input: IndexListQuery): Promise<IndexPage> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const k = checkKind(kind)
    const query = checkListQuery(input)
    let sortBy: RawBuilder<unknown> | null = null
    if (query.sort) {
      const { field, desc } = parseSort(query.sort)
      const value = await this.sortValue(k, field, query)
      // No value to sort by (no member named): every record ties, so id (or relevance) order.
      if (value) sortBy = sql`${value} ${sql.raw(desc ? 'desc nulls first' : 'asc nulls last')}`
    }
    const conditions = this.listConditions(ws, k, query)
    const table = sql.table(tableOf(k))
    const where = sql.join(conditions, sql` and `)
    const q = query.q?.trim()
    if (q) {
      // Text query: the records the search finds for this kind (tasks are not searched: nothing matches).
      const terms = words(q)
      if (k === 'tasks' || terms.length === 0) return { items: [], total: 0, nextOffset: null }
      const matches = this.flavor.matches({ workspaceId: ws, kinds: [k as SearchKind], terms, prefix: true })
      const from = sql`${table} r join (${matches}) m on m.id = r.id`
      if (this.flavor.textListOnce) return this.textListOnce(ws, k, matches, from, where, sortBy, query)
      const total = num(
        (await sql<{ n: unknown }>`select count(*) as n from ${from} where ${where}`.execute(this.db)).rows[0]
          ?.n,
      )
      const ranked = total <= RANKED_MAX
      const relevance = ranked ? sql`m.rank asc, r.id asc` : sql`r.updated_at desc nulls last, r.id asc`
      const order = sortBy ? sql`${sortBy}, ${relevance}` : relevance
      if (query.offset >= total) return this.page(ws, k, [], total, query)
      const rows = await sql<{ id: string }>`select r.id from ${from} where ${where}
        order by ${order} limit ${query.limit} offset ${query.offset}`.execute(this.db)
      return this.page(ws, k, rows.rows, total, query)
    }
    const total = num(
      (await sql<{ n: unknown }>`select count(*) as n from ${table} r where ${where}`.execute(this.db))
        .rows[0]?.n,
    )
    const order = sortBy ? sql`${sortBy}, r.id asc` : sql`r.id asc`
    if (query.offset >= total) return this.page(ws, k, [], total, query)
    const member = query.sort ? this.memberColumn(k, parseSort(query.sort).field) : null
    if (member && query.sort && Object.keys(query.memberNames ?? {}).length > 0) {
      const desc = parseSort(query.sort).desc
      const rows = await this.memberSortedIds(table, where, member, query.memberNames ?? {}, desc, query)
      return this.page(ws, k, rows, total, query)
    }
    // The page's ids first (the sort carries keys, not whole records), then their data.
    const rows = await sql<{ id: string }>`select r.id from ${table} r where ${where}
      order by ${order} limit ${query.limit} offset ${query.offset}`.execute(this.db)
    return this.page(ws, k, rows.rows, total, query)
  }

  /**
   * A text query's list in one statement (`IndexFlavor.textListOnce`), the same rows and order as the count and page
   * statements of `list`: each match probes its record (the `lateral … offset 0` subquery cannot be flattened, so
   * the join is driven by the matches), the total is `count(*) over ()`, and the order reads the rank only when that
   * total is at most RANKED_MAX (relevance), else `updated_at` (newest first); then id. Every match is joined once
   * and the page is a top-N sort of them: the planner cannot walk a sort index in order, probing the matches, on
   * the guess that `limit` of them come early (docs/ARCHITECTURE.md, "PostgreSQL"). A page past the end has no row
   * to read the total from: counted apart.
   */
  private async textListOnce(
    ws: string,
    kind: RecordKind,
    matches: RawBuilder<unknown>,
    from: RawBuilder<unknown>,
    where: RawBuilder<unknown>,
    sortBy: RawBuilder<unknown> | null,
    query: IndexListQuery,
  ): Promise<IndexPage> {
    const max = sql.lit(RANKED_MAX)
    const rows = await sql<{ id: string; n: unknown }>`select r.id, count(*) over () as n
      from (${matches}) m cross join lateral (select * from ${sql.table(tableOf(kind))} r
        where r.id = m.id and ${where} offset 0) r
      order by ${sortBy ? sql`${sortBy}, ` : sql``}(case when count(*) over () <= ${max} then m.rank end) asc,
        (case when count(*) over () > ${max} then r.updated_at end) desc nulls last, r.id asc
      limit ${query.limit} offset ${query.offset}`.execute(this.db)
    const first = rows.rows[0]
    const total = first
      ? num(first.n)
      : query.offset === 0
        ? 0
        : num(
            (await sql<{ n: unknown }>`select count(*) as n from ${from} where ${where}`.execute(this.db))
              .rows[0]?.n,
          )
    return this.page(ws, kind, rows.rows, total, query)
  }

  /** What a list sorts by (see IndexListQuery.sort), or a plain 400 for a field it cannot sort by. */
  private async sortValue(
    kind: RecordKind,
    field: string,
    query: IndexListQuery,
  ): Promise<RawBuilder<unknown> | null> {
    if (sortSpec(kind, field)) return sql.ref(`r.${sortColumn(field)}`)
    const memberColumn = MEMBER_SORTS[field]
    if (memberColumn && filterSpec(kind, memberColumn)) {
      // The filter column holds the id as JSON text.
      const ids = sql.ref(`r.${filterColumn(memberColumn)}`)
      return this.memberOrder(ids, query.memberNames, (id) => JSON.stringify(id))
    }
    if (field.startsWith(CF_SORT) && kind !== 'tasks') {
      const fieldId = field.slice(CF_SORT.length)
      const type: CustomSortType = query.customSort ?? 'text'
      if (type === 'member')
        return this.memberOrder(this.flavor.customText(fieldId), query.memberNames, (id) => id)
      await this.ensureCustomSortIndex(kind, fieldId, type)
      return sql.raw(this.flavor.customSortSql('r.cf_sort', fieldId, type))
    }
    throw badRequest(`${kind} cannot be sorted by ${field}.`, 'invalid_input')
  }

  /** The filter column of a member sort (`owner` → `f_ownerId`) of this kind, else null. */
  private memberColumn(kind: RecordKind, field: string): string | null {
    const column = MEMBER_SORTS[field]
    return column && filterSpec(kind, column) ? filterColumn(column) : null
  }

  /**
   * A page of a member sort without sorting every row: the members' names give the order of the owner groups (one
   * group per name; no member or one not named is the empty group, last ascending, first descending); the rows per
   * group are counted (one indexed `group by`), and only the groups the page covers are read, each in id order.
   * Same order as `memberOrder` (name, then id).
   */
  private async memberSortedIds(
    table: RawBuilder<unknown>,
    where: RawBuilder<unknown>,
    column: string,
    names: Readonly<Record<string, string>>,
    desc: boolean,
    query: IndexListQuery,
  ): Promise<Array<{ id: string }>> {
    const byKey = new Map<string, string[]>()
    for (const [userId, name] of Object.entries(names)) {
      const key = textSortKey(name)
      byKey.set(key, [...(byKey.get(key) ?? []), JSON.stringify(userId)])
    }
    const col = sql.ref(`r.${column}`)
    const counts = new Map<string, number>()
    const grouped = await sql<{ v: unknown; n: unknown }>`select ${col} as v, count(*) as n from ${table} r
      where ${where} group by ${col}`.execute(this.db)
    let all = 0
    for (const row of grouped.rows) {
      all += num(row.n)
      if (typeof row.v === 'string') counts.set(row.v, num(row.n))
    }
    const named = [...byKey.values()].flat()
    const groups = [...byKey.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => {
        const values = byKey.get(key) as string[]
        const count = values.reduce((sum, v) => sum + (counts.get(v) ?? 0), 0)
        return { count, condition: sql<boolean>`${col} in (${sql.join(values)})` }
      })
    const empty = {
      count: all - groups.reduce((sum, g) => sum + g.count, 0),
      condition: sql<boolean>`(${col} is null or ${col} not in (${sql.join(named)}))`,
    }
    const ordered = desc ? [empty, ...groups.reverse()] : [...groups, empty]
    const out: Array<{ id: string }> = []
    let skip = query.offset
    for (const group of ordered) {
      const need = query.limit - out.length
      if (need <= 0) break
      if (group.count <= skip) {
        skip -= group.count
        continue
      }
      const rows = await sql<{ id: string }>`select r.id from ${table} r where ${where} and ${group.condition}
        order by r.id asc limit ${need} offset ${skip}`.execute(this.db)
      out.push(...rows.rows)
      skip = 0
    }
    return out
  }

  /** Records by their member's name: `case <id> when … then <key of the name> end`, NULL for anyone not named. */
  private memberOrder(
    id: RawBuilder<unknown>,
    names: Readonly<Record<string, string>> | undefined,
    stored: (id: string) => string,
  ): RawBuilder<unknown> | null {
    const entries = Object.entries(names ?? {})
    if (entries.length === 0) return null
    const whens = entries.map(([userId, name]) => sql`when ${stored(userId)} then ${textSortKey(name)}`)
    return this.flavor.keyOrder(sql`case ${id} ${sql.join(whens, sql` `)} end`)
  }

  /** Expression indexes already made (or found) by this process: `<table> <type> <fieldId>`. */
  private readonly sortIndexes = new Set<string>()

  /**
   * One expression index per custom field and sort type (created on its first sort, then kept; `if not exists`), so
   * a sorted page is an index walk, not a sort of every row of the workspace.
   */
  /**
   * One expression index per kind and field an import matched a chosen column on (`matchTextSql`; created on its
   * first lookup — one pass over the kind's rows — then kept; `if not exists`), so each
   * later batch is one index seek per key, not a pass over every row.
   */
  private async ensureMatchIndex(table: string, column: 'data' | 'custom_fields', field: string) {
    const key = `${table} ${column} ${field}`
    if (this.matchIndexes.has(key)) return
    const hash = createHash('sha256').update(`${column} ${field}`).digest('hex').slice(0, 16)
    const expression = this.flavor.matchTextSql(column, field)
    await this.exclusive(async () => {
      await sql
        .raw(
          `create index if not exists "${table}_m_${hash}" on ${table} (workspace_id, archived, (${expression}), id)`,
        )
        .execute(this.db)
      // PostgreSQL keeps statistics of an index's expression only after an ANALYZE: without them it estimated one
      // row per workspace and filtered every row instead of seeking the keys (378 ms → 0.1 ms for 20k contacts).
      if (this.flavor.name === 'postgres') await sql.raw(`analyze ${table}`).execute(this.db)
    })
    this.matchIndexes.add(key)
  }

  private readonly matchIndexes = new Set<string>()
  private importKeysCheckedAt = Number.NEGATIVE_INFINITY

  /**
   * PostgreSQL: ANALYZE `import_keys` when it never was, or a tenth of it changed since (checked at most every 10 s).
   * Without statistics (autovacuum off, or a table just filled) the planner read each key through the record index
   * `(workspace, kind, id)` and filtered every key of the kind: 10 s for 500 keys over 30k contacts, 9 ms after.
   */
  private async keepImportKeyStatistics(): Promise<void> {
    const now = Date.now()
    if (now - this.importKeysCheckedAt < 10_000) return
    this.importKeysCheckedAt = now
    const { rows } = await sql<{
      live: unknown
      changed: unknown
      analyzed: unknown
    }>`select n_live_tup as live,
        n_mod_since_analyze as changed, coalesce(last_analyze, last_autoanalyze) is not null as analyzed
      from pg_stat_user_tables where relid = ${IMPORT_KEY_TABLE}::regclass`.execute(this.db)
    const row = rows[0]
    if (row && row.analyzed === true && Number(row.changed) <= Number(row.live) / 10 + 1000) return
    await sql.raw(`analyze ${IMPORT_KEY_TABLE}`).execute(this.db)
  }

  private async ensureCustomSortIndex(kind: RecordKind, fieldId: string, type: 'number' | 'text') {
    const table = tableOf(kind)
    const key = `${table} ${type} ${fieldId}`
    if (this.sortIndexes.has(key)) return
    // Names stay short (PostgreSQL cuts them at 63 bytes): the field id as a hash.
    const name = `${table}_cf_${type}_${createHash('sha256').update(fieldId).digest('hex').slice(0, 16)}`
    const expression = this.flavor.customSortSql('cf_sort', fieldId, type)
    await this.exclusive(() =>
      sql
        .raw(`create index if not exists "${name}" on ${table} (workspace_id, archived, (${expression}), id)`)
        .execute(this.db),
    )
    this.sortIndexes.add(key)
  }

  private async page(
    workspaceId: string,
    kind: RecordKind,
    rows: Array<{ id: string }>,
    total: number,
    query: IndexListQuery,
  ): Promise<IndexPage> {
    const ids = rows.map((row) => String(row.id))
    const data = new Map<string, ProjectedRecord>()
    for (let i = 0; i < ids.length; i += 500) {
      const found = await this.db
        .selectFrom(tableOf(kind))
        .select(['id', 'data'])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ids.slice(i, i + 500))
        .execute()
      for (const row of found) data.set(String(row.id), this.flavor.parseData(row.data))
    }
    const items = ids.flatMap((id) => data.get(id) ?? [])
    const next = query.offset + items.length
    return { items, total, nextOffset: next < total ? next : null }
  }

  async tasks(
    workspaceId: string,
    input: TaskListQuery,
    me: string,
  ): Promise<{ items: TaskItem[]; total: number }> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const parsed = TaskListQuery.safeParse(input)
    if (!parsed.success)
      throw badRequest(`Invalid task query: ${parsed.error.issues[0]?.message}`, 'invalid_input')
    const query = parsed.data
    const assigneeId =
      query.assignee === 'me' ? me : query.assignee === 'none' ? null : (query.assignee ?? undefined)
    const conditions = this.listConditions(ws, 'tasks', {
      filters: {
        assigneeId,
        accountId: query.accountId,
        dealId: query.dealId,
        contactId: query.contactId,
        ticketId: query.ticketId,
        done: query.status === 'all' ? undefined : query.status === 'done',
      },
      offset: 0,
      limit: 1,
      archived: query.archived,
    })
    // The tasks of an archived account are out of sight with it (back when it is restored).
    if (query.archived === 'false') conditions.push(sql<boolean>`coalesce(a.archived, 0) = 0`)
    const due = sql.ref(`r.${sortColumn('$due')}`)
    if (query.dueBefore !== undefined)
      conditions.push(sql<boolean>`${due} is not null and ${due} < ${query.dueBefore}`)
    if (query.doneSince !== undefined)
      conditions.push(
        sql<boolean>`(coalesce(${sql.ref(`r.${filterColumn('done')}`)}, '') <> 'true' or r.updated_at >= ${query.doneSince})`,
      )
    const from = sql`${sql.table(tableOf('tasks'))} r left join ${sql.table(tableOf('accounts'))} a
      on a.workspace_id = r.workspace_id and a.id = r.account_id`
    const where = sql.join(conditions, sql` and `)
    const total = num(
      (await sql<{ n: unknown }>`select count(*) as n from ${from} where ${where}`.execute(this.db)).rows[0]
        ?.n,
    )
    const rows = await sql<{ data: unknown; account: unknown }>`select r.data, a.data as account from ${from}
      where ${where} order by coalesce(${due}, ${NO_DUE}) asc, r.created_at asc, r.id asc limit ${query.limit}`.execute(
      this.db,
    )
    const items = rows.rows.map((row) => {
      const task = this.flavor.parseData(row.data)
      const name =
        row.account === null || row.account === undefined
          ? undefined
          : this.flavor.parseData(row.account).name
      return { ...task, accountName: typeof name === 'string' ? name : null } as unknown as TaskItem
    })
    return { items, total }
  }

  // ---- search ----

  /**
   * Full-text search: the words of `textKeys.words` (split on spaces and punctuation, lower-cased), every word
   * required, words of two letters or more as prefixes, exact words first when they fill the page, title/fields/body
   * weighted 3/1.5/1, archived records and tasks never found. No typo tolerance; scores are FTS5 bm25 or PostgreSQL
   * ts_rank (orders of close scores differ between the stores); above RANKED_MAX matches hits come newest first with
   * score 0 (docs/ARCHITECTURE.md, "Search").
   */
  async search(workspaceId: string, q: string, options: IndexSearchOptions = {}): Promise<SearchHit[]> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const checked = checkSearch(q, options)
    const terms = words(checked.q)
    if (terms.length === 0) return []
    const limit = checked.options.limit
    const kinds = checked.options.kinds ?? null
    if (kinds && kinds.length === 0) return []
    // Tiers: exact words first; words as prefixes only when exact matches do not fill `limit`.
    if (limit <= 200) {
      const exact = await this.matchPage({ workspaceId: ws, kinds, terms, prefix: false }, limit)
      if (exact.total >= limit || !terms.some((t) => t.length >= 2)) return exact.hits
    }
    return (await this.matchPage({ workspaceId: ws, kinds, terms, prefix: true }, limit)).hits
  }

  /**
   * The first `limit` hits of `spec`, and how many match — counted only up to max(RANKED_MAX, limit) + 1: past that
   * the order is newest first and `search` only asks "at least `limit`?", so a common word does not count its
   * thousands of matches on every keystroke.
   */
  private async matchPage(spec: MatchSpec, limit: number): Promise<{ hits: SearchHit[]; total: number }> {
    const matches = this.flavor.matches(spec)
    const cap = Math.max(RANKED_MAX, limit) + 1
    const total = num(
      (
        await sql<{
          n: unknown
        }>`select count(*) as n from (select 1 from (${matches}) m limit ${cap}) c`.execute(this.db)
      ).rows[0]?.n,
    )
    if (total === 0) return { hits: [], total }
    const ranked = total <= RANKED_MAX
    // Newest first does not read the rank (PostgreSQL then walks an index on `updated_at` instead of ranking all).
    const columns = ranked ? sql`m.rank` : sql`0 as rank`
    const order = ranked
      ? sql`m.rank asc, m.kind asc, m.id asc`
      : sql`m.updated_at desc, m.kind asc, m.id asc`
    const rows = await sql<{
      kind: SearchKind
      id: string
      rank: unknown
      title: string
      subtitle: string
      account_id: string | null
    }>`select m.kind, m.id, ${columns}, m.title, m.subtitle, m.account_id from (${matches}) m order by ${order} limit ${limit}`.execute(
      this.db,
    )
    const hits = rows.rows.map((row) => ({
      kind: row.kind,
      id: row.id,
      title: row.title,
      subtitle: row.subtitle,
      accountId: row.account_id ?? null,
      score: ranked ? -Number(row.rank) : 0,
    }))
    return { hits, total }
  }

  // ---- documents, feed, stats ----

  async docState(doc: string): Promise<Uint8Array | null> {
    this.open()
    const row = await this.db
      .selectFrom('doc_state')
      .select('state_vector')
      .where('doc', '=', checkDoc(doc))
      .executeTakeFirst()
    return row ? this.flavor.bytes(row.state_vector) : null
  }

  async docStates(docs: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.open()
    const names = [...new Set(checkDocs(docs))]
    const out = new Map<string, Uint8Array>()
    for (let i = 0; i < names.length; i += 500) {
      const rows = await this.db
        .selectFrom('doc_state')
        .select(['doc', 'state_vector'])
        .where('doc', 'in', names.slice(i, i + 500))
        .execute()
      for (const row of rows) out.set(String(row.doc), this.flavor.bytes(row.state_vector))
    }
    return out
  }

  private async lastSeqIn(db: AnyDb | AnyTrx, workspaceId: string): Promise<number> {
    const row = await db
      .selectFrom('workspace_seq')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst()
    return row ? num(row.seq) : 0
  }

  async lastSeq(workspaceId: string): Promise<number> {
    this.open()
    return this.lastSeqIn(this.db, checkWorkspace(workspaceId))
  }

  async feedSince(workspaceId: string, since: number, limit?: number): Promise<FeedAnswer> {
    this.open()
    const ws = checkWorkspace(workspaceId)
    const checked = checkFeed(since, limit)
    const last = await this.lastSeq(ws)
    if (checked.since > last) return 'gap'
    if (checked.since === last) return { changes: [] }
    const oldest = await this.db
      .selectFrom('feed')
      .select(sql<unknown>`min(seq)`.as('seq'))
      .where('workspace_id', '=', ws)
      .executeTakeFirst()
    if (oldest?.seq === null || oldest?.seq === undefined || num(oldest.seq) > checked.since + 1) return 'gap'
    const rows = await this.db
      .selectFrom('feed')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('seq', '>', checked.since)
      .orderBy('seq')
      .limit(checked.limit)
      .execute()
    return {
      changes: rows.map((row) => ({
        workspaceId: ws,
        seq: num(row.seq),
        kind: row.kind as RecordKind,
        id: String(row.id),
        op: row.op as 'upsert' | 'remove',
        at: num(row.at),
      })),
    }
  }

  async prune(now = Date.now()): Promise<void> {
    this.open()
    await this.exclusive(async () => {
      const rows = await this.db.selectFrom('workspace_seq').select('workspace_id').execute()
      for (const row of rows) await this.pruneWorkspace(this.db, String(row.workspace_id), now)
    })
  }

  async stats(workspaceId?: string): Promise<IndexStats> {
    this.open()
    const ws = workspaceId === undefined ? undefined : checkWorkspace(workspaceId)
    const count = async (table: string): Promise<number> => {
      let query = this.db.selectFrom(table).select(sql<unknown>`count(*)`.as('n'))
      if (ws !== undefined) query = query.where('workspace_id', '=', ws)
      return num((await query.executeTakeFirst())?.n)
    }
    const records = {} as Record<RecordKind, number>
    for (const kind of RECORD_KINDS) records[kind] = await count(tableOf(kind))
    let docStates: number
    if (ws === undefined) docStates = await this.countAll('doc_state')
    else {
      const row = await this.db
        .selectFrom('doc_state')
        .select(sql<unknown>`count(*)`.as('n'))
        // Documents of the workspace: names from `W/` up to (not including) `W0` ('0' follows '/').
        .where('doc', '>=', `${ws}/`)
        .where('doc', '<', `${ws}0`)
        .executeTakeFirst()
      docStates = num(row?.n)
    }
    return {
      records,
      search: await this.flavor.searchCount(this.db, ws),
      notes: await this.flavor.searchCount(this.db, ws, 'notes'),
      docStates,
      feed: await count('feed'),
    }
  }

  private async countAll(table: string): Promise<number> {
    const row = await this.db.selectFrom(table).select(sql<unknown>`count(*)`.as('n')).executeTakeFirst()
    return num(row?.n)
  }

  duplicateMatches(workspaceId: string, kind: DuplicateKind, keys: readonly DuplicateKey[]) {
    this.open()
    return findByKeys(this.db, workspaceId, kind, keys)
  }

  async importMatches(
    workspaceId: string,
    kind: MatchKind,
    rule: ImportMatchRule,
    keys: readonly string[],
  ): Promise<Array<{ key: string; id: string }>> {
    this.open()
    const query = this.importMatchQuery(workspaceId, kind, rule, keys)
    if (query.keys.length === 0) return []
    // Statistics and DDL stay on this side, on this connection (the match index under the write lock): only the
    // select may go to the thread.
    const on = query.rule
    if (on.on === 'field') await this.ensureMatchIndex(tableOf(query.kind), 'data', on.field)
    else if (on.on === 'customField')
      await this.ensureMatchIndex(tableOf(query.kind), 'custom_fields', on.fieldId)
    else if (this.flavor.name === 'postgres') await this.keepImportKeyStatistics()
    const bulk = this.readThread()
    if (!bulk) return this.selectImportMatches(query)
    return this.readInThread(
      () => bulk.importMatches(query.workspaceId, query.kind, query.rule, query.keys),
      () => this.selectImportMatches(query),
    )
  }

  /**
   * As `importMatches`, without making the field's match index or keeping `import_keys`' statistics: what the index
   * thread runs for it (bulkApplierThread.ts), the main thread having done both.
   */
  async findImportMatches(
    workspaceId: string,
    kind: MatchKind,
    rule: ImportMatchRule,
    keys: readonly string[],
  ): Promise<Array<{ key: string; id: string }>> {
    this.open()
    const query = this.importMatchQuery(workspaceId, kind, rule, keys)
    return query.keys.length === 0 ? [] : this.selectImportMatches(query)
  }

  /** The checked arguments of `importMatches`, its keys without blanks and duplicates. */
  private importMatchQuery(
    workspaceId: string,
    kind: MatchKind,
    rule: ImportMatchRule,
    keys: readonly string[],
  ): ImportMatchQuery {
    const ws = checkWorkspace(workspaceId)
    const checked = checkImportMatch({ kind, rule, keys })
    const wanted = [...new Set(checked.keys.filter((k) => k !== ''))]
    return { workspaceId: ws, kind: checked.kind, rule: checked.rule, keys: wanted }
  }

  private async selectImportMatches(query: ImportMatchQuery): Promise<Array<{ key: string; id: string }>> {
    const { workspaceId: ws, rule: on, keys: wanted } = query
    if (on.on !== 'field' && on.on !== 'customField')
      return findByImportKeys(this.db, ws, query.kind, on.on, wanted)
    const [column, field]: ['data' | 'custom_fields', string] =
      on.on === 'field' ? ['data', on.field] : ['custom_fields', on.fieldId]
    const table = tableOf(query.kind)
    const value = sql.raw(this.flavor.matchTextSql(`r.${column}`, field))
    const out: Array<{ key: string; id: string }> = []
    // Seeks in the field's match index: one statement for any batch (at most MAX_BATCH_CHANGES keys, checked above).
    const rows = await sql<{ id: unknown; v: unknown }>`select min(r.id) as id, ${value} as v
      from ${sql.table(table)} r where r.workspace_id = ${ws} and r.archived = 0 and ${value} in (${sql.join(wanted)})
      group by ${value}`.execute(this.db)
    for (const row of rows.rows) out.push({ key: String(row.v), id: String(row.id) })
    return out
  }

  duplicatePairs(workspaceId: string, kind: DuplicateKind) {
    this.open()
    return keyPairs(this.db, workspaceId, kind)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.applying])
    await this.bulk?.close()
    await this.db.destroy()
    await this.onClose()
  }
}

/**
 * Every kind's sortable fields (for callers that check a sort before asking), with `owner` / `assignee` (by the
 * member's name); custom fields sort as `cf.<fieldId>` besides (every kind but tasks).
 */
export const SORTABLE: Readonly<Record<RecordKind, readonly string[]>> = Object.fromEntries(
  RECORD_KINDS.map((kind) => [
    kind,
    [
      ...COLUMNS[kind].filter((c) => c.sort && !c.field.startsWith('$')).map((c) => c.field),
      ...Object.entries(MEMBER_SORTS)
        .filter(([, column]) => filterSpec(kind, column))
        .map(([field]) => field),
    ],
  ]),
) as Record<RecordKind, string[]>
