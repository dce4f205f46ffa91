import { startFleet } from './lib/fleet.ts'
import { cpuBetween, sampleProcess } from './lib/procStats.ts'
import { connectAll, SyncClient } from './lib/SyncClient.ts'
import type { BenchServer, MemorySample } from './lib/servers.ts'
import { type Summary, summarize } from './lib/stats.ts'

/**
 * Many connected clients on one server instance (issue #12: 1,000 clients across 100 documents).
 *
 * What a client is: a browser tab as the web app builds it (apps/web/src/collab/DocRegistry.ts) — ONE socket shared by
 * the documents the tab has open. Each tab opens one account room (tab i → room i mod 100, so 10 tabs per room) with an
 * awareness `user` field, as the web app sets it for presence, and the workspace document (every page reads settings
 * from it) WITHOUT awareness: with awareness on a document that all 1,000 tabs share, each tab's 15 s awareness renewal
 * is fanned out to 999 others (~66,000 messages/s), which measures presence fan-out, not idle connections; the web app
 * today does set awareness on every document, the workspace one included: the clients phase measures that as a
 * variant (`sharedAwareness`). Collection documents
 * (`W/contacts` …) are not opened: issue #12 retires them, and the board/list pages then read REST + the change feed.
 * The tabs run in a separate process (clients/fleet.ts) so that their CPU does not share the bench process.
 */
export type ClientsResult = {
  server: string
  /** Whether the tabs set awareness on the shared (workspace) document too, as the web app does today. */
  sharedAwareness?: boolean
  tabs: number
  /** Account rooms + shared documents. */
  documents: number
  providers: number
  connectMs: number
  slowestBatchMs: number
  /** GC'd server memory with one raw client on every document (the documents loaded), before the tabs. */
  before: MemorySample
  /** GC'd server memory with every tab synced and idle. */
  after: MemorySample
  rssNoGcBefore: number
  rssNoGcAfter: number
  /** Δ(heapUsed + external) / tabs, both samples after a full GC. */
  heapPerTabBytes: number
  /** ΔRSS / tabs, both samples after a full GC. */
  rssPerTabBytes: number
  /** Server CPU while every tab sits idle (awareness renewals only), over `idleWindowMs`. */
  idleServerCpuPct: number
  /** Edit-to-remote across the rooms while every tab stays connected; null when not measured. */
  latency: {
    rounds: number
    samples: number
    lost: number
    latencyMs: Summary
    serverCpuPct: number
    fleetCpuPct: number
  } | null
}

/**
 * How long the idle CPU is sampled: 5 s; with awareness on the shared document, a whole awareness renewal period
 * (15 s) and a little more, since that is what it costs.
 */
const idleWindowMs = (sharedAwareness: boolean) => (sharedAwareness ? 16_000 : 5_000)
const heap = (m: MemorySample) => m.heapUsed + m.external

/**
 * Loads every document with one raw client each, samples the server after a full GC, connects `tabs` tabs from a
 * fleet child (batches of 50, each batch synced before the next), samples again, measures idle CPU and then, if
 * `rounds` > 0, edit-to-remote across the rooms with every tab connected.
 */
export async function measureClients(
  server: BenchServer,
  opts: {
    token: string
    rooms: string[]
    shared: string[]
    /** Awareness on the shared documents too (default false, see above). */
    sharedAwareness?: boolean
    tabs: number
    rounds: number
    warmup?: number
  },
): Promise<ClientsResult> {
  const docs = [...opts.rooms, ...opts.shared]
  const anchors = docs.map(
    (docName) =>
      new SyncClient({
        protocol: server.protocol,
        url: server.wsUrl,
        docName,
        token: opts.token,
        timeoutMs: 60_000,
      }),
  )
  const fleet = await startFleet()
  try {
    await connectAll(anchors)
    const rssNoGcBefore = sampleProcess(server.pid).rssBytes
    const before = await server.memory()
    const connected = await fleet.connect({
      url: server.wsUrl,
      token: opts.token,
      rooms: opts.rooms,
      shared: opts.shared,
      sharedAwareness: opts.sharedAwareness ?? false,
      tabs: opts.tabs,
      batch: 50,
      timeoutMs: 60_000,
    })
    const idle0 = sampleProcess(server.pid)
    await new Promise((r) => setTimeout(r, idleWindowMs(opts.sharedAwareness ?? false)))
    const idle1 = sampleProcess(server.pid)
    const rssNoGcAfter = idle1.rssBytes
    const after = await server.memory()
    let latency: ClientsResult['latency'] = null
    if (opts.rounds > 0) {
      const s0 = sampleProcess(server.pid)
      const f0 = sampleProcess(fleet.pid)
      const r = await fleet.latency(opts.rounds, opts.warmup ?? 20)
      const s1 = sampleProcess(server.pid)
      const f1 = sampleProcess(fleet.pid)
      latency = {
        rounds: r.rounds,
        samples: r.samples.length,
        lost: r.lost,
        latencyMs: summarize(r.samples),
        serverCpuPct: Math.round(cpuBetween(s0, s1).cpuPct),
        fleetCpuPct: Math.round(cpuBetween(f0, f1).cpuPct),
      }
    }
    return {
      server: server.kind,
      sharedAwareness: opts.sharedAwareness ?? false,
      tabs: connected.tabs,
      documents: docs.length,
      providers: connected.providers,
      connectMs: Math.round(connected.ms),
      slowestBatchMs: Math.round(connected.slowestBatchMs),
      before,
      after,
      rssNoGcBefore,
      rssNoGcAfter,
      heapPerTabBytes: Math.round((heap(after) - heap(before)) / connected.tabs),
      rssPerTabBytes: Math.round((after.rss - before.rss) / connected.tabs),
      idleServerCpuPct: Math.round(cpuBetween(idle0, idle1).cpuPct),
      latency,
    }
  } finally {
    await fleet.close()
    await Promise.all(anchors.map((a) => a.close()))
  }
}
