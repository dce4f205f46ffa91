import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hocuspocus } from '@hocuspocus/server'
import {
  ACCOUNTS,
  AccountPatch,
  archiveRecord,
  CONTACTS,
  ContactPatch,
  type CustomFieldDef,
  type CustomFieldValue,
  collectionMap,
  createAccount,
  createContact,
  createDeal,
  createTicket,
  DEALS,
  DealPatch,
  type DocRef,
  docName,
  isModelError,
  jsonEqual,
  keyForIndex,
  type Pipeline,
  parseDocName,
  type RecordCollection,
  readRecord,
  type SlaPolicy,
  TICKETS,
  TicketPatch,
  updateAccount,
  updateContact,
  updateDeal,
  updateTicket,
} from '@rapport/model'
import type * as Y from 'yjs'
import { z } from 'zod'
import { workspaceSla } from '../automation/workspaceSla.ts'
import { type Actor, type ServerOrigin, writeDocument } from '../collab/directWrites.ts'
import { badRequest } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { matchText, ruleKeyOf } from '../recordIndex/importKeys.ts'
import { type ImportMatchRule, MAX_PAGE } from '../recordIndex/RecordIndex.ts'
import { readWorkspaceSettings } from '../settings/SettingsService.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { ticketColumnKeys } from '../tickets/ticketDocs.ts'
import {
  type BuildRequest,
  type BuiltDocument,
  type BulkWriteDeps,
  writeBuiltDocuments,
} from './bulkCreate.ts'
import { csvProblem, csvRecords, rowObject, type Separator } from './csvFile.ts'
import { DocumentBuilder } from './DocumentBuilder.ts'
import {
  type FieldError,
  type ImportField,
  type ImportKind,
  importFields,
  type MappedRow,
  mapRow,
  validateCreate,
  validatePatch,
} from './importFields.ts'
import { ImportLinks } from './importLinks.ts'
import { nextImportTurn } from './importTurns.ts'
import { CHUNK_ROWS, type MappedCsvRow, MappedRows } from './mappedRows.ts'

export const IMPORT_STATUSES = [
  'uploaded',
  'running',
  'done',
  'cancelled',
  'failed',
  'interrupted',
  'undone',
] as const
export type ImportStatus = (typeof IMPORT_STATUSES)[number]

export const DuplicatePolicy = z.object({
  policy: z.enum(['skip', 'update', 'create']),
  matchOn: z.enum(['email', 'domain', 'name', 'column']),
  column: z.string().max(100).optional(),
})
export type DuplicatePolicy = z.infer<typeof DuplicatePolicy>

export const ImportSettings = z.object({
  mapping: z.record(z.string().max(500), z.string().max(100).nullable()),
  duplicates: DuplicatePolicy,
})
export type ImportSettings = z.infer<typeof ImportSettings>

/** What is persisted of an import in `<dataDir>/imports/<id>/job.json`. */
export interface ImportJob {
  id: string
  workspaceId: string
  kind: ImportKind
  fileName: string
  status: ImportStatus
  separator: Separator
  columns: string[]
  rowCount: number | null
  total: number | null
  processed: number
  created: number
  updated: number
  skipped: number
  failed: number
  uploadedAt: number
  startedAt: number | null
  finishedAt: number | null
  createdBy: string
  createdByName: string
  /** The last data row whose outcome is in the log (a resume continues after it). */
  lastRow: number
  settings: ImportSettings | null
  error?: string
  undo?: { state: 'running' | 'done'; archived: number; reverted: number; kept: number; message?: string }
}

/** A line of `log.jsonl`: a created record, an update with the values before it, or a failed row. */
type LogLine =
  | { t: 'c'; row: number; id: string }
  | { t: 'u'; row: number; id: string; prev: Record<string, unknown>; next: Record<string, unknown> }
  | { t: 'f'; row: number; reason: string }

export interface PreviewRow {
  row: number
  values: Record<string, CustomFieldValue>
  errors: FieldError[]
  duplicateOf: { id: string; label: string } | null
}

const BATCH_ROWS = 200
/**
 * Kinds whose new records take the bulk path (bulkCreate.ts). Accounts too: their room's `created account` entry is
 * built into the document (`buildAccountDocument`); a new room has no notes, mentions or history to watch (history
 * skips a creation). Deals (the board mirror, won-deal automation) and tickets (the queue) have more work hung on
 * their documents' loading and stay on the normal path.
 */
const BULK_KINDS: ReadonlySet<ImportKind> = new Set(['accounts', 'contacts'])
/**
 * Rows per batch on the bulk path: its cost is mostly per batch (two waits for the disk, one index flush), so larger
 * batches; the documents are built BUILD_SLICE at a time with a yield between, so others' edits are not held up.
 */
const BULK_BATCH_ROWS = 1000
const BUILD_SLICE = 50
const WRITE_CONCURRENCY = 12
const PREVIEW_ROWS = 50
/**
 * Duplicate keys per index lookup (`importMatches`: one statement of index seeks, synchronous on SQLite — 500 keys
 * held the event loop ~2-3 ms with 100k contacts on a quiet machine, 5–15 ms on a loaded one), with a yield between
 * lookups.
 */
const PREFETCH_KEYS = 200

// biome-ignore lint/suspicious/noExplicitAny: one table of differently typed collections
const COLLECTION: Record<ImportKind, RecordCollection<any>> = {
  accounts: ACCOUNTS,
  contacts: CONTACTS,
  deals: DEALS,
  tickets: TICKETS,
}
const PATCH_SCHEMA: Record<ImportKind, z.ZodType> = {
  accounts: AccountPatch,
  contacts: ContactPatch,
  deals: DealPatch,
  tickets: TicketPatch,
}
const ID_PREFIX: Record<ImportKind, string> = {
  accounts: 'acc',
  contacts: 'con',
  deals: 'deal',
  tickets: 'tkt',
}

/** The document a record of `kind` lives in (every kind has its own document). */
export function recordRef(workspaceId: string, kind: ImportKind, id: string): DocRef {
  switch (kind) {
    case 'accounts':
      return { workspaceId, kind: 'account', accountId: id }
    case 'contacts':
      return { workspaceId, kind: 'contact', contactId: id }
    case 'deals':
      return { workspaceId, kind: 'deal', dealId: id }
    case 'tickets':
      return { workspaceId, kind: 'ticket', ticketId: id }
  }
}

const lower = (value: unknown): string => (typeof value === 'string' ? value.trim().toLowerCase() : '')

/** A record's label for "duplicate of …". */
function labelOf(kind: ImportKind, record: Record<string, unknown>): string {
  switch (kind) {
    case 'accounts':
      return String(record.name ?? '')
    case 'contacts': {
      const name = `${record.firstName ?? ''} ${record.lastName ?? ''}`.trim()
      return name || String(record.email ?? '')
    }
    case 'deals':
      return String(record.title ?? '')
    case 'tickets':
      return String(record.subject ?? '')
  }
}

/**
 * The value a record (or a row's input) is matched on, normalized; '' = nothing to match. The same functions compute
 * the index's keys (recordIndex/importKeys.ts), so a lookup finds what comparing every record would.
 */
function matchKey(kind: ImportKind, duplicates: DuplicatePolicy, record: Record<string, unknown>): string {
  switch (duplicates.matchOn) {
    case 'email':
    case 'domain':
    case 'name':
      return ruleKeyOf(kind, duplicates.matchOn, record)
    case 'column': {
      const key = duplicates.column ?? ''
      const value = key.startsWith('cf.')
        ? (record.customFields as Record<string, unknown> | undefined)?.[key.slice(3)]
        : record[key]
      return matchText(value)
    }
  }
}

/** A mapped row's values as a record's fields (`cf.<id>` values under `customFields`), for `matchKey`. */
function rowInput(values: Record<string, CustomFieldValue>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  const customFields: Record<string, CustomFieldValue> = {}
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith('cf.')) customFields[key.slice(3)] = value
    else input[key] = value
  }
  input.customFields = customFields
  return input
}

/** How the index looks the rule up (`RecordIndex.importMatches`). */
function indexRule(duplicates: DuplicatePolicy): ImportMatchRule {
  if (duplicates.matchOn !== 'column') return { on: duplicates.matchOn }
  const key = duplicates.column ?? ''
  return key.startsWith('cf.') ? { on: 'customField', fieldId: key.slice(3) } : { on: 'field', field: key }
}

/** Refuses in plain words a duplicate rule that does not fit the kind or the mapping. */
export function checkSettings(
  kind: ImportKind,
  settings: ImportSettings,
  fields: readonly ImportField[],
): void {
  const { matchOn, column } = settings.duplicates
  if (matchOn === 'email' && kind !== 'contacts')
    throw badRequest('Only contacts can be matched on email; choose name or a column.', 'invalid_input')
  if (matchOn === 'domain' && kind !== 'accounts')
    throw badRequest('Only accounts can be matched on domain; choose name or a column.', 'invalid_input')
  if (matchOn === 'column' && (!column || !fields.some((f) => f.key === column)))
    throw badRequest('Choose the field to match duplicates on (duplicates.column).', 'invalid_input')
  const keys = new Set(fields.map((f) => f.key))
  const used = new Set<string>()
  for (const [columnName, key] of Object.entries(settings.mapping)) {
    if (key === null) continue
    if (!keys.has(key))
      throw badRequest(`"${key}" is not a field you can import ${kind} into.`, 'invalid_input')
    if (used.has(key))
      throw badRequest(`Two columns are mapped to ${key} (one is "${columnName}").`, 'invalid_input')
    used.add(key)
  }
}

interface Planned {
  row: number
  action: 'create' | 'update' | 'skip' | 'fail'
  values: Record<string, CustomFieldValue>
  errors: FieldError[]
  duplicateOf: { id: string; label: string } | null
  /** create: the full input; update: the patch. */
  input?: Record<string, unknown>
  id?: string
  /** The deal's pipeline stages / the card's column for deals and tickets. */
  stages?: Pipeline['stages']
  column?: string
}

/** A planned batch ready to be written (`prepareBatch` → `commitBatch`). */
interface PreparedBatch {
  batch: Planned[]
  /** Rows whose outcome is known already: the bulk path's built (created) and refused rows. */
  outcomes: Map<number, LogLine | 'skip'>
  /** Rows still to write through Hocuspocus (creates off the bulk path, updates). */
  writes: Planned[]
  /** Column keys of creates, by row. */
  keys: Map<number, string>
  /** The bulk path's documents, to write (bulkCreate.ts). */
  built: BuiltDocument[]
}

export interface ImportJobsDeps {
  dataDir: string
  hocuspocus: Hocuspocus
  index: Pick<IndexWorker, 'index' | 'flush'> & Partial<Pick<IndexWorker, 'enqueueWritten' | 'stats'>>
  /**
   * The server's document store: with it (and `index.enqueueWritten`), the contacts an import creates take the bulk
   * path (bulkCreate.ts); without it every row goes through Hocuspocus.
   */
  store?: DocumentStore
  logger: Logger
  now?: () => number
  memberIds?: (workspaceId: string) => ReadonlySet<string>
  /**
   * The bulk path's documents are built in a worker thread (DocumentBuilder.ts; default true unless the env's
   * IMPORT_BUILD_THREAD is `0`); false builds them on the main thread.
   */
  buildThread?: boolean
  /**
   * A job's CSV rows are read and mapped in a worker thread (mappedRows.ts): default true unless the env's
   * IMPORT_CSV_THREAD is `0` — measured, others' edits wait less during an import (mappedRows.ts says how much).
   */
  csvThread?: boolean
  /**
   * On the bulk path, a batch is read, planned and built while the one before it is written: default false (the
   * env's IMPORT_PIPELINE=1 turns it on) — measured (30k rows, 3 + 3 runs alternated, 2 cores), it imported ~17 %
   * faster but others' edit p99 during the import rose from 8.6–10.7 to 11.2–16.3 ms: the build thread's work then
   * competes with the event loop for the cores the whole time.
   */
  pipeline?: boolean
  /**
   * When others last edited live (collab/liveEdits.ts). While one did within LIVE_WINDOW_MS, an import takes only
   * `liveShare` of the time: before each batch after the first it pauses for the last batch's time × (1 / share − 1),
   * at most MAX_LIVE_PAUSE_MS. Without it (or with a share of 1) an import never pauses.
   */
  liveEdits?: { msSinceLast(): number }
  /**
   * The share of the time an import takes while others edit live (0 < share ≤ 1): default LIVE_SHARE, or the env's
   * IMPORT_LIVE_SHARE.
   */
  liveShare?: number
  /** How a pause waits (default a timer). */
  pause?: (ms: number) => Promise<void>
}

/**
 * An import's share of the time while others edit live (ImportJobsDeps `liveEdits`). An import is background work: the
 * people editing come first, and with nobody editing it runs at full speed. Measured (tests/bench/importAB.ts, 30k
 * contacts while another user edits every 10 ms, 2 cores, 5 + 5 runs alternated): at 0.7 the others' edit p99 during
 * the import was 7.9–11.3 ms (median 8.9) instead of 9.6–11.8 ms (median 10.5), the import 12.7–14.5 s instead of
 * 8.9–10.2 s.
 */
const LIVE_SHARE = 0.7
/** How recent a live edit makes an import give way (ms). */
const LIVE_WINDOW_MS = 1_000
/** The longest pause after one batch (ms): a cancel waits at most this long for it. */
const MAX_LIVE_PAUSE_MS = 1_000

/** How long an import plans against the member ids it read (a member added or removed meanwhile counts after it). */
const MEMBERS_FRESH_MS = 1_000

/** A workspace's view an import plans against: definitions, lookups and the records to match duplicates with. */
class PlanContext {
  readonly fieldMap: Map<string, ImportField>
  /** Links of rows to existing accounts and contacts, looked up per batch (importLinks.ts). */
  private readonly links: ImportLinks
  private existing: Map<string, { id: string; label: string }> | null = null
  private lastKeys = new Map<string, string | null>()
  sla: SlaPolicy | null = null
  /** The workspace's member ids, read at most once per MEMBERS_FRESH_MS (every row checks its owner against them). */
  private members: { at: number; ids: ReadonlySet<string> | undefined } | null = null

  constructor(
    private readonly deps: ImportJobsDeps,
    readonly job: ImportJob,
    readonly settings: ImportSettings,
    readonly customFields: readonly CustomFieldDef[],
    readonly pipelines: readonly Pipeline[],
    readonly fields: readonly ImportField[],
  ) {
    this.fieldMap = new Map(fields.map((f) => [f.key, f]))
    this.links = new ImportLinks(
      Object.values(settings.mapping),
      (kind, rule, keys) => this.deps.index.index.importMatches(job.workspaceId, kind, { on: rule }, keys),
      PREFETCH_KEYS,
      yieldToLoop,
    )
  }

  async load(): Promise<void> {
    await this.deps.index.flush()
    const { kind } = this.job
    this.existing = new Map()
    if (kind === 'tickets') this.sla = await workspaceSla(this.deps.hocuspocus, this.job.workspaceId)
  }

  /**
   * Before a batch is planned: the existing records matching its rows' keys, from the index (`importMatches`: the
   * stored keys of email, domain and name, or the chosen field compared in SQL) — one lookup for the batch, the
   * candidates read at once and kept only where the rule's own key is equal (the same function computed both; this
   * also drops a record archived since). Keys known already (earlier rows of the file, earlier batches) are skipped.
   * The batch's links to accounts and contacts are looked up the same way (importLinks.ts).
   */
  async prefetch(rows: ReadonlyArray<MappedRow>): Promise<void> {
    const inputs = rows.map((mapped) => rowInput(mapped.values))
    await this.links.prefetch(inputs)
    const existing = this.existing
    if (!existing) return
    const { kind, workspaceId } = this.job
    const wanted = new Set<string>()
    for (const input of inputs) {
      const key = matchKey(kind, this.settings.duplicates, input)
      if (key && !existing.has(key)) wanted.add(key)
    }
    if (wanted.size === 0) return
    const ids = new Set<string>()
    const all = [...wanted]
    for (let i = 0; i < all.length; i += PREFETCH_KEYS) {
      if (i > 0) await yieldToLoop()
      for (const match of await this.deps.index.index.importMatches(
        workspaceId,
        kind,
        indexRule(this.settings.duplicates),
        all.slice(i, i + PREFETCH_KEYS),
      ))
        ids.add(match.id)
    }
    // The smallest id first: of two records with one key, the same one as before (and as the index answers).
    const sorted = [...ids].sort()
    for (let i = 0; i < sorted.length; i += MAX_PAGE) {
      for (const { record } of await this.deps.index.index.getMany(
        workspaceId,
        kind,
        sorted.slice(i, i + MAX_PAGE),
      )) {
        if (record.archived === true) continue
        const key = matchKey(kind, this.settings.duplicates, record)
        if (key && wanted.has(key) && !existing.has(key))
          existing.set(key, { id: record.id, label: labelOf(kind, record) })
      }
    }
  }

  /** The key after the column's last card (deals by stage, tickets by status), one after another. */
  async nextKey(column: string): Promise<string> {
    let last = this.lastKeys.get(column)
    if (last === undefined) {
      const { kind, workspaceId } = this.job
      if (kind === 'tickets') {
        const keys = await ticketColumnKeys(this.deps.index, workspaceId, column, '')
        last = keys.length > 0 ? (keys[keys.length - 1] as string) : null
      } else {
        last = null
        await this.scanDealsOfStage(column, (key) => {
          if (last === null || key > (last as string)) last = key
        })
      }
    }
    const key = keyForIndex(last === null ? [] : [last], 1)
    this.lastKeys.set(column, key)
    return key
  }

  private async scanDealsOfStage(stage: string, each: (key: string) => void): Promise<void> {
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await this.deps.index.index.list(this.job.workspaceId, 'deals', {
        filters: { stage },
        offset,
        limit: MAX_PAGE,
        archived: 'false',
      })
      for (const r of page.items) {
        const key = (r.position as { key?: unknown } | undefined)?.key
        if (typeof key === 'string') each(key)
      }
      offset = page.nextOffset
    }
  }

  /**
   * The member ids owners are checked against: listing them (memberships filtered and sorted by name) per row was
   * ~10 % of the main thread's time in the slowest probe rounds of an import (tests/bench/importTail.ts).
   */
  private memberIds(): ReadonlySet<string> | undefined {
    const at = performance.now()
    if (!this.members || at - this.members.at > MEMBERS_FRESH_MS)
      this.members = { at, ids: this.deps.memberIds?.(this.job.workspaceId) }
    return this.members.ids
  }

  /**
   * Plans one row (its cells mapped: `mapRow`): what to write, or why it fails / is skipped. Rows planned to be
   * created join the matches.
   */
  plan(row: number, mapped: MappedRow, idFor: (row: number) => string): Planned {
    const { kind } = this.job
    const values = mapped.values
    const errors = [...mapped.errors]
    const input: Record<string, unknown> = {}
    const customFields: Record<string, CustomFieldValue> = {}
    for (const [key, value] of Object.entries(values)) {
      if (key.startsWith('cf.')) customFields[key.slice(3)] = value
      else input[key] = value
    }
    // Lookups by name.
    if (kind === 'contacts' || kind === 'deals' || kind === 'tickets') {
      const name = input.accountName
      const domain = input.accountDomain
      delete input.accountName
      delete input.accountDomain
      if (typeof name === 'string' || typeof domain === 'string') {
        const id =
          (typeof domain === 'string' ? this.links.idOf('accountDomain', domain) : undefined) ??
          (typeof name === 'string' ? this.links.idOf('accountName', name) : undefined)
        if (id) input.accountId = id
        else
          errors.push({
            field: typeof name === 'string' ? 'accountName' : 'accountDomain',
            message: `No account ${typeof name === 'string' ? `named "${name}"` : `with the domain "${domain}"`} exists; create it first or import accounts before ${kind}.`,
          })
      }
    }
    if (kind === 'tickets' && typeof input.contactEmail === 'string') {
      const email = input.contactEmail
      delete input.contactEmail
      const id = this.links.idOf('contactEmail', email)
      if (id) input.contactId = id
      else errors.push({ field: 'contactEmail', message: `No contact has the email "${email}".` })
    }
    let stages: Pipeline['stages'] | undefined
    let column: string | undefined
    if (kind === 'deals') {
      const pipelineName = input.pipeline
      const stageName = input.stage
      delete input.pipeline
      delete input.stage
      const open = this.pipelines.filter((p) => !p.archived)
      const pipeline =
        typeof pipelineName === 'string'
          ? this.pipelines.find((p) => lower(p.name) === lower(pipelineName))
          : open[0]
      if (!pipeline) {
        errors.push({
          field: 'pipeline',
          message:
            typeof pipelineName === 'string'
              ? `There is no pipeline named "${pipelineName}".`
              : 'The workspace has no pipeline to put deals in.',
        })
      } else {
        const stage =
          typeof stageName === 'string'
            ? pipeline.stages.find((s) => lower(s.name) === lower(stageName))
            : pipeline.stages[0]
        if (!stage)
          errors.push({
            field: 'stage',
            message: `The pipeline ${pipeline.name} has no stage named "${String(stageName)}".`,
          })
        else {
          input.pipelineId = pipeline.id
          input.stageId = stage.id
          stages = pipeline.stages
          column = stage.id
        }
      }
    }
    if (kind === 'tickets') column = typeof input.status === 'string' ? input.status : 'new'
    if (Object.keys(customFields).length > 0) input.customFields = customFields
    const failed = (): Planned => ({ row, action: 'fail', values, errors, duplicateOf: null })
    // Duplicates: of a record in the workspace, or of an earlier row of this file.
    const key = matchKey(kind, this.settings.duplicates, input)
    const found = key ? (this.existing?.get(key) ?? null) : null
    // This row's own record, written before a crash (a resume): created once, counted as created, not a duplicate.
    const duplicateOf = found && found.id !== idFor(row) ? found : null
    if (duplicateOf && this.settings.duplicates.policy !== 'create') {
      if (this.settings.duplicates.policy === 'skip') {
        if (errors.length > 0) return { ...failed(), duplicateOf }
        return { row, action: 'skip', values, errors, duplicateOf }
      }
      // update: only the fields the row gives.
      const patch = { ...input }
      delete patch.pipelineId
      delete patch.stageId
      delete patch.status
      errors.push(...validatePatch(kind, patch, PATCH_SCHEMA[kind], this.customFields, this.memberIds()))
      if (errors.length > 0) return { ...failed(), duplicateOf }
      return { row, action: 'update', values, errors, duplicateOf, input: patch, id: duplicateOf.id }
    }
    const checked = validateCreate(kind, input, this.customFields, this.memberIds())
    errors.push(...checked.errors)
    if (errors.length > 0) return { ...failed(), duplicateOf }
    const id = idFor(row)
    if (key && !this.existing?.has(key)) this.existing?.set(key, { id, label: labelOf(kind, input) })
    return { row, action: 'create', values, errors, duplicateOf, input: { ...input, id }, id, stages, column }
  }
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  })
  await Promise.all(workers)
}

/** The import's yield: one slice of its work per event-loop turn (importTurns.ts). */
const yieldToLoop = nextImportTurn

/**
 * CSV import jobs: uploads, previews, the server-side job (batches of rows written through the model's commands,
 * yielding to the event loop between batches), cancel, resume after a restart, failed rows, undo. Every job lives in
 * `<dataDir>/imports/<id>/` (`job.json`, `upload.csv`, `log.jsonl`).
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>()
  private readonly cancelRequested = new Set<string>()
  private readonly running = new Map<string, Promise<void>>()
  private readonly root: string
  private readonly now: () => number
  private closed = false

  /** What the bulk path writes with (null: every create goes through Hocuspocus). */
  private readonly bulkDeps: BulkWriteDeps | null
  /** Where the bulk path's documents are built (a worker thread, DocumentBuilder.ts). */
  private readonly builder: DocumentBuilder
  /** A bulk batch is prepared while the one before is committed (ImportJobsDeps `pipeline`). */
  private readonly pipelined: boolean
  /** The share of the time an import takes while others edit live (ImportJobsDeps `liveShare`). */
  private readonly liveShare: number

  private constructor(private readonly deps: ImportJobsDeps) {
    this.root = join(deps.dataDir, 'imports')
    this.now = deps.now ?? Date.now
    // IMPORT_BUILD_THREAD=0: on the main thread (an A/B switch for measuring).
    this.builder = new DocumentBuilder(deps.buildThread ?? process.env.IMPORT_BUILD_THREAD !== '0')
    // IMPORT_PIPELINE=1: the next batch prepared while one is written (an A/B switch for measuring).
    this.pipelined = deps.pipeline ?? process.env.IMPORT_PIPELINE === '1'
    const share = deps.liveShare ?? Number(process.env.IMPORT_LIVE_SHARE ?? LIVE_SHARE)
    this.liveShare = Number.isFinite(share) && share > 0 && share <= 1 ? share : LIVE_SHARE
    const { store } = deps
    const enqueueWritten = deps.index.enqueueWritten?.bind(deps.index)
    this.bulkDeps =
      store && enqueueWritten
        ? {
            store,
            index: {
              enqueueWritten,
              flush: (timeoutMs?: number) => deps.index.flush(timeoutMs),
              bulkCrashes: () => deps.index.stats?.().bulkCrashes ?? 0,
            },
            hocuspocus: deps.hocuspocus,
            now: this.now,
          }
        : null
  }

  /** Loads every import; one that was running when the server stopped is now `interrupted` (counts kept). */
  static async open(deps: ImportJobsDeps): Promise<ImportJobs> {
    const jobs = new ImportJobs(deps)
    await mkdir(jobs.root, { recursive: true })
    for (const id of await readdir(jobs.root)) {
      const file = join(jobs.root, id, 'job.json')
      if (!existsSync(file)) continue
      try {
        const job = JSON.parse(await readFile(file, 'utf8')) as ImportJob
        if (job.status === 'running') {
          job.status = 'interrupted'
          job.error = `The server stopped during the import after row ${job.lastRow}; resume it to import the rest.`
          await jobs.save(job)
          deps.logger.warn('import interrupted by a restart', { id, lastRow: job.lastRow })
        }
        if (job.undo?.state === 'running') {
          job.undo = {
            ...job.undo,
            state: 'done',
            message: 'The server stopped during the undo; undo again to finish it.',
          }
          await jobs.save(job)
        }
        jobs.jobs.set(job.id, job)
      } catch (error) {
        deps.logger.error('unreadable import job', { id, error })
      }
    }
    return jobs
  }

  dir(id: string): string {
    return join(this.root, id)
  }
  filePath(id: string): string {
    return join(this.root, id, 'upload.csv')
  }

  newId(): string {
    return `imp_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`
  }

  async add(job: ImportJob): Promise<void> {
    this.jobs.set(job.id, job)
    await this.save(job)
  }

  get(workspaceId: string, id: string): ImportJob | null {
    const job = this.jobs.get(id)
    return job && job.workspaceId === workspaceId ? job : null
  }

  list(workspaceId: string): ImportJob[] {
    return [...this.jobs.values()]
      .filter((j) => j.workspaceId === workspaceId)
      .sort((a, b) => b.uploadedAt - a.uploadedAt || (a.id < b.id ? 1 : -1))
  }

  private async save(job: ImportJob): Promise<void> {
    const dir = this.dir(job.id)
    await mkdir(dir, { recursive: true })
    const tmp = join(dir, 'job.json.tmp')
    await writeFile(tmp, JSON.stringify(job))
    await rename(tmp, join(dir, 'job.json'))
  }

  private async appendLog(id: string, lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return
    await appendFile(join(this.dir(id), 'log.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  }

  async readLog(id: string): Promise<LogLine[]> {
    const file = join(this.dir(id), 'log.jsonl')
    if (!existsSync(file)) return []
    const lines: LogLine[] = []
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue
      try {
        lines.push(JSON.parse(line) as LogLine)
      } catch {
        // A line cut by a crash: its batch was not committed (the job's lastRow is before it) and is redone.
      }
    }
    return lines
  }

  async fieldsOf(workspaceId: string, kind: ImportKind): Promise<ImportField[]> {
    const settings = await readWorkspaceSettings(this.deps.hocuspocus, workspaceId)
    return importFields(kind, settings.customFields)
  }

  private async context(job: ImportJob, settings: ImportSettings): Promise<PlanContext> {
    const ws = await readWorkspaceSettings(this.deps.hocuspocus, job.workspaceId)
    const fields = importFields(job.kind, ws.customFields)
    checkSettings(job.kind, settings, fields)
    const context = new PlanContext(this.deps, job, settings, ws.customFields, ws.pipelines, fields)
    await context.load()
    return context
  }

  private recordId(job: ImportJob, row: number): string {
    return `${ID_PREFIX[job.kind]}_${job.id.slice(4)}_${row.toString(36)}`
  }

  /** The first 50 rows as the job would see them (nothing is written). */
  async preview(job: ImportJob, settings: ImportSettings): Promise<PreviewRow[]> {
    const context = await this.context(job, settings)
    const rows: PreviewRow[] = []
    let row = 0
    try {
      const read: MappedRow[] = []
      for await (const cells of csvRecords(this.filePath(job.id), job.separator)) {
        if (row++ === 0) continue
        read.push(mapRow(context.fieldMap, settings.mapping, rowObject(job.columns, cells)))
        if (read.length >= PREVIEW_ROWS) break
      }
      await context.prefetch(read)
      for (const [i, mapped] of read.entries()) {
        const planned = context.plan(i + 1, mapped, (r) => this.recordId(job, r))
        rows.push({
          row: i + 1,
          values: planned.values,
          errors: planned.errors,
          duplicateOf: planned.duplicateOf,
        })
      }
    } catch (error) {
      throw badRequest(csvProblem(error), 'invalid_input')
    }
    return rows
  }

  /** Starts (or resumes after `job.lastRow`) the job in the background. */
  async start(job: ImportJob, settings: ImportSettings, actor: Actor): Promise<void> {
    const context = await this.context(job, settings)
    // A job started before (interrupted, cancelled) may have written part of the batch it was in.
    const resumed = job.startedAt !== null
    job.settings = settings
    job.status = 'running'
    job.startedAt ??= this.now()
    job.finishedAt = null
    delete job.error
    job.total = job.rowCount
    await this.save(job)
    // The index's bulk thread loads while the first batch is read and planned.
    if (this.bulkDeps && BULK_KINDS.has(job.kind)) {
      this.deps.index.index.prepareBulk?.()
      this.builder.warm()
    }
    const run = this.run(job, context, actor, resumed)
      .catch(async (error: unknown) => {
        this.deps.logger.error('import failed', { id: job.id, error })
        job.status = 'failed'
        job.error = csvProblem(error)
        job.finishedAt = this.now()
        await this.save(job).catch(() => {})
      })
      .finally(() => this.running.delete(job.id))
    this.running.set(job.id, run)
  }

  cancel(job: ImportJob): void {
    if (job.status === 'running') this.cancelRequested.add(job.id)
  }

  /** Resolves when the job's run (if any) ended. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)
  }

  /**
   * Before the next batch, after one that took `tookMs`: while others edit live, pauses so the import takes
   * `liveShare` of the time (ImportJobsDeps `liveEdits`).
   */
  private async giveWayToLiveEdits(tookMs: number): Promise<void> {
    const { liveEdits } = this.deps
    if (!liveEdits || this.liveShare >= 1 || liveEdits.msSinceLast() >= LIVE_WINDOW_MS) return
    const ms = Math.min(MAX_LIVE_PAUSE_MS, Math.round(tookMs * (1 / this.liveShare - 1)))
    if (ms <= 0) return
    await (this.deps.pause ?? ((wait) => new Promise<void>((resolve) => setTimeout(resolve, wait))))(ms)
  }

  private async run(job: ImportJob, context: PlanContext, actor: Actor, resumed: boolean): Promise<void> {
    let batch: Planned[] = []
    // After a resume, the first batch goes through Hocuspocus: a record of it created before the stop is found
    // there (a `conflict`) and counted once. Later batches are new and may take the bulk path.
    let bulk = !resumed
    const bulkKind = this.bulkDeps !== null && BULK_KINDS.has(job.kind)
    const batchRows = bulkKind ? BULK_BATCH_ROWS : BATCH_ROWS
    const stopRequested = () => this.cancelRequested.has(job.id) || this.closed
    // On the bulk path a batch is written while the next one is read, planned and built (ImportJobsDeps
    // `pipeline`): one batch in flight at most, batches committed in file order.
    const pipelined = bulkKind && this.pipelined
    const inFlight: { commit: Promise<void> | null } = { commit: null }
    const drain = async (): Promise<void> => {
      const { commit } = inFlight
      inFlight.commit = null
      await commit
    }
    // What the last batch took (read, plan, build, write; not the pause before it): the next one first gives way
    // to others' live edits for a share of it — not after the last batch, whose end is the import's.
    const lastBatch = { endedAt: performance.now(), took: 0, paused: 0 }
    const flush = async (): Promise<boolean> => {
      if (lastBatch.took > 0) {
        const pauseStarted = performance.now()
        await this.giveWayToLiveEdits(lastBatch.took)
        lastBatch.paused = performance.now() - pauseStarted
      }
      const planned = batch
      batch = []
      const preparing = this.prepareBatch(job, context, planned, actor, bulk)
      bulk = true
      // Not an unhandled rejection while the previous batch's commit is awaited.
      preparing.catch(() => {})
      await drain()
      if (stopRequested()) {
        // Cancelled or closing: this batch was planned and maybe built, nothing of it written.
        await preparing.catch(() => {})
        return true
      }
      const commit = preparing.then((prepared) => this.commitBatch(job, context, actor, prepared))
      if (pipelined) {
        commit.catch(() => {})
        inFlight.commit = commit
      } else await commit
      const ended = performance.now()
      lastBatch.took = ended - lastBatch.endedAt - lastBatch.paused
      lastBatch.endedAt = ended
      lastBatch.paused = 0
      await yieldToLoop()
      return stopRequested()
    }
    let stopped = false
    // Rows are read and mapped (mappedRows.ts) a batch at a time, their duplicates looked up together, then planned
    // in file order.
    let read: MappedCsvRow[] = []
    const planRead = async (): Promise<void> => {
      await context.prefetch(read)
      for (const [i, r] of read.entries()) {
        if (i > 0 && i % BUILD_SLICE === 0) await yieldToLoop()
        batch.push(context.plan(r.row, r, (n) => this.recordId(job, n)))
      }
      read = []
    }
    const rows = new MappedRows(
      {
        path: this.filePath(job.id),
        separator: job.separator,
        columns: job.columns,
        afterRow: job.lastRow,
        fields: [...context.fields],
        mapping: context.settings.mapping,
      },
      this.deps.csvThread ?? process.env.IMPORT_CSV_THREAD !== '0',
      // A batch is whole chunks (its rows end where the batch does, as they did before the thread).
      Math.min(CHUNK_ROWS, batchRows),
    )
    try {
      for (let done = false; !done; ) {
        const chunk = await rows.next()
        done = chunk.done
        for (const r of chunk.rows) read.push(r)
        if (read.length < batchRows) continue
        await planRead()
        if (await flush()) {
          stopped = true
          break
        }
      }
      if (!stopped && read.length > 0) await planRead()
      if (!stopped && batch.length > 0) stopped = await flush()
      await drain()
      // A cancel that came while the last batch was written.
      if (!stopped) stopped = stopRequested()
    } finally {
      // A read that failed: the batch being written still ends (or fails) before the job does.
      await inFlight.commit?.catch(() => {})
      await rows.close()
    }
    if (this.closed && !this.cancelRequested.has(job.id)) return // stays running on disk → interrupted at start
    // Lists read after the status says `done` show every record written.
    await this.deps.index.flush()
    job.status = stopped ? 'cancelled' : 'done'
    if (!stopped) job.total = job.processed
    job.finishedAt = this.now()
    this.cancelRequested.delete(job.id)
    await this.save(job)
  }

  /**
   * Readies one planned batch for its commit: the column keys of its creates, taken in row order, and on the bulk
   * path its new documents, built in the build thread. Writes nothing: a batch prepared and then dropped (cancel,
   * close) leaves no trace.
   */
  private async prepareBatch(
    job: ImportJob,
    context: PlanContext,
    batch: Planned[],
    actor: Actor,
    bulk: boolean,
  ): Promise<PreparedBatch> {
    const outcomes = new Map<number, LogLine | 'skip'>()
    let writes = batch.filter((p) => p.action === 'create' || p.action === 'update')
    // Column keys are taken in row order before the writes run at once.
    const keys = new Map<number, string>()
    for (const p of writes)
      if (p.action === 'create' && p.column !== undefined) keys.set(p.row, await context.nextKey(p.column))
    const built: BuiltDocument[] = []
    if (bulk && this.bulkDeps && BULK_KINDS.has(job.kind)) {
      const creates = writes.filter((p) => p.action === 'create')
      writes = writes.filter((p) => p.action !== 'create')
      // Built in the build thread (DocumentBuilder.ts), the same model command as `createCommand`'s.
      const requests: BuildRequest[] = creates.map((p) => {
        const id = p.id as string
        return {
          kind: job.kind as BuildRequest['kind'],
          name: docName(recordRef(job.workspaceId, job.kind, id)),
          id,
          input: p.input as Record<string, unknown>,
          at: this.now(),
        }
      })
      for (const [i, outcome] of (await this.builder.build(actor, requests)).entries()) {
        const p = creates[i] as Planned
        if (outcome.ok) {
          built.push(outcome.built)
          outcomes.set(p.row, { t: 'c', row: p.row, id: p.id as string })
          continue
        }
        const reason = outcome.model ? outcome.message : 'The record could not be written.'
        if (!outcome.model)
          this.deps.logger.error('import row failed', {
            id: job.id,
            row: p.row,
            error: outcome.error ?? outcome.message,
          })
        outcomes.set(p.row, { t: 'f', row: p.row, reason })
      }
    }
    return { batch, outcomes, writes, keys, built }
  }

  /**
   * Writes one prepared batch (the bulk path's documents, the other rows a few at once), then logs its outcomes and
   * commits `lastRow` and the counts. Batches are committed one after another, in file order.
   */
  private async commitBatch(
    job: ImportJob,
    context: PlanContext,
    actor: Actor,
    prepared: PreparedBatch,
  ): Promise<void> {
    const { batch, outcomes, writes, keys, built } = prepared
    const lines: LogLine[] = []
    if (this.bulkDeps) await writeBuiltDocuments(this.bulkDeps, job.workspaceId, built, actor)
    await eachLimited(writes, WRITE_CONCURRENCY, async (p) => {
      try {
        if (p.action === 'create') {
          await this.create(job, context, p, keys.get(p.row), actor)
          outcomes.set(p.row, { t: 'c', row: p.row, id: p.id as string })
        } else {
          const change = await this.update(job, p, actor)
          outcomes.set(p.row, change ? { t: 'u', row: p.row, id: p.id as string, ...change } : 'skip')
        }
      } catch (error) {
        if (p.action === 'create' && isModelError(error) && error.code === 'conflict') {
          // Created before a crash (the record exists under the row's id): not created twice.
          outcomes.set(p.row, { t: 'c', row: p.row, id: p.id as string })
          return
        }
        const reason = isModelError(error) ? error.message : 'The record could not be written.'
        if (!isModelError(error))
          this.deps.logger.error('import row failed', { id: job.id, row: p.row, error })
        outcomes.set(p.row, { t: 'f', row: p.row, reason })
      }
    })
    // The counts the job reports move only once the batch's outcomes are on disk (log and job file): a restart never
    // shows fewer than a status read before it, whatever the batch size.
    const counts = {
      processed: job.processed,
      created: job.created,
      updated: job.updated,
      skipped: job.skipped,
      failed: job.failed,
      lastRow: job.lastRow,
    }
    for (const p of batch) {
      counts.processed++
      if (p.action === 'skip') {
        counts.skipped++
        continue
      }
      if (p.action === 'fail') {
        counts.failed++
        lines.push({ t: 'f', row: p.row, reason: p.errors.map((e) => e.message).join(' ') })
        continue
      }
      const outcome = outcomes.get(p.row)
      if (outcome === 'skip' || outcome === undefined) counts.skipped++
      else {
        lines.push(outcome)
        if (outcome.t === 'c') counts.created++
        else if (outcome.t === 'u') counts.updated++
        else counts.failed++
      }
    }
    // Back-pressure: the next batch waits until the record index holds this one, so the index (lists, search, the
    // change feed others read) never falls behind by more than a batch, and `done` means every record is listed.
    await this.deps.index.flush()
    const last = batch[batch.length - 1]
    if (last) counts.lastRow = last.row
    await this.appendLog(job.id, lines)
    await this.save({ ...job, ...counts })
    Object.assign(job, counts)
  }

  private async create(
    job: ImportJob,
    context: PlanContext,
    p: Planned,
    key: string | undefined,
    actor: Actor,
  ): Promise<void> {
    const name = docName(recordRef(job.workspaceId, job.kind, p.id as string))
    await writeDocument(this.deps.hocuspocus, name, 'rest', actor, createCommand(job.kind, context, p, key))
  }

  /** Updates an existing record with the row's fields; returns the values before and after (null: nothing changed). */
  private async update(
    job: ImportJob,
    p: Planned,
    actor: Actor,
  ): Promise<{ prev: Record<string, unknown>; next: Record<string, unknown> } | null> {
    const id = p.id as string
    const located = await this.deps.index.index.get(job.workspaceId, job.kind, id).catch(() => null)
    const ref = (located?.doc ? parseDocName(located.doc) : null) ?? recordRef(job.workspaceId, job.kind, id)
    const patch = p.input as Record<string, unknown>
    return writeDocument(this.deps.hocuspocus, docName(ref), 'rest', actor, (doc, origin) => {
      const collection = COLLECTION[job.kind]
      const current = readRecord(collectionMap(doc, collection), id, collection.schema) as Record<
        string,
        unknown
      > | null
      if (!current) return null
      const prev: Record<string, unknown> = {}
      const next: Record<string, unknown> = {}
      const changed: Record<string, unknown> = {}
      for (const [field, value] of Object.entries(patch)) {
        if (field === 'customFields') {
          const stored = (current.customFields ?? {}) as Record<string, unknown>
          const cf: Record<string, unknown> = {}
          for (const [fieldId, v] of Object.entries(value as Record<string, unknown>)) {
            if (jsonEqual(stored[fieldId] ?? null, v)) continue
            prev[`cf.${fieldId}`] = stored[fieldId] ?? null
            next[`cf.${fieldId}`] = v
            cf[fieldId] = v
          }
          if (Object.keys(cf).length > 0) changed.customFields = cf
        } else if (!jsonEqual(current[field] ?? null, value)) {
          prev[field] = current[field] ?? null
          next[field] = value
          changed[field] = value
        }
      }
      if (Object.keys(changed).length === 0) return null
      applyUpdate(job.kind, doc, id, changed, origin)
      return { prev, next }
    })
  }

  /** The failed rows as CSV: the original columns and `reason`, in file order. */
  async *failedCsv(job: ImportJob): AsyncGenerator<string> {
    const reasons = new Map<number, string>()
    for (const line of await this.readLog(job.id))
      if (line.t === 'f' && !reasons.has(line.row)) reasons.set(line.row, line.reason)
    yield `${[...job.columns, 'reason'].map(csvCell).join(',')}\r\n`
    if (reasons.size === 0) return
    let row = 0
    for await (const cells of csvRecords(this.filePath(job.id), job.separator)) {
      if (row++ === 0) continue
      const reason = reasons.get(row - 1)
      if (reason === undefined) continue
      const padded = job.columns.map((_, i) => cells[i] ?? '')
      yield `${[...padded, reason].map(csvCell).join(',')}\r\n`
    }
  }

  /**
   * Undoes the import in the background: its created records are archived, and each field it updated gets its value
   * from before the import back — only where the field still holds the imported value (someone changed it since:
   * it is kept and counted in `undo.kept`).
   */
  async undo(job: ImportJob, actor: Actor): Promise<void> {
    job.undo = { state: 'running', archived: 0, reverted: 0, kept: 0 }
    await this.save(job)
    const work = (async () => {
      const log = await this.readLog(job.id)
      const created = [...new Set(log.filter((l) => l.t === 'c').map((l) => (l as { id: string }).id))]
      const updates = new Map<number, Extract<LogLine, { t: 'u' }>>()
      for (const line of log) if (line.t === 'u' && !updates.has(line.row)) updates.set(line.row, line)
      const undo = job.undo as NonNullable<ImportJob['undo']>
      for (let i = 0; i < created.length; i += BATCH_ROWS) {
        await eachLimited(created.slice(i, i + BATCH_ROWS), WRITE_CONCURRENCY, async (id) => {
          const name = docName(recordRef(job.workspaceId, job.kind, id))
          const done = await writeDocument(this.deps.hocuspocus, name, 'rest', actor, (doc, origin) => {
            const map = collectionMap(doc, COLLECTION[job.kind])
            if (!map.has(id)) return false
            archiveRecord(doc, COLLECTION[job.kind], id, origin)
            return true
          }).catch(() => false)
          if (done) undo.archived++
        })
        await this.save(job)
        await yieldToLoop()
      }
      // Later updates first, so a record updated twice ends with its value from before the import.
      for (const line of [...updates.values()].sort((a, b) => b.row - a.row)) {
        const located = await this.deps.index.index.get(job.workspaceId, job.kind, line.id).catch(() => null)
        const ref =
          (located?.doc ? parseDocName(located.doc) : null) ?? recordRef(job.workspaceId, job.kind, line.id)
        const result = await writeDocument(
          this.deps.hocuspocus,
          docName(ref),
          'rest',
          actor,
          (doc, origin) => {
            const collection = COLLECTION[job.kind]
            const current = readRecord(collectionMap(doc, collection), line.id, collection.schema) as Record<
              string,
              unknown
            > | null
            if (!current) return { reverted: 0, kept: Object.keys(line.next).length }
            const patch: Record<string, unknown> = {}
            const cf: Record<string, unknown> = {}
            let kept = 0
            for (const [field, imported] of Object.entries(line.next)) {
              const now = field.startsWith('cf.')
                ? ((current.customFields ?? {}) as Record<string, unknown>)[field.slice(3)]
                : current[field]
              if (!jsonEqual(now ?? null, imported)) {
                kept++
                continue
              }
              if (field.startsWith('cf.')) cf[field.slice(3)] = line.prev[field] ?? null
              else patch[field] = line.prev[field]
            }
            if (Object.keys(cf).length > 0) patch.customFields = cf
            const reverted = Object.keys(line.next).length - kept
            if (reverted > 0) applyUpdate(job.kind, doc, line.id, patch, origin)
            return { reverted, kept }
          },
        ).catch(() => ({ reverted: 0, kept: Object.keys(line.next).length }))
        undo.reverted += result.reverted
        undo.kept += result.kept
      }
      // Lists read after the status says `undone` show it.
      await this.deps.index.flush()
      // The undo's end and the status change at once: a reader between them (the history page polls while an undo
      // runs) saw a settled job still `done` and stopped polling, showing `done` for good (e2e imports.test.ts, on a
      // slow machine where the flush took long enough).
      undo.state = 'done'
      if (undo.kept > 0)
        undo.message = `${undo.kept} updated value${undo.kept === 1 ? ' was' : 's were'} changed by someone after the import and kept.`
      job.status = 'undone'
      await this.save(job)
    })().catch(async (error: unknown) => {
      this.deps.logger.error('import undo failed', { id: job.id, error })
      if (job.undo) {
        job.undo.state = 'done'
        job.undo.message = 'The undo stopped on an error; undo again to finish it.'
      }
      await this.save(job).catch(() => {})
    })
    this.running.set(
      job.id,
      work.finally(() => this.running.delete(job.id)),
    )
  }

  /** Stops running jobs after their current batch (they stay `running` on disk → `interrupted` at the next start). */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.running.values()])
    await this.builder.close()
  }
}

/** The model command creating a planned row's record in its document (the normal and the bulk path run the same). */
function createCommand(
  kind: ImportKind,
  context: PlanContext,
  p: Planned,
  key: string | undefined,
): (doc: Y.Doc, origin: ServerOrigin) => unknown {
  const input = p.input as Record<string, unknown>
  return (doc, origin) => {
    switch (kind) {
      case 'accounts':
        return createAccount(doc, input as Parameters<typeof createAccount>[1], origin)
      case 'contacts':
        return createContact(doc, input as Parameters<typeof createContact>[1], origin)
      case 'deals': {
        doc.transact(() => {
          createDeal(doc, input as Parameters<typeof createDeal>[1], origin, { stages: p.stages ?? [] })
          ;(collectionMap(doc, DEALS).get(p.id as string) as Y.Map<unknown> | undefined)?.set('position', {
            column: p.column,
            key,
          })
        }, origin)
        return null
      }
      case 'tickets': {
        doc.transact(() => {
          createTicket(doc, input as Parameters<typeof createTicket>[1], origin, {
            sla: context.sla ?? undefined,
          } as Parameters<typeof createTicket>[3])
          ;(collectionMap(doc, TICKETS).get(p.id as string) as Y.Map<unknown> | undefined)?.set('position', {
            column: p.column,
            key,
          })
        }, origin)
        return null
      }
    }
  }
}

function applyUpdate(
  kind: ImportKind,
  doc: Y.Doc,
  id: string,
  patch: Record<string, unknown>,
  origin: unknown,
): void {
  switch (kind) {
    case 'accounts':
      updateAccount(doc, id, patch as Parameters<typeof updateAccount>[2], origin)
      return
    case 'contacts':
      updateContact(doc, id, patch as Parameters<typeof updateContact>[2], origin)
      return
    case 'deals':
      updateDeal(doc, id, patch as Parameters<typeof updateDeal>[2], origin)
      return
    case 'tickets':
      updateTicket(doc, id, patch as Parameters<typeof updateTicket>[2], origin)
      return
  }
}

/** A CSV cell as written, quoted when it needs to be (the failed rows go back as they came, to be fixed). */
export function csvCell(value: string): string {
  return /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}
