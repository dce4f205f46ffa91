import { taskDueAt } from '@rapport/model'
import { fieldValue } from '../projection/queryRecords.ts'
import {
  accountIdOf,
  type ProjectedRecord,
  RECORD_KINDS,
  type RecordKind,
} from '../projection/recordKinds.ts'
import { duplicateKeyDdl } from './duplicateKeys.ts'
import { importKeyDdl } from './importKeys.ts'
import { textSortKey } from './textKeys.ts'

/*
 * The tables of the index, written once for both stores. Per record kind one table `rec_<kind>`:
 *   workspace_id, id (primary key together), doc (the document the record lives in), archived (0/1), account_id,
 *   data (the record's JSON text, as given), custom_fields (its `customFields`, binary JSON), updated_at, created_at,
 *   f_<field>: JSON of `fieldValue(record, field)` (NULL when undefined) for the common equality filters — so a
 *     filter is one exact text comparison: `"open"` ≠ `null` ≠ `5` ≠ `true`, as `===` in queryRecords.ts;
 *   s_<field>: the sort value — a number (booleans 0/1), or `textSortKey` of a text — NULL for null/undefined;
 *     `s_accountName` (contacts, deals, tickets) is the `s_name` of the record's account, kept by `apply`,
 *   cf_sort: per custom field its sort value (`customSortJson`), read by a `cf.<fieldId>` sort.
 * Filters on other fields read `data` (exact JSON type + value). Shared tables: search (per store), doc_state, feed,
 * workspace_seq, meta.
 */

export type SortType = 'text' | 'number'

export interface ColumnSpec {
  /** The field as a filter or sort names it (`stage` reads `position.column`, see `fieldValue`). */
  field: string
  filter?: boolean
  sort?: SortType
  /** The value when it is not `fieldValue(record, field)` (internal columns such as a task's due time). */
  value?: (record: ProjectedRecord) => unknown
  /** Not a value of the record itself: `apply` keeps it (the account's name of a contact, deal or ticket). */
  derived?: true
}

const common: ColumnSpec[] = [
  { field: 'createdAt', filter: true, sort: 'number' },
  { field: 'updatedAt', filter: true, sort: 'number' },
  { field: 'ownerId', filter: true },
  { field: 'accountId', filter: true },
]
const text = (field: string, filter = false): ColumnSpec => ({ field, sort: 'text', filter })
/** The name of the record's account (`s_accountName` = that account's `s_name`, NULL without one). */
const accountName: ColumnSpec = { field: 'accountName', sort: 'text', derived: true }

export const COLUMNS: Readonly<Record<RecordKind, readonly ColumnSpec[]>> = {
  accounts: [
    ...common,
    text('name'),
    text('domain'),
    text('industry', true),
    text('city', true),
    text('country', true),
    text('tier', true),
    text('team', true),
    text('size', true),
  ],
  contacts: [
    ...common,
    text('lastName'),
    text('firstName'),
    text('email'),
    text('title'),
    { field: 'score', sort: 'number' },
    text('leadStatus', true),
    text('source', true),
    accountName,
  ],
  deals: [
    ...common,
    text('title'),
    { field: 'amount', sort: 'number' },
    text('expectedCloseDate'),
    { field: 'stageEnteredAt', sort: 'number' },
    { field: 'pipelineId', filter: true },
    { field: 'stage', filter: true },
    text('status', true),
    accountName,
  ],
  tickets: [
    ...common,
    text('subject'),
    text('priority', true),
    { field: 'slaDueAt', sort: 'number' },
    text('status', true),
    accountName,
    { field: 'assigneeId', filter: true },
  ],
  tasks: [
    ...common,
    text('title'),
    { field: 'assigneeId', filter: true },
    { field: 'dealId', filter: true },
    { field: 'contactId', filter: true },
    { field: 'ticketId', filter: true },
    { field: 'done', filter: true },
    { field: 'dueAt', sort: 'number' },
    // When a task is due (`taskDueAt`: dueAt, else the end of dueDate): "My tasks" order and `dueBefore`.
    {
      field: '$due',
      sort: 'number',
      value: (r) => taskDueAt(r as unknown as { dueAt: number | null; dueDate: string | null }),
    },
  ],
}

/**
 * Report columns (issue #13): per kind, the facts the report figures group on or sum (reports/ReportService.ts
 * `factOf`), kept as plain values in `r_<field>` so `reportGroups` reads columns, not the record's JSON. Each value is
 * the fact itself (a default filled in, the board column of a ticket's status), so a group key needs no mapping.
 */
export interface ReportColumnSpec {
  field: string
  type: 'text' | 'number'
  value: (record: Record<string, unknown>) => string | number | null
}
const textOr = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback)
const textOrNull = (v: unknown) => (typeof v === 'string' ? v : null)
const numberOr = (v: unknown, fallback: number | null) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback
const columnOf = (r: Record<string, unknown>) =>
  (r.position as { column?: unknown } | null | undefined)?.column

export const REPORT_COLUMNS: Readonly<Record<RecordKind, readonly ReportColumnSpec[]>> = {
  accounts: [],
  contacts: [],
  deals: [
    {
      field: 'status',
      type: 'text',
      value: (r) => (r.status === 'won' || r.status === 'lost' ? r.status : 'open'),
    },
    { field: 'stage', type: 'text', value: (r) => textOr(columnOf(r), '') },
    { field: 'currency', type: 'text', value: (r) => textOr(r.currency, 'USD') },
    { field: 'amount', type: 'number', value: (r) => numberOr(r.amount, 0) },
    {
      field: 'stageEnteredAt',
      type: 'number',
      value: (r) => numberOr(r.stageEnteredAt, numberOr(r.createdAt, 0)),
    },
    { field: 'expectedCloseDate', type: 'text', value: (r) => textOrNull(r.expectedCloseDate) },
    { field: 'lostReason', type: 'text', value: (r) => textOrNull(r.lostReason) },
    // The JSON array of the deal's contact ids (text ones only): `reportGroups`' `onDeal` expands it.
    {
      field: 'contactIds',
      type: 'text',
      value: (r) =>
        JSON.stringify(Array.isArray(r.contactIds) ? r.contactIds.filter((c) => typeof c === 'string') : []),
    },
  ],
  tickets: [
    { field: 'status', type: 'text', value: (r) => textOr(columnOf(r), 'new') },
    { field: 'priority', type: 'text', value: (r) => textOr(r.priority, 'normal') },
    { field: 'firstResponseAt', type: 'number', value: (r) => numberOr(r.firstResponseAt, null) },
    { field: 'resolvedAt', type: 'number', value: (r) => numberOr(r.resolvedAt, null) },
    { field: 'slaDueAt', type: 'number', value: (r) => numberOr(r.slaDueAt, null) },
    { field: 'csat', type: 'number', value: (r) => numberOr(r.csat, null) },
  ],
  tasks: [],
}
export const reportColumn = (field: string): string => `r_${field}`

/** The columns of the report indexes per kind (after workspace_id, archived; before id). */
const REPORT_INDEXES: Partial<Record<RecordKind, string[][]>> = {
  accounts: [
    ['f_tier', 'f_ownerId', 'created_at'],
    ['f_industry', 'f_ownerId', 'created_at'],
  ],
  contacts: [['f_source', 'f_leadStatus', 'f_ownerId', 'created_at']],
  deals: [
    [
      'r_status',
      'f_pipelineId',
      'f_ownerId',
      'r_currency',
      'r_stage',
      'r_amount',
      'r_stageEnteredAt',
      'created_at',
      'r_expectedCloseDate',
      'f_accountId',
    ],
  ],
  tickets: [
    [
      'r_priority',
      'r_status',
      'f_assigneeId',
      'created_at',
      'f_accountId',
      'r_csat',
      'r_firstResponseAt',
      'r_resolvedAt',
      'r_slaDueAt',
    ],
  ],
}
export const reportSpec = (kind: RecordKind, field: string): ReportColumnSpec | undefined =>
  REPORT_COLUMNS[kind].find((c) => c.field === field)

/** Filter columns that member sorts (`owner`, `assignee`) page by. */
const MEMBER_FIELDS = new Set(['ownerId', 'assigneeId'])

export const tableOf = (kind: RecordKind): string => `rec_${kind}`
export const filterColumn = (field: string): string => `f_${field}`
export const sortColumn = (field: string): string => `s_${field.replace('$', '')}`

export function filterSpec(kind: RecordKind, field: string): ColumnSpec | undefined {
  return COLUMNS[kind].find((c) => c.field === field && c.filter)
}
export function sortSpec(kind: RecordKind, field: string): ColumnSpec | undefined {
  return COLUMNS[kind].find((c) => c.field === field && c.sort)
}

const isPlainObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The stored row of a record (without workspace_id/id/doc). Throws a plain message for a sort field of the wrong type. */
export function rowOf(kind: RecordKind, record: ProjectedRecord, data: string): Record<string, unknown> {
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const row: Record<string, unknown> = {
    archived: record.archived === true ? 1 : 0,
    account_id: accountIdOf(kind, record),
    data,
    // A record's custom-field values alone, binary JSON (the `cf.` filters read only them).
    custom_fields: isPlainObject(record.customFields) ? JSON.stringify(record.customFields) : null,
    cf_sort: customSortJson(record.customFields),
    updated_at: num(record.updatedAt),
    created_at: num(record.createdAt),
  }
  for (const spec of REPORT_COLUMNS[kind])
    row[reportColumn(spec.field)] = spec.value(record as unknown as Record<string, unknown>)
  for (const spec of COLUMNS[kind]) {
    if (spec.derived) continue
    let value = spec.value ? spec.value(record) : fieldValue(record, spec.field)
    if (spec.value && typeof value === 'number' && !Number.isFinite(value)) value = null
    if (spec.filter) row[filterColumn(spec.field)] = value === undefined ? null : JSON.stringify(value)
    if (!spec.sort) continue
    let sortValue: string | number | null = null
    if (value === null || value === undefined) sortValue = null
    else if (spec.sort === 'text' && typeof value === 'string') sortValue = textSortKey(value)
    else if (spec.sort === 'number' && typeof value === 'number' && Number.isFinite(value)) sortValue = value
    else if (spec.sort === 'number' && typeof value === 'boolean') sortValue = value ? 1 : 0
    else {
      throw new Error(
        `${kind} ${record.id}: ${spec.field} must be ${spec.sort === 'text' ? 'text' : 'a number'} or null`,
      )
    }
    row[sortColumn(spec.field)] = sortValue
  }
  return row
}

/**
 * The sort value of one custom-field value: a number as it is, yes/no as 1/0, a text (text, select, date, url,
 * email, member id) as its `textSortKey`, a multi-select as the key of its choices joined by ", " in the order held;
 * `undefined` for an empty value (null, '', no choices), which sorts last. Which of them a sort reads is decided by
 * the field's definition (`customSortType`): a value of the other kind counts as empty.
 */
export function customSortValue(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') return value === '' ? undefined : textSortKey(value)
  if (Array.isArray(value)) {
    const texts = value.filter((v): v is string => typeof v === 'string')
    return texts.length === 0 ? undefined : textSortKey(texts.join(', '))
  }
  return undefined
}

/** The `cf_sort` JSON of a record's custom fields (NULL when it has none with a value). */
export function customSortJson(customFields: unknown): string | null {
  if (!isPlainObject(customFields)) return null
  const out: Record<string, number | string> = {}
  for (const [fieldId, value] of Object.entries(customFields as Record<string, unknown>)) {
    const sortValue = customSortValue(value)
    if (sortValue !== undefined) out[fieldId] = sortValue
  }
  return Object.keys(out).length === 0 ? null : JSON.stringify(out)
}

export interface DialectTypes {
  json: string
  /** Binary JSON (SQLite 3.45+ `jsonb()` blobs, PostgreSQL `jsonb`). */
  jsonb: string
  blob: string
  number: string
  /** A number that may have a fraction (an amount). */
  realNumber: string
  /** Text compared by code point (PostgreSQL: `collate "C"`). */
  key: string
}

/** DDL shared by both stores (each adds its search tables). */
export function commonDdl(t: DialectTypes): string[] {
  const out: string[] = []
  for (const kind of RECORD_KINDS) {
    const table = tableOf(kind)
    const cols = [
      `workspace_id ${t.key} not null`,
      `id ${t.key} not null`,
      `doc ${t.key} not null`,
      'archived smallint not null',
      `account_id ${t.key}`,
      `data ${t.json} not null`,
      `custom_fields ${t.jsonb}`,
      `cf_sort ${t.jsonb}`,
      `updated_at ${t.number}`,
      `created_at ${t.number}`,
    ]
    for (const spec of COLUMNS[kind]) {
      if (spec.filter) cols.push(`"${filterColumn(spec.field)}" ${t.key}`)
      if (spec.sort) cols.push(`"${sortColumn(spec.field)}" ${spec.sort === 'text' ? t.key : t.number}`)
    }
    for (const spec of REPORT_COLUMNS[kind])
      cols.push(`"${reportColumn(spec.field)}" ${spec.type === 'text' ? t.key : t.realNumber}`)
    cols.push('primary key (workspace_id, id)')
    out.push(`create table ${table} (${cols.join(', ')})`)
    out.push(`create index ${table}_doc on ${table} (workspace_id, doc)`)
    out.push(`create index ${table}_account on ${table} (workspace_id, account_id)`)
    for (const spec of COLUMNS[kind]) {
      if (spec.sort === 'text' || spec.field === 'updatedAt') {
        const col = sortColumn(spec.field)
        out.push(`create index ${table}_${col} on ${table} (workspace_id, archived, "${col}", id)`)
      }
      if (spec.filter && MEMBER_FIELDS.has(spec.field)) {
        // A member sort counts the rows per member and reads one member's rows in id order (kyselyRecordIndex.ts
        // memberSortedIds): both straight from this index.
        const col = filterColumn(spec.field)
        out.push(`create index ${table}_${col} on ${table} (workspace_id, archived, "${col}", id)`)
      } else if (spec.filter && spec.field !== 'createdAt' && spec.field !== 'updatedAt') {
        const col = filterColumn(spec.field)
        out.push(`create index ${table}_${col} on ${table} (workspace_id, "${col}")`)
      }
    }
  }
  // Covering indexes of the report queries (kyselyRecordIndex.ts `reportGroups`): a report reads an index, not the
  // rows with their JSON.
  for (const [kind, columns] of Object.entries(REPORT_INDEXES))
    for (const [i, list] of columns.entries())
      out.push(
        `create index ${tableOf(kind as RecordKind)}_report${i} on ${tableOf(kind as RecordKind)} (workspace_id, archived, ${list.map((c) => `"${c}"`).join(', ')}, id)`,
      )
  // The stage funnel joins each stage change to its deal by id: this index answers the join without the rows.
  out.push(
    `create index rec_deals_report_by_id on rec_deals (workspace_id, id, archived, "f_pipelineId", "f_ownerId", created_at, "r_status")`,
  )
  out.push(
    `create table doc_state (doc ${t.key} primary key, state_vector ${t.blob} not null, indexed_at ${t.number} not null)`,
    `create table feed (workspace_id ${t.key} not null, seq ${t.number} not null, kind text not null, id ${t.key} not null,
       op text not null, at ${t.number} not null, primary key (workspace_id, seq))`,
    `create table workspace_seq (workspace_id ${t.key} primary key, seq ${t.number} not null)`,
    'create table meta (key text primary key, value text not null)',
    // Report facts (issue #13): stage history of deals, handoffs and logged activities of account rooms.
    `create table fact_stage (workspace_id ${t.key} not null, deal_id ${t.key} not null, seq ${t.number} not null,
       step ${t.number} not null,
       pipeline_id ${t.key} not null, from_stage ${t.key}, to_stage ${t.key} not null, at ${t.number} not null,
       primary key (workspace_id, deal_id, seq, step))`,
    `create table fact_handoff (workspace_id ${t.key} not null, account_id ${t.key} not null, id ${t.key} not null,
       deal_id ${t.key}, status text not null, from_user ${t.key} not null, to_user ${t.key},
       created_at ${t.number} not null, sent_at ${t.number}, accepted_at ${t.number},
       primary key (workspace_id, account_id, id))`,
    `create table fact_activity (workspace_id ${t.key} not null, account_id ${t.key} not null, id ${t.key} not null,
       type text not null, at ${t.number} not null, actor_id ${t.key}, deal_id ${t.key},
       primary key (workspace_id, account_id, id))`,
  )
  out.push(...duplicateKeyDdl(t))
  out.push(...importKeyDdl(t))
  return out
}
