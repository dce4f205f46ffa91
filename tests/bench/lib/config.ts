/** Bench sizes. `BENCH_QUICK=1` is a short smoke run of every phase; the full run stays under 10 minutes. */
export const QUICK = process.env.BENCH_QUICK === '1'

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
      big: { accounts: 500, contacts: 1_000, deals: 300, tickets: 100, notes: 20 },
      typingMs: 30_000,
      queries: 20,
      browserDeals: 1_000,
      clients: { tabs: 200, rooms: 20, rounds: 40 },
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
      big: { accounts: 20_000, contacts: 50_000, deals: 10_000, tickets: 5_000, notes: 2_000 },
      typingMs: 60_000,
      queries: 300,
      browserDeals: 5_000,
      clients: { tabs: 1_000, rooms: 100, rounds: 300 },
    }
