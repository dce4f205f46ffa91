import { Account, Contact, type CustomFieldDef, Deal, Task, Ticket } from '@rapport/model'
import type { ProjectedRecord } from '../projection/recordKinds.ts'

/** The kinds with a CSV export (`GET /api/<kind>/export.csv`). */
export const EXPORT_KINDS = ['accounts', 'contacts', 'deals', 'tickets', 'tasks'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

const ENTITY: Record<ExportKind, CustomFieldDef['entity'] | null> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
  tasks: null,
}

/** Fields written as ISO 8601 instants (they are epoch milliseconds in the record). */
const INSTANTS = new Set([
  'createdAt',
  'updatedAt',
  'stageEnteredAt',
  'slaDueAt',
  'firstResponseDueAt',
  'dueAt',
])

/**
 * The record fields of a kind, in the model's order: every field of its schema but `customFields`; `position` is
 * written as `stage` (deals) or `status` (tickets, whose column is their status). Tasks add their `accountId`.
 */
function recordColumns(kind: ExportKind): string[] {
  const shape = { accounts: Account, contacts: Contact, deals: Deal, tickets: Ticket, tasks: Task }[kind]
    .shape
  const fields = Object.keys(shape).filter((f) => f !== 'customFields')
  const out: string[] = []
  for (const field of fields) {
    if (field === 'position') out.push(kind === 'deals' ? 'stage' : 'status')
    else if (!(kind === 'tickets' && field === 'status')) out.push(field)
    if (kind === 'contacts' && field === 'accountId') out.push('accountName')
  }
  if (kind === 'tasks') out.splice(1, 0, 'accountId')
  return out
}

export interface CsvLayout {
  header: string[]
  row: (record: ProjectedRecord, extra?: { accountName?: string | null }) => string[]
}

function cellText(field: string, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (INSTANTS.has(field) && typeof value === 'number' && Number.isFinite(value))
    return new Date(value).toISOString()
  if (Array.isArray(value)) return value.map((v) => cellText('', v)).join('; ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The columns of a kind's CSV: its record fields, then one column per custom field of the kind, headed by its label. */
export function csvLayout(kind: ExportKind, customFields: readonly CustomFieldDef[]): CsvLayout {
  const fields = recordColumns(kind)
  const defs = customFields.filter((d) => d.entity === ENTITY[kind])
  const labels = new Map<string, number>()
  const header = [
    ...fields,
    ...defs.map((d) => {
      // Two fields with one label stay two columns: the second is "Label (2)".
      const n = (labels.get(d.label) ?? 0) + 1
      labels.set(d.label, n)
      return n === 1 ? d.label : `${d.label} (${n})`
    }),
  ]
  return {
    header,
    row: (record, extra) => {
      const position = record.position as { column?: unknown } | undefined
      const cells = fields.map((field) => {
        if ((field === 'stage' && kind === 'deals') || (field === 'status' && kind === 'tickets'))
          return cellText(field, position?.column)
        if (field === 'accountName') return cellText(field, extra?.accountName)
        return cellText(field, record[field])
      })
      const custom = (record.customFields ?? {}) as Record<string, unknown>
      for (const def of defs) cells.push(cellText(def.id, custom[def.id]))
      return cells
    },
  }
}
