import type { ProjectedRecord } from '../projection/recordKinds.ts'
import { type DuplicateKind, duplicateKeysOf, type KeyType } from '../recordIndex/duplicateKeys.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { DuplicateLog } from './DuplicateLog.ts'

/** The words a person reads for each shared key. */
export const EVIDENCE: Record<KeyType, string> = {
  email: 'same email',
  domain: 'same domain',
  name: 'similar name',
  phone: 'same phone',
}
export type Evidence = (typeof EVIDENCE)[KeyType]

/**
 * How much each shared key says "same record", per kind; a pair's score is 1 − Π(1 − weight) over its evidence
 * (two weak signals together beat one), rounded to two decimals. A pair or match is shown from MIN_SCORE up: a
 * contact sharing only its company's email domain with another is a colleague, not a duplicate.
 */
const WEIGHTS: Record<DuplicateKind, Record<KeyType, number>> = {
  contacts: { email: 0.95, phone: 0.6, name: 0.5, domain: 0.2 },
  accounts: { domain: 0.9, name: 0.6, phone: 0.5, email: 0 },
}
export const MIN_SCORE = 0.5
const ORDER: KeyType[] = ['email', 'domain', 'name', 'phone']

export function scoreOf(kind: DuplicateKind, types: readonly KeyType[]): number {
  let miss = 1
  for (const type of types) miss *= 1 - WEIGHTS[kind][type]
  return Math.round((1 - miss) * 100) / 100
}

export const evidenceOf = (types: readonly KeyType[]): Evidence[] =>
  ORDER.filter((t) => types.includes(t)).map((t) => EVIDENCE[t])

/** How a record is named in a warning: an account's name, a contact's full name (else its email). */
export function labelOf(kind: DuplicateKind, record: ProjectedRecord): string {
  if (kind === 'accounts') return String(record.name ?? record.id)
  const name = `${String(record.firstName ?? '')} ${String(record.lastName ?? '')}`.trim()
  return name || String(record.email ?? '') || record.id
}

export interface DuplicateMatch {
  id: string
  label: string
  evidence: Evidence[]
  score: number
}

export type PairSide = ProjectedRecord & { label: string }
export interface DuplicatePair {
  a: PairSide
  b: PairSide
  evidence: Evidence[]
  score: number
}

/** At most this many matches are returned by a check. */
export const MAX_MATCHES = 10

type KeyPair = { a: string; b: string; types: KeyType[] }
/** Workspaces × kinds whose pairs are kept between requests (paging a list does not read every key again). */
const CACHED_PAIR_LISTS = 16

/** Duplicate check (create-time warning) and the pairs list, over the index's duplicate keys. */
export class DuplicateService {
  /** The pairs of a workspace's kind as of the index's feed seq: reused while no record changed. */
  private readonly pairCache = new Map<string, { seq: number; pairs: KeyPair[] }>()

  constructor(
    private readonly worker: Pick<IndexWorker, 'index' | 'flush'>,
    readonly log: DuplicateLog,
  ) {}

  /** Existing non-archived records that look like `record` (fields as a create or import would give them). */
  async check(
    workspaceId: string,
    kind: DuplicateKind,
    record: Record<string, unknown>,
    exceptId?: string,
  ): Promise<DuplicateMatch[]> {
    const keys = duplicateKeysOf(kind, record)
    if (keys.length === 0) return []
    const found = (await this.worker.index.duplicateMatches(workspaceId, kind, keys))
      .filter((m) => m.id !== exceptId)
      .map((m) => ({ ...m, score: scoreOf(kind, m.types) }))
      .filter((m) => m.score >= MIN_SCORE)
      .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1))
      .slice(0, MAX_MATCHES)
    const records = new Map(
      (
        await this.worker.index.getMany(
          workspaceId,
          kind,
          found.map((m) => m.id),
        )
      ).map((r) => [r.id, r.record]),
    )
    return found.flatMap((m) => {
      const existing = records.get(m.id)
      return existing
        ? [{ id: m.id, label: labelOf(kind, existing), evidence: evidenceOf(m.types), score: m.score }]
        : []
    })
  }

  private async keyPairs(workspaceId: string, kind: DuplicateKind): Promise<KeyPair[]> {
    const key = `${workspaceId}\u0000${kind}`
    const seq = await this.worker.index.lastSeq(workspaceId)
    const cached = this.pairCache.get(key)
    if (cached && cached.seq === seq) return cached.pairs
    const pairs = await this.worker.index.duplicatePairs(workspaceId, kind)
    this.pairCache.delete(key)
    this.pairCache.set(key, { seq, pairs })
    while (this.pairCache.size > CACHED_PAIR_LISTS)
      this.pairCache.delete(this.pairCache.keys().next().value as string)
    return pairs
  }

  /** One page of likely pairs, best score first (then by ids), without dismissed pairs. */
  async pairs(
    workspaceId: string,
    kind: DuplicateKind,
    offset: number,
    limit: number,
  ): Promise<{ pairs: DuplicatePair[]; total: number; nextOffset: number | null }> {
    await this.worker.flush()
    const dismissed = this.log.dismissedSet(workspaceId)
    const all = (await this.keyPairs(workspaceId, kind))
      .filter((p) => !dismissed.has(DuplicateLog.pairKey(kind, p.a, p.b)))
      .map((p) => ({ ...p, score: scoreOf(kind, p.types) }))
      .filter((p) => p.score >= MIN_SCORE)
      .sort((x, y) => y.score - x.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1))
    const page = all.slice(offset, offset + limit)
    const ids = [...new Set(page.flatMap((p) => [p.a, p.b]))]
    const records = new Map(
      (await this.worker.index.getMany(workspaceId, kind, ids)).map((r) => [r.id, r.record]),
    )
    const side = (id: string): PairSide | null => {
      const record = records.get(id)
      return record ? { ...record, label: labelOf(kind, record) } : null
    }
    const pairs = page.flatMap((p) => {
      const a = side(p.a)
      const b = side(p.b)
      return a && b ? [{ a, b, evidence: evidenceOf(p.types), score: p.score }] : []
    })
    return { pairs, total: all.length, nextOffset: offset + limit < all.length ? offset + limit : null }
  }
}
