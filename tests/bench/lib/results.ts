import type { BigWorkspaceResult } from '../bigWorkspace.ts'
import type { BrowserResult } from '../browser.ts'
import type { ClientsResult } from '../clients.ts'
import type { DashboardResult } from '../dashboard.ts'
import type { DedupeResult } from '../dedupeBench.ts'
import type { FeedResult } from '../feed.ts'
import type { ImportResult } from '../importBench.ts'
import type { IndexResult } from '../indexQueries.ts'
import type { LatencyResult } from '../latency.ts'
import type { MemoryResult } from '../memory.ts'
import type { ReportsResult } from '../reports.ts'
import type { ThroughputResult } from '../throughput.ts'
import type { BuiltPart } from './built.ts'

/** Where the bench ran: hardware, Node and the versions of the packages under test. */
export type MachineInfo = {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
  versions: Record<string, string>
}

/** One server's results; `raw-fanout` (the latency floor) has latency rows only. */
export type ServerRun = {
  server: string
  startMs: number | null
  memory: MemoryResult | null
  latency: LatencyResult[]
  throughput: ThroughputResult[]
  error: string | null
}

/** Everything one `pnpm bench` run measured (tests/bench/results/*.json). */
export type BenchResults = {
  startedAt: string
  finishedAt: string
  quick: boolean
  /** The big workspace's size (`BENCH_BIG`: default or issue12). */
  bigSize?: string
  /** The phases `BENCH_ONLY` selected; null = every phase. */
  only: string[] | null
  machine: MachineInfo
  /** Which parts of issue #12 the measured tree has. */
  built: BuiltPart[]
  servers: ServerRun[]
  bigWorkspace: (BigWorkspaceResult & { error?: string }) | null
  browser: BrowserResult | { error: string } | null
  /** 1,000 tabs across 100 documents on one instance, per server; null = phase not run. */
  clients: Array<ClientsResult | { server: string; error: string }> | null
  /** Remote edit → change feed event (SSE); `error: 'not built yet'` when the server has no feed. */
  feed: FeedResult | { error: string } | null
  /** The production RecordIndex (SQLite, PostgreSQL) over the big workspace's records; null = phase not run. */
  index: IndexResult | { error: string } | null
  /** Duplicate check and pairs over the index (issue #14); null or absent = phase not run. */
  dedupe?: DedupeResult | { error: string } | null
  /** 100,000 contacts imported from CSV while another user edits (issue #14); null or absent = phase not run. */
  import?: ImportResult | { error: string } | null
  /** Issue #13's reports over the big workspace (SQLite, PostgreSQL); null = phase not run (older results: absent). */
  reports?: ReportsResult | { error: string } | null
  /** The live dashboard in a browser (issue #13); absent or null = phase not run. */
  dashboard?: DashboardResult | { error: string } | null
  /**
   * Wall time of each phase of this run, in the order they ran (ms; set-ups such as seeding are phases of their own).
   * Absent in results written before it was recorded.
   */
  phases?: Array<{ phase: string; ms: number }>
}

/** The first line of an error's message (≤ 300 characters), for results and logs. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]?.slice(0, 300) || error.name : String(error)
}
