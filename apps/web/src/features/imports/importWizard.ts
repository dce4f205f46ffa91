import type {
  ColumnMapping,
  DuplicateSettings,
  ImportField,
  ImportJob,
  ImportKind,
  MatchOn,
  PreviewRow,
} from './importApi.ts'

/**
 * The pure state behind the import wizard: the column mapping the user corrects, what stops an import from
 * starting, the preview's errors per cell, and the progress of the running job.
 */

/** The server's suggestion, kept only where it names a field this kind has and no earlier column took it. */
export function initialMapping(
  columns: readonly string[],
  suggested: Readonly<Record<string, string | null>>,
  fields: readonly ImportField[],
): ColumnMapping {
  const known = new Set(fields.map((f) => f.key))
  const taken = new Set<string>()
  const mapping: ColumnMapping = {}
  for (const column of columns) {
    const field = suggested[column] ?? null
    if (field !== null && known.has(field) && !taken.has(field)) {
      mapping[column] = field
      taken.add(field)
    } else mapping[column] = null
  }
  return mapping
}

/** Maps `column` to `field` (or skips it); a field takes one column, so a column that had it is skipped. */
export function mapColumn(mapping: ColumnMapping, column: string, field: string | null): ColumnMapping {
  const next: ColumnMapping = {}
  for (const [c, f] of Object.entries(mapping)) next[c] = field !== null && f === field ? null : f
  next[column] = field
  return next
}

/** The column mapped to `field`, if any. */
export const columnOf = (mapping: ColumnMapping, field: string): string | null =>
  Object.entries(mapping).find(([, f]) => f === field)?.[0] ?? null

/** The match choices that make sense for a kind, in plain words. */
export function matchOptions(kind: ImportKind): { value: MatchOn; label: string }[] {
  const column = { value: 'column' as const, label: 'A column I choose' }
  switch (kind) {
    case 'contacts':
      return [{ value: 'email', label: 'Email' }, { value: 'name', label: 'Name' }, column]
    case 'accounts':
      return [{ value: 'domain', label: 'Domain' }, { value: 'name', label: 'Name' }, column]
    default:
      return [{ value: 'name', label: 'Name' }, column]
  }
}

/** The default duplicate settings for a kind: skip rows that match on the kind's natural key. */
export function defaultDuplicates(kind: ImportKind): DuplicateSettings {
  return { policy: 'skip', matchOn: matchOptions(kind)[0]?.value ?? 'name' }
}

/** Why the import cannot start yet, in plain words (empty when it can). */
export function mappingProblems(
  mapping: ColumnMapping,
  fields: readonly ImportField[],
  duplicates: DuplicateSettings,
): string[] {
  const problems: string[] = []
  const mapped = new Set(Object.values(mapping).filter((f): f is string => f !== null))
  if (mapped.size === 0) problems.push('Map at least one column to a field.')
  for (const field of fields)
    if (field.required && !mapped.has(field.key))
      problems.push(`Choose the column that holds “${field.label}” — every record needs it.`)
  if (duplicates.policy !== 'create' && duplicates.matchOn === 'column') {
    if (!duplicates.column) problems.push('Choose the field to find duplicates by.')
    else if (!mapped.has(duplicates.column)) {
      const label = fields.find((f) => f.key === duplicates.column)?.label ?? duplicates.column
      problems.push(`No column is mapped to “${label}”, so duplicates cannot be found by it.`)
    }
  }
  return problems
}

/** A preview row's error messages by field key (a row-level error without a mapped field goes under `''`). */
export function errorsByField(row: PreviewRow, mapping: ColumnMapping): Map<string, string[]> {
  const mapped = new Set(Object.values(mapping))
  const out = new Map<string, string[]>()
  for (const { field, message } of row.errors) {
    const key = mapped.has(field) ? field : ''
    out.set(key, [...(out.get(key) ?? []), message])
  }
  return out
}

/** Preview counts: rows with errors and rows that match an existing record. */
export function previewSummary(rows: readonly PreviewRow[]): { invalid: number; duplicates: number } {
  let invalid = 0
  let duplicates = 0
  for (const r of rows) {
    if (r.errors.length > 0) invalid++
    if (r.duplicateOf) duplicates++
  }
  return { invalid, duplicates }
}

/** A shown cell value: strings as they are, numbers and booleans written out, nothing as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** Whether a job no longer changes by itself (neither importing nor being undone). */
export const isSettled = (job: Pick<ImportJob, 'status' | 'undo'>): boolean =>
  job.status !== 'running' && job.undo?.state !== 'running'

/** The progress bar: processed of total (total unknown until the file is counted). */
export function progress(job: Pick<ImportJob, 'processed' | 'total' | 'status'>): {
  value: number
  max: number | null
  text: string
} {
  const total = job.total
  if (total === null)
    return { value: job.processed, max: null, text: `${job.processed.toLocaleString('en')} rows` }
  const value = Math.min(job.processed, total)
  return { value, max: total, text: `${value.toLocaleString('en')} of ${total.toLocaleString('en')} rows` }
}

/** What an undo did, in plain words (`null` before any undo). */
export function undoWords(job: Pick<ImportJob, 'undo'>): string | null {
  const undo = job.undo
  if (!undo) return null
  if (undo.state === 'running') return 'Undoing…'
  const parts = [`${undo.archived} created records moved to the trash`, `${undo.reverted} updates reverted`]
  if (undo.kept > 0) parts.push(`${undo.kept} updates kept because someone changed those fields since`)
  return `${parts.join(', ')}.${undo.message ? ` ${undo.message}` : ''}`
}

const STATUS_WORDS: Record<ImportJob['status'], string> = {
  uploaded: 'Not started',
  running: 'Running',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
  undone: 'Undone',
}
export const statusWords = (status: ImportJob['status']): string => STATUS_WORDS[status]

/** What may be done with a job from the history. */
export function jobActions(job: Pick<ImportJob, 'status' | 'created' | 'updated' | 'undo'>): {
  undo: boolean
  resume: boolean
} {
  const finished = ['done', 'cancelled', 'interrupted', 'failed'].includes(job.status)
  return {
    undo: finished && job.created + job.updated > 0 && job.undo?.state !== 'running',
    resume: job.status === 'interrupted',
  }
}
