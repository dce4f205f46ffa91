import { Prng } from '@rapport/model'
import { generateNKeysBetween } from 'fractional-indexing'

/**
 * Deterministic rows for the issue #12 prototypes ("Records at real size"): the same vocabulary as
 * `tests/bench/lib/generateWorkspace.ts`, as plain objects so both the Yjs and the index prototypes use them.
 */
export const WORDS = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
  'soylent',
  'hooli',
  'vandelay',
  'massive',
  'dynamic',
  'north',
  'blue',
  'river',
  'summit',
  'harbor',
  'atlas',
  'nova',
  'pixel',
  'quantum',
  'silver',
  'granite',
  'orbit',
  'falcon',
  'cedar',
  'lumen',
  'vertex',
] as const
const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger']
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
]
const INDUSTRIES = ['software', 'retail', 'finance', 'health', 'energy', 'logistics', 'media', 'education']
const CITIES = ['Berlin', 'Paris', 'Lisbon', 'Austin', 'Toronto', 'Osaka', 'Nairobi', 'Sydney']
export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const
export const TIERS = ['strategic', 'growth', 'standard'] as const
export const OPEN_STAGES = ['stg_lead', 'stg_qualified', 'stg_proposal', 'stg_negotiation'] as const
export const CLOSED_STAGES = ['stg_won', 'stg_lost'] as const
export const OWNERS = Array.from({ length: 25 }, (_, i) => `usr_${i}`)
export const NOW = Date.UTC(2026, 0, 15)

export type AccountRow = {
  id: string
  name: string
  domain: string
  industry: string
  tier: (typeof TIERS)[number]
  city: string
  ownerId: string
  updatedAt: number
}
export type ContactRow = {
  id: string
  accountId: string
  firstName: string
  lastName: string
  email: string
  score: number
  leadStatus: (typeof LEAD_STATUSES)[number]
  ownerId: string
  updatedAt: number
}
export type DealRow = {
  id: string
  accountId: string
  title: string
  amount: number
  currency: string
  stageId: string
  key: string
  status: 'open' | 'won' | 'lost'
  ownerId: string
  closedAt: number | null
  updatedAt: number
}

export type Dataset = { accounts: AccountRow[]; contacts: ContactRow[]; deals: DealRow[] }

/** The bigger bench by default: 50k accounts, 100k contacts, 20k open + 20k closed deals. */
export function generateDataset(
  size = { accounts: 50_000, contacts: 100_000, openDeals: 20_000, closedDeals: 20_000 },
  seed = 12,
): Dataset {
  const prng = new Prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[prng.int(xs.length)] as T
  const accounts: AccountRow[] = []
  for (let i = 0; i < size.accounts; i++) {
    accounts.push({
      id: `acc_p${i}`,
      name: `${pick(WORDS)} ${pick(WORDS)} ${i}`,
      domain: `${pick(WORDS)}${i}.example`,
      industry: pick(INDUSTRIES),
      tier: pick(TIERS),
      city: pick(CITIES),
      ownerId: pick(OWNERS),
      updatedAt: NOW - prng.int(86_400_000 * 365),
    })
  }
  const contacts: ContactRow[] = []
  for (let i = 0; i < size.contacts; i++) {
    const first = pick(FIRST)
    const last = pick(LAST)
    contacts.push({
      id: `con_p${i}`,
      accountId: pick(accounts).id,
      firstName: first,
      lastName: last,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      score: prng.int(101),
      leadStatus: pick(LEAD_STATUSES),
      ownerId: pick(OWNERS),
      updatedAt: NOW - prng.int(86_400_000 * 365),
    })
  }
  const deals: DealRow[] = []
  const perStage = Math.ceil(size.openDeals / OPEN_STAGES.length)
  const keys = generateNKeysBetween(null, null, perStage)
  for (let i = 0; i < size.openDeals + size.closedDeals; i++) {
    const open = i < size.openDeals
    const stageId = open ? (OPEN_STAGES[i % OPEN_STAGES.length] as string) : pick(CLOSED_STAGES)
    deals.push({
      id: `deal_p${i}`,
      accountId: pick(accounts).id,
      title: `${pick(WORDS)} renewal ${i}`,
      amount: prng.int(100_000),
      currency: 'EUR',
      stageId,
      key: keys[Math.floor(i / OPEN_STAGES.length) % perStage] as string,
      status: open ? 'open' : stageId === 'stg_won' ? 'won' : 'lost',
      ownerId: pick(OWNERS),
      closedAt: open ? null : NOW - prng.int(86_400_000 * 180),
      updatedAt: NOW - prng.int(86_400_000 * 90),
    })
  }
  return { accounts, contacts, deals }
}

/** Search terms used by the query benchmarks: single words, two words, prefixes. */
export function searchQueries(count: number, seed = 7): string[] {
  const prng = new Prng(seed)
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const a = WORDS[prng.int(WORDS.length)] as string
    const b = WORDS[prng.int(WORDS.length)] as string
    const kind = i % 3
    out.push(kind === 0 ? a : kind === 1 ? `${a} ${b}` : a.slice(0, 3))
  }
  return out
}
