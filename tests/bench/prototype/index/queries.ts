import type { Prng } from '@rapport/model'
import type { Kysely } from 'kysely'
import { LEAD_STATUSES, OPEN_STAGES, searchQueries, TIERS } from '../fixtures.ts'
import { type Flavor, type IndexTables, jsonText, searchIds } from './schema.ts'

/** The list, board and report queries the REST API needs, written once in Kysely for both dialects. */
export type NamedQuery = {
  name: string
  kind: 'list' | 'search' | 'report'
  run: (db: Kysely<IndexTables>, flavor: Flavor, prng: Prng) => Promise<unknown>
}

const PAGE = 50
const REGIONS = ['emea', 'amer', 'apac']
const NAMES = ['lovelace', 'hopper', 'grace turing', 'ada', 'torv']

export const QUERIES: NamedQuery[] = [
  {
    name: 'contacts: first page by name',
    kind: 'list',
    run: (db) =>
      db
        .selectFrom('contacts')
        .selectAll()
        .orderBy('last_name')
        .orderBy('first_name')
        .orderBy('id')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'contacts: status filter, by score desc',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('contacts')
        .selectAll()
        .where('lead_status', '=', LEAD_STATUSES[prng.int(LEAD_STATUSES.length)] as string)
        .orderBy('score', 'desc')
        .orderBy('id', 'desc')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'contacts: status filter, total count',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('lead_status', '=', LEAD_STATUSES[prng.int(LEAD_STATUSES.length)] as string)
        .executeTakeFirst(),
  },
  {
    name: 'contacts: of one account',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('contacts')
        .selectAll()
        .where('account_id', '=', `acc_p${prng.int(50_000)}`)
        .orderBy('last_name')
        .orderBy('id')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'contacts: custom field (JSON) filter',
    kind: 'list',
    run: (db, flavor, prng) =>
      db
        .selectFrom('contacts')
        .selectAll()
        .where(jsonText(flavor, 'data', 'region'), '=', REGIONS[prng.int(REGIONS.length)] as string)
        .orderBy('id')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'accounts: keyset page by name',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('accounts')
        .selectAll()
        .where('name', '>', searchQueries(1, prng.int(1000))[0] as string)
        .orderBy('name')
        .orderBy('id')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'accounts: tier filter, recently updated',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('accounts')
        .selectAll()
        .where('tier', '=', TIERS[prng.int(TIERS.length)] as string)
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'board: one column, first 50 cards',
    kind: 'list',
    run: (db, _f, prng) =>
      db
        .selectFrom('deals')
        .select(['id', 'title', 'amount', 'currency', 'owner_id', 'account_id', 'stage_id', 'key'])
        .where('pipeline_id', '=', 'pip_main')
        .where('status', '=', 'open')
        .where('stage_id', '=', OPEN_STAGES[prng.int(OPEN_STAGES.length)] as string)
        .orderBy('key')
        .orderBy('id')
        .limit(PAGE)
        .execute(),
  },
  {
    name: 'board: column counts and totals (20k open)',
    kind: 'report',
    run: (db) =>
      db
        .selectFrom('deals')
        .select((eb) => [
          'stage_id',
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('amount').as('total'),
        ])
        .where('pipeline_id', '=', 'pip_main')
        .where('status', '=', 'open')
        .groupBy('stage_id')
        .execute(),
  },
  {
    name: 'report: won per owner, last 90 days',
    kind: 'report',
    run: (db) =>
      db
        .selectFrom('deals')
        .select((eb) => [
          'owner_id',
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('amount').as('total'),
        ])
        .where('status', '=', 'won')
        .where('closed_at', '>', Date.UTC(2026, 0, 15) - 90 * 86_400_000)
        .groupBy('owner_id')
        .execute(),
  },
  {
    name: 'search: words / prefixes, top 20',
    kind: 'search',
    run: (db, flavor, prng) => {
      const q = prng.bool(0.3)
        ? (NAMES[prng.int(NAMES.length)] as string)
        : (searchQueries(1, prng.int(1000))[0] as string)
      return searchIds(db, flavor, q, 20)
    },
  },
  {
    name: 'search: same, unranked (newest first)',
    kind: 'search',
    run: (db, flavor, prng) => {
      const q = prng.bool(0.3)
        ? (NAMES[prng.int(NAMES.length)] as string)
        : (searchQueries(1, prng.int(1000))[0] as string)
      return searchIds(db, flavor, q, 20, false)
    },
  },
  {
    name: 'search: rare word (an id-like token), top 20',
    kind: 'search',
    run: (db, flavor, prng) => searchIds(db, flavor, `renewal ${prng.int(40_000)}`, 20),
  },
]
