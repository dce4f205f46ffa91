import { sql } from 'kysely'
import type { RecordKind } from '../projection/recordKinds.ts'
import type { DialectTypes } from './indexSchema.ts'
import { type KeyDb as Db, type KeyedChange, replaceKeyRows } from './keyRows.ts'

/*
 * Duplicate keys (issue #14 §4): per non-archived account and contact, the normalized values two records that stand
 * for the same company or person share. Table `dup_keys` (workspace_id, kind, key_type, value, id), written by `apply`
 * in the same transaction as the record's row (`writeDuplicateKeys`), read by the duplicate check and the pairs list
 * (apps/server/src/duplicates/). Computed in JavaScript so SQLite and PostgreSQL hold exactly the same keys.
 *
 * Keys, chosen by measurement (docs/ARCHITECTURE.md "Duplicates"): exact lookups of normalized values answer the
 * create-time check in one indexed read per key (p99 well under 50 ms on the big workspace on both stores), where a
 * trigram similarity would need pg_trgm on PostgreSQL and an FTS5 trigram table on SQLite and scan far more rows.
 *   email  — a contact's email, trimmed and lower-cased;
 *   domain — an account's `domain`, else its `website`'s host (scheme, `www.`, port and path dropped, lower-cased);
 *            a contact's email domain unless it is a public mailbox provider (gmail.com …);
 *   name   — the name's words (accents, case and punctuation dropped; for accounts also legal forms such as Inc,
 *            GmbH, Ltd) in sorted order: "ACME, Inc." = "Acme", "Smith John" = "John Smith". Contacts need a first
 *            AND a last name, accounts a name of at least two letters;
 *   phone  — the last 9 digits of a number of at least 7 digits ("+44 20 7946 0958" = "020 7946 0958").
 */

export type DuplicateKind = 'accounts' | 'contacts'
export const DUPLICATE_KINDS: readonly DuplicateKind[] = ['accounts', 'contacts']
export type KeyType = 'email' | 'domain' | 'name' | 'phone'

export interface DuplicateKey {
  type: KeyType
  value: string
}

export const DUP_TABLE = 'dup_keys'
const MAX_KEY_CHARS = 320

const PUBLIC_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'proton.me',
  'protonmail.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
])

const LEGAL_FORMS = new Set([
  'inc',
  'incorporated',
  'llc',
  'ltd',
  'limited',
  'gmbh',
  'ag',
  'corp',
  'corporation',
  'co',
  'company',
  'plc',
  'sa',
  'sas',
  'sarl',
  'bv',
  'nv',
  'oy',
  'ab',
  'srl',
  'spa',
  'pty',
])

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '')
}

/**
 * The host a domain or web address names: `https://www.Acme.com:443/about` → `acme.com`, `ACME` → `acme` (scheme,
 * user, port, path, `www.` and a final dot dropped, lower-cased), whatever it is; '' when nothing is left. The
 * import's domain rule matches on it (importKeys.ts); `normalizeDomain` keeps only real domain names.
 */
export function domainHost(text: string): string {
  let host = text.trim().toLowerCase()
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
  host = host.split(/[/?#]/)[0] ?? ''
  host = host.replace(/^[^@]*@/, '').replace(/:\d+$/, '')
  return host
    .replace(/^www\./, '')
    .replace(/\.$/, '')
    .trim()
}

/** `https://www.Acme.com:443/about` → `acme.com`; '' when there is no host with a dot. */
export function normalizeDomain(text: string): string {
  const host = domainHost(text)
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : ''
}

export function normalizeEmail(text: string): string {
  const email = text.trim().toLowerCase()
  return /^[^@\s]+@[^@\s]+$/.test(email) ? email : ''
}

export function normalizePhone(text: string): string {
  const digits = text.replace(/\D/g, '')
  return digits.length >= 7 ? digits.slice(-9) : ''
}

export function normalizeName(kind: DuplicateKind, text: string): string {
  let list = words(text)
  if (kind === 'accounts') {
    const kept = list.filter((w) => !LEGAL_FORMS.has(w))
    if (kept.length > 0) list = kept
  }
  return [...new Set(list)].sort().join(' ')
}

/** The duplicate keys of a record as fields (a stored record, or the fields of one about to be created). */
export function duplicateKeysOf(kind: DuplicateKind, record: Record<string, unknown>): DuplicateKey[] {
  const keys: DuplicateKey[] = []
  const add = (type: KeyType, value: string) => {
    if (
      value !== '' &&
      value.length <= MAX_KEY_CHARS &&
      !keys.some((k) => k.type === type && k.value === value)
    )
      keys.push({ type, value })
  }
  if (kind === 'contacts') {
    const email = normalizeEmail(str(record.email))
    add('email', email)
    const domain = email ? normalizeDomain(email.slice(email.indexOf('@') + 1)) : ''
    if (!PUBLIC_MAIL.has(domain)) add('domain', domain)
    const first = str(record.firstName).trim()
    const last = str(record.lastName).trim()
    if (first !== '' && last !== '') add('name', normalizeName(kind, `${first} ${last}`))
  } else {
    add('domain', normalizeDomain(str(record.domain)) || normalizeDomain(str(record.website)))
    const name = normalizeName(kind, str(record.name))
    if (name.replace(/ /g, '').length >= 2) add('name', name)
  }
  add('phone', normalizePhone(str(record.phone)))
  return keys
}

export function duplicateKeyDdl(t: DialectTypes): string[] {
  return [
    `create table ${DUP_TABLE} (workspace_id ${t.key} not null, kind ${t.key} not null, key_type ${t.key} not null,
       value ${t.key} not null, id ${t.key} not null, primary key (workspace_id, kind, key_type, value, id))`,
    `create index ${DUP_TABLE}_record on ${DUP_TABLE} (workspace_id, kind, id)`,
  ]
}

const isDuplicateKind = (kind: RecordKind): kind is DuplicateKind =>
  kind === 'accounts' || kind === 'contacts'

/** Hook of `apply`: the keys of every account and contact the batch changed (archived and removed ones have none). */
export async function writeDuplicateKeys(trx: Db, items: readonly KeyedChange[]): Promise<void> {
  await replaceKeyRows(trx, DUP_TABLE, items, isDuplicateKind, (kind, record) =>
    duplicateKeysOf(kind, record).map((key) => ({ key_type: key.type, value: key.value })),
  )
}

/** A record that shares at least one key with the ones asked for, and which keys. */
export interface KeyMatch {
  id: string
  types: KeyType[]
}

/** At most this many records per key value are read (a switchboard number shared by hundreds is no evidence). */
export const MAX_PER_VALUE = 50

/** Non-archived records of `kind` sharing any of `keys` (each value read through the primary key). */
export async function findByKeys(
  db: Db,
  workspaceId: string,
  kind: DuplicateKind,
  keys: readonly DuplicateKey[],
): Promise<KeyMatch[]> {
  const found = new Map<string, Set<KeyType>>()
  // One read per key, all at once (PostgreSQL runs them on the pool's connections side by side).
  const results = await Promise.all(
    keys.map((key) =>
      db
        .selectFrom(DUP_TABLE)
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind)
        .where('key_type', '=', key.type)
        .where('value', '=', key.value)
        .orderBy('id')
        .limit(MAX_PER_VALUE + 1)
        .execute(),
    ),
  )
  for (const [i, rows] of results.entries()) {
    const key = keys[i] as DuplicateKey
    if (rows.length > MAX_PER_VALUE) continue
    for (const row of rows) {
      const id = String(row.id)
      const types = found.get(id) ?? new Set<KeyType>()
      types.add(key.type)
      found.set(id, types)
    }
  }
  return [...found].map(([id, types]) => ({ id, types: [...types] }))
}

/** Every pair of records of `kind` sharing a key value (values held by 2..MAX_PER_VALUE records), with the types. */
export async function keyPairs(
  db: Db,
  workspaceId: string,
  kind: DuplicateKind,
): Promise<Array<{ a: string; b: string; types: KeyType[] }>> {
  // One read: every key row of the kind with how many records share its value (a window count), kept when shared
  // by 2..MAX_PER_VALUE records, in value order (a join against a grouped subquery took seconds on PostgreSQL).
  const counted = db
    .selectFrom(DUP_TABLE)
    .select(['key_type', 'value', 'id', sql<number>`count(*) over (partition by key_type, value)`.as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
  const rows = await db
    .selectFrom(counted.as('k'))
    .select(['k.key_type', 'k.value', 'k.id'])
    .where('k.n', '>', 1)
    .where('k.n', '<=', MAX_PER_VALUE)
    .orderBy('k.key_type')
    .orderBy('k.value')
    .orderBy('k.id')
    .execute()
  const pairs = new Map<string, { a: string; b: string; types: Set<KeyType> }>()
  let group: string[] = []
  let groupKey = ''
  const flush = (type: KeyType) => {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i] as string
        const b = group[j] as string
        const id = `${a}\u0000${b}`
        const pair = pairs.get(id) ?? { a, b, types: new Set<KeyType>() }
        pair.types.add(type)
        pairs.set(id, pair)
      }
    }
  }
  let lastType: KeyType = 'email'
  for (const row of rows) {
    const key = `${row.key_type}\u0000${row.value}`
    if (key !== groupKey) {
      flush(lastType)
      group = []
      groupKey = key
      lastType = row.key_type as KeyType
    }
    group.push(String(row.id))
  }
  flush(lastType)
  return [...pairs.values()].map((p) => ({ a: p.a, b: p.b, types: [...p.types] }))
}
