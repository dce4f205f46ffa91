import { Hono } from 'hono'
import type { AppEnv } from './app.ts'

export interface HealthReport {
  ok: boolean
  uptimeMs: number
  documents: number
  connections: number
  dirtyDocuments: number
  storesInFlight: number
  stores: number
  storeFailures: number
  loadFailures: number
  rejectedFrames: number
  closedForLimits: number
  /** The persisted record index (docs/schema.md "Health"). */
  index: IndexHealth
}

export interface IndexHealth {
  /** `sqlite`, `postgres`, or `custom` (an index handed to createServer). */
  implementation: string
  /** Record rows (accounts, contacts, deals, tickets, tasks) over every workspace. */
  rows: number
  /** Changes queued and not yet committed. */
  lag: number
  /** Applies that failed (each is retried) and changes the index refused (dropped). */
  failures: number
  dropped: number
  /**
   * The start-up catch-up, done before the server listens: `logged` compares only the documents with a pending update
   * log, `rebuild` every stored document (a new or lost index, a migrated data directory); documents compared with
   * the index's state vectors, and those re-indexed.
   */
  catchUp: { state: 'done'; mode: 'logged' | 'rebuild'; documents: number; reindexed: number; ms: number }
}

/** `GET /health` (mounted under /api): counts that tests and operators watch. */
export const healthRoutes = (report: () => Promise<HealthReport>): Hono<AppEnv> => {
  const routes = new Hono<AppEnv>()
  routes.get('/health', async (c) => c.json(await report()))
  return routes
}
