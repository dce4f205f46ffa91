import { Account, COLLECTION, Contact, Deal, type DocRef, Task, Ticket } from '@rapport/model'
import { z } from 'zod'
import type { SearchEntry } from './SearchIndex.ts'

/**
 * The record kinds the projection indexes, and the one place that maps them to model collections and documents.
 * REST paths use the same names (`/api/accounts`, ...).
 */
export const RECORD_KINDS = ['accounts', 'contacts', 'deals', 'tickets', 'tasks'] as const
export type RecordKind = (typeof RECORD_KINDS)[number]

/** A projected record: the schema-parsed record (tasks also carry their `accountId`). */
export type ProjectedRecord = { id: string } & Record<string, unknown>

export interface KindSpec {
  kind: RecordKind
  /** Top-level map name in the document. */
  collection: string
  schema: z.ZodType
  /** Field names the schema knows; anything else in a record map is an unknown field (repaired away). */
  fields: ReadonlySet<string>
}

const spec = (kind: RecordKind, collection: string, schema: z.ZodType): KindSpec => ({
  kind,
  collection,
  schema,
  fields: new Set(schema instanceof z.ZodObject ? Object.keys(schema.shape) : []),
})

export const KIND_SPECS: Readonly<Record<RecordKind, KindSpec>> = {
  accounts: spec('accounts', COLLECTION.accounts, Account),
  contacts: spec('contacts', COLLECTION.contacts, Contact),
  deals: spec('deals', COLLECTION.deals, Deal),
  tickets: spec('tickets', COLLECTION.tickets, Ticket),
  tasks: spec('tasks', COLLECTION.tasks, Task),
}

/** The record kind a document holds (account rooms hold tasks), or null. */
export function kindOfDoc(ref: DocRef): RecordKind | null {
  switch (ref.kind) {
    case 'accounts':
      return 'accounts'
    case 'contact':
      return 'contacts'
    case 'deal':
      return 'deals'
    case 'support':
    case 'ticket':
      return 'tickets'
    case 'account':
      return 'tasks'
    default:
      return null
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '')
const join = (...parts: unknown[]): string => parts.map(str).filter(Boolean).join(' · ')

/** The account a record belongs to (for the timeline and search results). */
export function accountIdOf(kind: RecordKind, record: ProjectedRecord): string | null {
  if (kind === 'accounts') return record.id
  const accountId = record.accountId
  return typeof accountId === 'string' ? accountId : null
}

/** The search entry of a record, or null for kinds that are not searched. */
export function searchEntryOf(kind: RecordKind, r: ProjectedRecord): SearchEntry | null {
  const base = { id: r.id, accountId: accountIdOf(kind, r), body: '' }
  switch (kind) {
    case 'accounts':
      return {
        ...base,
        kind,
        title: str(r.name),
        subtitle: join(r.domain, r.city),
        fields: [r.domain, r.industry, r.city].map(str).join(' '),
      }
    case 'contacts':
      return {
        ...base,
        kind,
        title: `${str(r.firstName)} ${str(r.lastName)}`.trim(),
        subtitle: join(r.title, r.email),
        fields: [r.email, r.title].map(str).join(' '),
      }
    case 'deals':
      return {
        ...base,
        kind,
        title: str(r.title),
        subtitle: typeof r.amount === 'number' ? `${r.amount} ${str(r.currency)}` : '',
        fields: '',
      }
    case 'tickets':
      return {
        ...base,
        kind,
        title: str(r.subject),
        subtitle: join(r.priority, (r.position as { column?: unknown } | undefined)?.column),
        fields: '',
        body: str(r.description),
      }
    default:
      return null
  }
}
