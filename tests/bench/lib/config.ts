/** Bench sizes. `BENCH_QUICK=1` is a short smoke run of every phase; the full run stays under 10 minutes. */
export const QUICK = process.env.BENCH_QUICK === '1'

/**
 * The big workspace. `issue12` (the default): issue #12's size — 50,000 accounts, 100,000 contacts, 20,000 open +
 * 20,000 closed deals in one pipeline, 20,000 tickets, 5,000 notes. `small` (`BENCH_BIG=small`): the earlier size,
 * for a shorter local run (its report goes to docs/benchmarks-small.md).
 */
const BIG_SIZES = {
  small: {
    accounts: 20_000,
    contacts: 50_000,
    deals: 10_000,
    closedDeals: 0,
    tickets: 5_000,
    notes: 2_000,
  },
  issue12: {
    accounts: 50_000,
    contacts: 100_000,
    deals: 20_000,
    closedDeals: 20_000,
    tickets: 20_000,
    notes: 5_000,
  },
} as const
const bigName = process.env.BENCH_BIG ?? 'issue12'
if (!(bigName in BIG_SIZES))
  throw new Error(`BENCH_BIG must be one of ${Object.keys(BIG_SIZES).join(', ')} (got "${bigName}")`)
/** Which big-workspace size runs (`BENCH_BIG`). */
export const BIG_SIZE_NAME = bigName as keyof typeof BIG_SIZES

export const CONFIG = QUICK
  ? {
      latency: [
        { clients: 2, rounds: 30 },
        { clients: 50, rounds: 15 },
        { clients: 200, rounds: 10 },
      ],
      throughputMs: 1_000,
      oneDocWriters: [10],
      manyDocs: 100,
      big: { accounts: 500, contacts: 1_000, deals: 300, closedDeals: 100, tickets: 100, notes: 20 },
      typingMs: 30_000,
      queries: 20,
      browserDeals: 1_000,
      clients: { tabs: 200, rooms: 20, rounds: 40 },
      feedRounds: 20,
      importRows: 10_000,
      importIdleRounds: 50,
    }
  : {
      latency: [
        { clients: 2, rounds: 600 },
        { clients: 50, rounds: 300 },
        { clients: 200, rounds: 120 },
      ],
      throughputMs: 5_000,
      oneDocWriters: [1, 10, 50],
      manyDocs: 100,
      big: BIG_SIZES[BIG_SIZE_NAME],
      // Two 10 s max-debounce windows: a store storm (one store per 2 s debounce, ~10) stays far above the ≤ 4 allowed.
      typingMs: 20_000,
      queries: 300,
      browserDeals: BIG_SIZE_NAME === 'issue12' ? 20_000 : 5_000,
      clients: { tabs: 1_000, rooms: 100, rounds: 300 },
      feedRounds: 200,
      importRows: 100_000,
      importIdleRounds: 600,
    }
