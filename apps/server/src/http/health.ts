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
}

/** `GET /health` (mounted under /api): counts that tests and operators watch. */
export const healthRoutes = (report: () => HealthReport): Hono<AppEnv> => {
  const routes = new Hono<AppEnv>()
  routes.get('/health', (c) => c.json(report()))
  return routes
}
