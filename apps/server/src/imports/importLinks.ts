import { type MatchKind, type MatchRule, ruleKeyOf } from '../recordIndex/importKeys.ts'

/*
 * An import's links to existing records (issue #14: contacts, deals and tickets to an account by `accountDomain` or
 * `accountName`, tickets to a contact by `contactEmail`), resolved per batch of rows through the record index's
 * import keys (`importMatches`, recordIndex/importKeys.ts): the batch's distinct values, as the rule's key
 * (`ruleKeyOf`: a domain compares hosts, a name or an email is trimmed and lower-cased), looked up in one statement
 * of index seeks per PREFETCH_KEYS — never every account or contact of the workspace. Each batch asks afresh, so a
 * record created, renamed or archived while the import runs counts from the next batch on. Several records with the
 * key: the one of smallest id (as for duplicates, docs/schema.md §5.6).
 */

const LINKS = {
  accountDomain: { kind: 'accounts', rule: 'domain', field: 'domain' },
  accountName: { kind: 'accounts', rule: 'name', field: 'name' },
  contactEmail: { kind: 'contacts', rule: 'email', field: 'email' },
} as const satisfies Record<string, { kind: MatchKind; rule: MatchRule; field: string }>

export type LinkField = keyof typeof LINKS
const LINK_FIELDS = Object.keys(LINKS) as LinkField[]

/** The index's lookup of one rule's keys: per key some non-archived record holds, the smallest such id. */
export type KeyLookup = (
  kind: MatchKind,
  rule: MatchRule,
  keys: readonly string[],
) => Promise<Array<{ key: string; id: string }>>

const keyOf = (field: LinkField, value: string): string => {
  const link = LINKS[field]
  return ruleKeyOf(link.kind, link.rule, { [link.field]: value })
}

export class ImportLinks {
  /** The mapped link fields. */
  private readonly fields: readonly LinkField[]
  /** The current batch's answers: per field, key → id (a key no record holds is absent). */
  private found = new Map<LinkField, Map<string, string>>()

  constructor(
    mapped: Iterable<string | null>,
    private readonly lookup: KeyLookup,
    private readonly keysPerLookup: number,
    private readonly pause: () => Promise<void>,
  ) {
    const names = new Set(mapped)
    this.fields = LINK_FIELDS.filter((f) => names.has(f))
  }

  /** Looks up the link values of a batch of rows (mapped inputs), replacing the previous batch's answers. */
  async prefetch(inputs: ReadonlyArray<Readonly<Record<string, unknown>>>): Promise<void> {
    const found = new Map<LinkField, Map<string, string>>()
    let lookups = 0
    for (const field of this.fields) {
      const keys = new Set<string>()
      for (const input of inputs) {
        const value = input[field]
        const key = typeof value === 'string' ? keyOf(field, value) : ''
        if (key !== '') keys.add(key)
      }
      const ids = new Map<string, string>()
      const all = [...keys]
      for (let i = 0; i < all.length; i += this.keysPerLookup) {
        if (lookups++ > 0) await this.pause()
        const { kind, rule } = LINKS[field]
        for (const { key, id } of await this.lookup(kind, rule, all.slice(i, i + this.keysPerLookup)))
          ids.set(key, id)
      }
      found.set(field, ids)
    }
    this.found = found
  }

  /** The id `value` of `field` links to in the current batch, or undefined when no record holds it. */
  idOf(field: LinkField, value: string): string | undefined {
    const key = keyOf(field, value)
    return key === '' ? undefined : this.found.get(field)?.get(key)
  }
}
