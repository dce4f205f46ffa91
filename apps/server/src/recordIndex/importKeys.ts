import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import { domainHost } from './duplicateKeys.ts'
import type { DialectTypes } from './indexSchema.ts'
import { type KeyDb as Db, type KeyColumns, type KeyedChange, replaceKeyRows } from './keyRows.ts'

/*
 * Import match keys (issue #14 §1): the value an import's duplicate rule compares a row with the workspace's records
 * on, computed by ONE function (`ruleKeyOf`) for both sides — the import's rows (imports/ImportJobs.ts) and every
 * stored record (table `import_keys`, written by `apply` in the record's transaction). So a batch of rows is matched
 * by exact, indexed lookups of its keys, and a lookup finds exactly what comparing every record one by one would.
 *   email  — contacts: the email, trimmed and lower-cased;
 *   domain — accounts: the host the domain names (`domainHost`: `https://www.Acme.com/` = `ACME.com` = `acme.com`,
 *            `ACME` = `acme`);
 *   name   — contacts: "first last" (spaces collapsed), accounts: name, deals: title, tickets: subject; trimmed and
 *            lower-cased.
 * A chosen column (any field or custom field) has no stored key: `matchText` of the field's value is an expression
 * index (`IndexFlavor.matchTextSql`: on SQLite this very function, on PostgreSQL lower/btrim) and the candidates it
 * finds are checked again with `matchText` (imports/ImportJobs.ts `prefetch`).
 */

export type MatchKind = 'accounts' | 'contacts' | 'deals' | 'tickets'
export const MATCH_KINDS: readonly MatchKind[] = ['accounts', 'contacts', 'deals', 'tickets']
export type MatchRule = 'email' | 'domain' | 'name'
/** The rules each kind has keys for. */
export const MATCH_RULES: Readonly<Record<MatchKind, readonly MatchRule[]>> = {
  accounts: ['domain', 'name'],
  contacts: ['email', 'name'],
  deals: ['name'],
  tickets: ['name'],
}

export const IMPORT_KEY_TABLE = 'import_keys'
/** Longer keys are stored (and looked up) as `#` + their SHA-256: an index entry stays small, equality stays exact. */
const MAX_KEY_CHARS = 300

/** A value as a rule compares it: text trimmed and lower-cased, numbers and yes/no as text; '' = nothing to match. */
export function matchText(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value === 'string' ? value.trim().toLowerCase() : ''
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** The key of `record` (a stored record, or an import row's input) under `rule`; '' = nothing to match. */
export function ruleKeyOf(kind: MatchKind, rule: MatchRule, record: Record<string, unknown>): string {
  switch (rule) {
    case 'email':
      return kind === 'contacts' ? matchText(text(record.email)) : ''
    case 'domain':
      return kind === 'accounts' ? domainHost(text(record.domain)) : ''
    case 'name':
      switch (kind) {
        case 'contacts':
          return matchText(`${text(record.firstName)} ${text(record.lastName)}`.replace(/\s+/g, ' '))
        case 'accounts':
          return matchText(text(record.name))
        case 'deals':
          return matchText(text(record.title))
        case 'tickets':
          return matchText(text(record.subject))
      }
  }
}

/** A key as stored: itself, or `#<sha256>` when long. */
export function storedKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `#${createHash('sha256').update(key).digest('hex')}`
}

export function importKeyDdl(t: DialectTypes): string[] {
  return [
    `create table ${IMPORT_KEY_TABLE} (workspace_id ${t.key} not null, kind ${t.key} not null, rule ${t.key} not null,
       value ${t.key} not null, id ${t.key} not null, primary key (workspace_id, kind, rule, value, id))`,
    `create index ${IMPORT_KEY_TABLE}_record on ${IMPORT_KEY_TABLE} (workspace_id, kind, id)`,
  ]
}

const isMatchKind = (kind: RecordKind): kind is MatchKind => kind !== 'tasks'

function* matchKeysOf(kind: MatchKind, record: ProjectedRecord): Iterable<KeyColumns> {
  for (const rule of MATCH_RULES[kind]) {
    const key = ruleKeyOf(kind, rule, record)
    if (key !== '') yield { rule, value: storedKey(key) }
  }
}

/** Hook of `apply`: the keys of every account, contact, deal and ticket the batch changed (archived ones have none). */
export async function writeImportKeys(trx: Db, items: readonly KeyedChange[]): Promise<void> {
  await replaceKeyRows(trx, IMPORT_KEY_TABLE, items, isMatchKind, matchKeysOf)
}

/** Per key of `keys` held by a record: the smallest such id (one row per key, however many records share it). */
export async function findByImportKeys(
  db: Db,
  workspaceId: string,
  kind: MatchKind,
  rule: MatchRule,
  keys: readonly string[],
): Promise<Array<{ key: string; id: string }>> {
  const byStored = new Map<string, string[]>()
  for (const key of new Set(keys)) {
    if (key === '') continue
    const stored = storedKey(key)
    byStored.set(stored, [...(byStored.get(stored) ?? []), key])
  }
  const out: Array<{ key: string; id: string }> = []
  const all = [...byStored.keys()]
  for (let i = 0; i < all.length; i += 500) {
    // Per key its smallest id: the first entry of the primary key's (workspace, kind, rule, value) range, one seek
    // each. (A `value in (…) group by value` let PostgreSQL, without statistics of a fresh table, walk every key of
    // the rule in value order and filter: 100 ms for 30k contacts instead of 1 ms.)
    const values = sql.join(all.slice(i, i + 500).map((value) => sql`(${value})`))
    const rows = await sql<{ value: unknown; id: unknown }>`select v.column1 as value,
        (select min(k.id) from ${sql.table(IMPORT_KEY_TABLE)} k where k.workspace_id = ${workspaceId}
          and k.kind = ${kind} and k.rule = ${rule} and k.value = v.column1) as id
      from (values ${values}) v`.execute(db)
    for (const row of rows.rows) {
      if (row.id === null || row.id === undefined) continue
      for (const key of byStored.get(String(row.value)) ?? []) out.push({ key, id: String(row.id) })
    }
  }
  return out
}
