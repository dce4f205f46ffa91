import type { CustomFieldType } from '@rapport/model'
import { badRequest } from '../errors.ts'
import type { ArchivedMode } from '../projection/RecordViews.ts'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import type { SearchHit, SearchKind } from '../projection/SearchIndex.ts'
import type { TaskItem, TaskListQuery } from '../tasks/taskQueries.ts'
import type { DuplicateKey, DuplicateKind, KeyMatch, KeyType } from './duplicateKeys.ts'
import type { MatchKind, MatchRule } from './importKeys.ts'

/*
 * The persisted record index (issue #12, docs/ARCHITECTURE.md "The index"): the read side of every record, kept
 * current from document changes by the IndexWorker (`apply`), read by REST lists, search, the board snapshot and
 * "My tasks". Two implementations pass one contract suite (recordIndex.contract.ts): SQLite (sqliteRecordIndex.ts,
 * one file, the default) and PostgreSQL (postgresRecordIndex.ts, scale-out).
 *
 * Every method is async and every input is validated (zod): malformed or oversized input is rejected with an
 * `AppError` 400 (`invalid_input`) in plain words, never a crash. Every read names its workspace and answers only
 * that workspace's rows. Document names (`W/...`) carry their workspace already.
 */

/**
 * Version of the stored layout (`meta.format`). An index of an older format is emptied and rebuilt from the documents
 * (its tables are dropped on open); one of a newer format is refused.
 * 2: `s_accountName`, `cf_sort` and the sort columns of team, size, title, source and status.
 * 3: the owner / assignee indexes hold (workspace, archived, member, id) for member sorts.
 * 4: report facts (issue #13): `fact_stage` (every stage change of a deal), `fact_handoff` and `fact_activity` (the
 *    handoffs and logged calls/emails/meetings of each account room).
 * 5: duplicate keys (`dup_key`, duplicateKeys.ts).
 * 6: report columns `r_<field>` of deals and tickets (indexSchema.ts REPORT_COLUMNS), read by `reportGroups`.
 * 7: import match keys (`import_keys`, importKeys.ts).
 * 8: `fact_stage.step`: the stages a deal passed through between two indexed states (`passedStages`) share their
 *    change's seq, ordered by step.
 */
export const INDEX_FORMAT = 8

/** The change feed keeps, per workspace, at least the last FEED_KEEP_EVENTS events or those of the last FEED_KEEP_MS. */
export const FEED_KEEP_EVENTS = 10_000
export const FEED_KEEP_MS = 10 * 60_000

/** Limits of one `apply` (a batch is one transaction; the IndexWorker batches ≤ 10 ms of work). */
export const MAX_BATCH_CHANGES = 5_000
/** Largest JSON of one record, and of one account's note text. */
export const MAX_RECORD_BYTES = 256 * 1024
export const MAX_NOTES_CHARS = 1_000_000
/** Most handoffs, and most logged activities, of one account room in the index (a room keeps 500 timeline entries). */
export const MAX_ROOM_FACTS = 10_000
/** Largest page of `list`, `search`, `getMany`, `feedSince`. */
export const MAX_PAGE = 10_000

/** The fields of a deal `RecordIndex.boardRows` reads (a board card's face and place). */
export const BOARD_ROW_FIELDS = [
  'id',
  'title',
  'amount',
  'currency',
  'accountId',
  'ownerId',
  'pipelineId',
  'position',
  'status',
  'stageEnteredAt',
] as const

/** A record as stored: its kind, the document it lives in (`W/accounts`, `W/pipeline/P`, `W/account/A` …) and its JSON. */
export interface IndexedRecord {
  workspaceId: string
  kind: RecordKind
  id: string
  doc: string
  /** The schema-parsed record (tasks also carry their `accountId`), as the projection held it. */
  record: ProjectedRecord
}

/** Most stages one deal upsert carries as passed (`passedStages`); the IndexWorker keeps the latest ones. */
export const MAX_PASSED_STAGES = 1_000

/**
 * A stage a deal was in between its stored state and the upsert's record: moves of one deal that the IndexWorker
 * coalesced into one change (it keeps a record's latest state) still each add their entry to the stage history.
 */
export interface PassedStage {
  pipelineId: string
  stage: string
  /** The deal's `stageEnteredAt` in that stage. */
  at: number
}

/**
 * One record change of a batch. An upsert identical to the stored row (same doc, same JSON) changes nothing. A deal
 * upsert may carry `passedStages` (oldest first): each that differs from the one before adds a stage-history entry
 * before the record's own.
 */
export type RecordChange =
  | ({ op: 'upsert'; passedStages?: PassedStage[] } & IndexedRecord)
  | { op: 'remove'; workspaceId: string; kind: RecordKind; id: string }

/** The plain text of an account room's notes and briefs (search kind `notes`); `''` removes it. */
export interface NotesChange {
  workspaceId: string
  accountId: string
  text: string
}

/** The Yjs state vector a document's indexed rows reflect (catch-up compares it with the stored document). */
export interface DocStateChange {
  doc: string
  stateVector: Uint8Array
}

/**
 * One stage change of a deal (`fact_stage`), written by `apply` when a deal is first indexed (`fromStage` null) and
 * whenever an upsert changes its stage (`position.column`) or pipeline. `at` is the deal's new `stageEnteredAt`;
 * `seq` the feed seq of the change (orders changes of one deal at the same millisecond). Removed with the deal.
 */
export interface StageChange {
  dealId: string
  pipelineId: string
  fromStage: string | null
  toStage: string
  at: number
  seq: number
}

/** A handoff of an account room, as reports read it (`fact_handoff`; archived handoffs are left out). */
export interface HandoffFact {
  id: string
  accountId: string
  dealId: string | null
  status: 'draft' | 'sent' | 'accepted' | 'returned'
  fromUserId: string
  toUserId: string | null
  createdAt: number
  sentAt: number | null
  acceptedAt: number | null
}

/** A logged call, email or meeting of an account room's timeline (`fact_activity`; archived entries left out). */
export interface ActivityFact {
  id: string
  accountId: string
  type: 'call' | 'email' | 'meeting'
  at: number
  actorId: string | null
  /** `details.dealId`, else the subject when the subject is a deal. */
  dealId: string | null
}

/** Every report fact of one account room: replaces what the index held for that room (empty lists remove them). */
export interface RoomFactsChange {
  workspaceId: string
  accountId: string
  handoffs: Array<Omit<HandoffFact, 'accountId'>>
  activities: Array<Omit<ActivityFact, 'accountId'>>
}

/** What the IndexWorker hands over; applied in one transaction, record changes in the order given. */
export interface IndexBatch {
  records?: RecordChange[]
  notes?: NotesChange[]
  /** Report facts of account rooms (issue #13), each replacing its room's. */
  roomFacts?: RoomFactsChange[]
  docStates?: DocStateChange[]
  /** Time of the changes (ms since epoch) for the feed; default now. */
  at?: number
}

/** One feed event: what `apply` changed, with its workspace's next `seq` (stored, survives restarts). */
export interface AppliedChange {
  workspaceId: string
  seq: number
  kind: RecordKind
  id: string
  op: 'upsert' | 'remove'
  at: number
}

/**
 * A `cf.<fieldId>=<text>` filter as data (see `customFieldConditions`, same meaning as settings/customFieldFilters.ts):
 * the record's `customFields[fieldId]` as text equals `text` (`true`/`false`, numbers as JavaScript writes them, a
 * multi-select when it includes `text`); `text === ''` matches an empty or missing value.
 */
export interface CustomFieldCondition {
  fieldId: string
  text: string
}

/**
 * A list query: exactly what `WorkspaceProjection.views[kind].query` + `customFieldFilter` + the text query answer
 * in http/routes/records.ts today.
 */
export interface IndexListQuery {
  /**
   * Equality filters on a field (`accountId`, `ownerId`, …, dotted `position.column`); `null` matches null (not a
   * missing field); undefined entries are ignored. `stage`/`stageId` read `position.column`, and `status` does too
   * for records without a `status` field (tickets) — `fieldValue` in projection/queryRecords.ts.
   */
  filters?: Record<string, string | number | boolean | null | undefined>
  customFields?: readonly CustomFieldCondition[]
  /** Text query: only records it matches (as `search` with that kind), in relevance order unless `sort` is given. */
  q?: string | null
  /**
   * `field` ascending or `-field` descending, then id (nulls last ascending, first descending; text by `compareValues`).
   * Besides the typed columns (`SORTABLE`): `accountName` (contacts, deals, tickets: the name of the record's account),
   * `owner` (every kind with `ownerId`) and `assignee` (tickets) by the member's name in `memberNames`, and
   * `cf.<fieldId>` (accounts, contacts, deals, tickets) as `customSort` says.
   */
  sort?: string | null
  /** How a `cf.<fieldId>` sort compares the field's values (`customSortType` of its definition); default `text`. */
  customSort?: CustomSortType
  /**
   * Display names by user id, for `owner`, `assignee` and `member` custom-field sorts: records order by their member's
   * name (as text); a member not named here, and no member, count as empty (last).
   */
  memberNames?: Readonly<Record<string, string>>
  offset: number
  limit: number
  archived: ArchivedMode
}

export interface IndexPage {
  items: ProjectedRecord[]
  total: number
  nextOffset: number | null
}

export interface IndexSearchOptions {
  kinds?: readonly SearchKind[]
  /** Default 20, at most MAX_PAGE. */
  limit?: number
}

export type FeedAnswer = { changes: AppliedChange[] } | 'gap'

export interface IndexStats {
  records: Record<RecordKind, number>
  /** Rows of the search table (non-archived accounts, contacts, deals, tickets, and account notes). */
  search: number
  notes: number
  docStates: number
  feed: number
}

/**
 * A `reportGroups` query. Fields are record field names (`position.column` reads the board column); a field the
 * index keeps a column of is read from it, others from the record's JSON.
 */
export interface ReportGroupQuery {
  groupBy: readonly string[]
  where?: {
    /** Only records whose `field` is one of `ids` (none: no record). */
    owners?: { field: 'ownerId' | 'assigneeId'; ids: readonly string[] }
    /**
     * Only records whose `field` (a filter field, e.g. `pipelineId`, or a text report column) is exactly `value` (one
     * of `value`, a list of at most 20).
     */
    equals?: ReadonlyArray<{ field: string; value: string | readonly string[] }>
    /** Only records whose `createdAt` (a missing one counts as 0) is in `[from, to)`, each bound optional. */
    createdAt?: { from: number | null; to: number | null }
    /**
     * Contacts only: those named in the `contactIds` of a non-archived deal (of pipeline `pipelineId` when not null;
     * a won one with `won`).
     */
    onDeal?: { pipelineId: string | null; won: boolean }
  }
  values?: readonly string[]
}

/** A `stageFunnel` query: the deals of `pipelineId` matching `where`, the funnel's stages in order. */
export interface StageFunnelQuery {
  pipelineId: string
  stageIds: readonly string[]
  /** The end of an open deal's current stay. */
  now: number
  where?: Omit<NonNullable<ReportGroupQuery['where']>, 'onDeal'>
  /** `stageFunnelDeals` only: the deals whose furthest stage is this index in `stageIds` or a later one. */
  reached?: number
}

export interface StageFunnel {
  /** Per index in `stageIds`: the deals whose changes into the pipeline reach that stage at the furthest. */
  furthest: Array<{ stage: number; deals: number }>
  /**
   * Per stage entered: how long each stay lasted (ms, to the deal's next change into the pipeline, or to `now` for
   * an open deal's last one; a closed deal's last stay has no end and is left out), in no particular order.
   */
  stays: Array<{ stage: string; ms: number[] }>
}

export interface ReportGroup {
  keys: unknown[]
  count: number
  firstId: string
  /** Per record of the group, `query.values` in order (only when asked). */
  values?: unknown[][]
}

/**
 * What an import's duplicate rule matches on (importKeys.ts): a rule with stored keys, a record field (`phone`,
 * `city` …: its value's `matchText`) or a custom field (`customFields[fieldId]`'s `matchText`).
 */
export type ImportMatchRule =
  | { on: MatchRule }
  | { on: 'field'; field: string }
  | { on: 'customField'; fieldId: string }

export interface RecordIndex {
  /** Applies one batch in one transaction; returns the feed events it produced (in seq order), pruning old ones. */
  apply(batch: IndexBatch): Promise<AppliedChange[]>
  /**
   * As `apply`, for an import's large batches of new records: the stores run it in a worker thread with a connection
   * of their own when opened with one (BulkApplier.ts), so the event loop is not held meanwhile. Optional.
   */
  applyBulk?(batch: IndexBatch): Promise<AppliedChange[]>
  /**
   * Whether `applyBulk` runs off the event loop (a thread); else it is `apply`. False for a while after the thread died
   * under an apply (its batches then go to `apply`, on the main thread).
   */
  readonly bulkThreaded?: boolean
  /** Starts what `applyBulk` runs on (its thread), without waiting: an import about to write calls it. */
  prepareBulk?(): void

  get(workspaceId: string, kind: RecordKind, id: string): Promise<IndexedRecord | null>
  /** The records of `ids` that exist, in the order of `ids` (duplicates once). */
  getMany(workspaceId: string, kind: RecordKind, ids: readonly string[]): Promise<IndexedRecord[]>
  /** Every record of `kind` living in document `doc` (the board snapshot: a deal belongs to its document's pipeline). */
  docRecords(workspaceId: string, kind: RecordKind, doc: string): Promise<ProjectedRecord[]>
  /**
   * The ids of the `kind` records living in each document of `docs` (at most MAX_PAGE documents), by document; a
   * document without records is absent. One read for many documents (the catch-up's rebuild).
   */
  docRecordIds(workspaceId: string, kind: RecordKind, docs: readonly string[]): Promise<Map<string, string[]>>

  /** One page of a list (`GET /api/<kind>`). */
  list(workspaceId: string, kind: RecordKind, query: IndexListQuery): Promise<IndexPage>
  /** `GET /api/tasks`: exactly `queryTasks` of tasks/taskQueries.ts (`me` = the caller's user id). */
  tasks(workspaceId: string, query: TaskListQuery, me: string): Promise<{ items: TaskItem[]; total: number }>
  /** `GET /api/search`: hits of every word (the last words as prefixes, from two letters), best first. */
  search(workspaceId: string, q: string, options?: IndexSearchOptions): Promise<SearchHit[]>

  docState(doc: string): Promise<Uint8Array | null>
  /** State vectors of the documents of `docs` that have one. */
  docStates(docs: readonly string[]): Promise<Map<string, Uint8Array>>

  /** Events with `seq > since`, oldest first, at most `limit`; `'gap'` when some of them were pruned already. */
  feedSince(workspaceId: string, since: number, limit?: number): Promise<FeedAnswer>
  /** The workspace's last seq (0 before any change). */
  lastSeq(workspaceId: string): Promise<number>
  /** Drops feed events beyond the retention (apply does it too). */
  prune(now?: number): Promise<void>

  stats(workspaceId?: string): Promise<IndexStats>

  // ---- report facts (issue #13, apps/server/src/reports) ----
  /** Stage changes of the workspace's deals (of `dealIds` when given, at most MAX_PAGE), by deal, then seq. */
  stageHistory(workspaceId: string, dealIds?: readonly string[]): Promise<StageChange[]>
  handoffFacts(workspaceId: string): Promise<HandoffFact[]>
  activityFacts(workspaceId: string): Promise<ActivityFact[]>
  /**
   * Named fields of every non-archived record of `kind` (at most 30 plain field names; a missing field reads null),
   * optionally only the records whose `ownerField` (`ownerId`, `assigneeId`) is one of `owners`: the compact rows the
   * report engine aggregates, read in one query without parsing the records' JSON.
   */
  reportRows(
    workspaceId: string,
    kind: RecordKind,
    fields: readonly string[],
    where?: { ownerField: 'ownerId' | 'assigneeId'; owners: readonly string[] },
  ): Promise<Array<Record<string, unknown>>>

  /**
   * What a board card needs (`BOARD_ROW_FIELDS`) of every non-archived deal whose `pipelineId` is `pipelineId`, in ONE
   * read (the values as the record holds them, `null` when missing; `position` the JSON object; no order): the board
   * snapshot and the board faces. `list` pages of the same deals cost a count, an ordered id scan and a lookup of every
   * record's whole JSON, parsed in the server: ~4× the time on 20,000 deals (docs/ARCHITECTURE.md).
   */
  boardRows(workspaceId: string, pipelineId: string): Promise<Array<Record<string, unknown>>>

  /**
   * Aggregates of the non-archived records of `kind` that match `query.where`, per distinct value of the
   * `query.groupBy` fields (in SQL: GROUP BY; no record read into the server): each group's field values (as the
   * record holds them, null when missing), its record count, its smallest id (code-point order) and, when
   * `query.values` names fields, those fields of each of its records (the numbers a figure sums or ranks).
   */
  reportGroups(workspaceId: string, kind: RecordKind, query: ReportGroupQuery): Promise<ReportGroup[]>
  /** The stage funnel of one pipeline's deals from the stage history (reports' sales.funnel), aggregated in SQL. */
  stageFunnel(workspaceId: string, query: StageFunnelQuery): Promise<StageFunnel>
  /**
   * The ids (code-point order) of the deals of a `stageFunnel` whose furthest stage is `query.reached` (default 0) or
   * a later one: the records behind one funnel row.
   */
  stageFunnelDeals(workspaceId: string, query: StageFunnelQuery): Promise<string[]>

  close(): Promise<void>

  /** Non-archived accounts/contacts sharing any of `keys` (duplicateKeys.ts), with the key types they share. */
  duplicateMatches(
    workspaceId: string,
    kind: DuplicateKind,
    keys: readonly DuplicateKey[],
  ): Promise<KeyMatch[]>
  /**
   * An import's duplicate lookup for one batch of rows: per key of `keys` (at most MAX_BATCH_CHANGES, each a row's
   * `ruleKeyOf` / `matchText`) that some non-archived record of `kind` holds under `rule`, the smallest such record id
   * — however many records share the key. Stored rules read `import_keys` through its primary key; a field or custom
   * field seeks its `matchTextSql` expression index (created on the field's first lookup).
   */
  importMatches(
    workspaceId: string,
    kind: MatchKind,
    rule: ImportMatchRule,
    keys: readonly string[],
  ): Promise<Array<{ key: string; id: string }>>
  /** Every pair of non-archived records of `kind` sharing a duplicate key, with the key types they share. */
  duplicatePairs(
    workspaceId: string,
    kind: DuplicateKind,
  ): Promise<Array<{ a: string; b: string; types: KeyType[] }>>
}

/**
 * How a custom field sorts: `number` (number, currency; yes/no as no < yes), `text` (text, select, date, url, email;
 * a multi-select by its choices joined by ", "), `member` (user: by the member's name). See `customSortValue`.
 */
export type CustomSortType = 'number' | 'text' | 'member'

export function customSortType(type: CustomFieldType): CustomSortType {
  if (type === 'number' || type === 'currency' || type === 'boolean') return 'number'
  return type === 'user' ? 'member' : 'text'
}

const CF_PREFIX = 'cf.'
const MAX_CF_FILTERS = 20

/**
 * The `cf.<fieldId>=<value>` parameters of a list route's query string as data (what `customFieldFilter` of
 * settings/customFieldFilters.ts checks as a predicate, with the same limits and errors); `[]` when there are none.
 */
export function customFieldConditions(query: Record<string, string>): CustomFieldCondition[] {
  const wanted = Object.entries(query)
    .filter(([key]) => key.startsWith(CF_PREFIX))
    .map(([key, text]) => ({ fieldId: key.slice(CF_PREFIX.length), text }))
  if (wanted.length > MAX_CF_FILTERS)
    throw badRequest(`At most ${MAX_CF_FILTERS} custom-field filters.`, 'invalid_input')
  for (const { fieldId, text } of wanted) {
    if (fieldId === '' || fieldId.length > 64 || text.length > 200)
      throw badRequest('A custom-field filter is cf.<field id>=<value>.', 'invalid_input')
  }
  return wanted
}
