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
 * from it) WITHOUT awareness, as the web app opens it: with awareness on a document that all 1,000 tabs share, each
 * tab's 15 s awareness renewal is fanned out to 999 others (~66,000 messages/s, and the provider sends each one it
 * receives back), which measures presence fan-out, not idle connections. The clients phase measures that as a variant
 * (`sharedAwareness`), ramped until it no longer settles (`SETTLE_MS`). Collection documents
 * (`W/contacts` …) are not opened: issue #12 retires them, and the board/list pages then read REST + the change feed.
 * The tabs run in a separate process (clients/fleet.ts) so that their CPU does not share the bench process.
 */
export type ClientsResult = {
  server: string
  /** Whether the tabs set awareness on the shared (workspace) document too, as the web app does today. */
  sharedAwareness?: boolean
  tabs: number
  /** Tabs asked for; `tabs` is lower when the ramp stopped because the load no longer settled (`settled` false). */
  requestedTabs?: number
  /**
   * False when a batch of tabs took longer than `SETTLE_MS` to sync (or timed out) and the fleet stopped adding tabs:
   * the figures below are then at `tabs` tabs, the largest count this machine still settled.
   */
  settled?: boolean
  /** Why the ramp stopped (which batch, how far it got); null or absent when it settled. */
  stop?: string | null
  /** Sync time of every batch of 50 tabs, in order. */
  batchMs?: number[]
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
  /** The fleet process's CPU over the same window (all tabs share one process and its one event loop). */
  idleFleetCpuPct?: number
  /**
   * How long the server's memory probe took to answer after the idle window (signal → GC → sample): a few hundred ms
   * unless the server's event loop lags behind its messages.
   */
  memoryProbeMs?: number
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
 * With awareness on the shared document, a batch that takes longer than one awareness renewal period (15 s) to sync
 * means the renewals of the tabs already connected outrun the machine: the ramp stops there and reports how far it got
 * (otherwise it ran until the collab token expired, ~10 minutes). Without shared awareness every tab must connect.
 */
export const SETTLE_MS = 15_000

/**
 * Loads every document with one raw client each, samples the server after a full GC, connects `tabs` tabs from a
 * fleet child (batches of 50, each batch synced before the next), samples again, measures idle CPU and then, if
 * `rounds` > 0, edit-to-remote across the rooms with every tab connected.
 */
export async function measureClients(
  server: BenchServer,
  opts: {
    token: string
    /** Rapport: base URL + session cookie, so the tabs fetch fresh collab tokens as the web app does. */
    session: { url: string; cookie: string } | null
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
    const sharedAwareness = opts.sharedAwareness ?? false
    const connected = await fleet.connect({
      url: server.wsUrl,
      token: opts.token,
      session: opts.session,
      rooms: opts.rooms,
      shared: opts.shared,
      sharedAwareness,
      tabs: opts.tabs,
      batch: 50,
      timeoutMs: sharedAwareness ? 2 * SETTLE_MS : 60_000,
      settleMs: sharedAwareness ? SETTLE_MS : null,
    })
    const idle0 = sampleProcess(server.pid)
    const idleFleet0 = sampleProcess(fleet.pid)
    await new Promise((r) => setTimeout(r, idleWindowMs(sharedAwareness)))
    const idle1 = sampleProcess(server.pid)
    const idleFleet1 = sampleProcess(fleet.pid)
    const rssNoGcAfter = idle1.rssBytes
    // With presence fanned out on the shared document the server's event loop can lag by seconds: its memory probe
    // (a signal handled on that loop) gets a minute, and how long it took is reported.
    const probe0 = performance.now()
    const after = await server.memory(sharedAwareness ? 60_000 : 10_000)
    const memoryProbeMs = Math.round(performance.now() - probe0)
    let latency: ClientsResult['latency'] = null
    // A ramp that did not settle gets no latency rounds: each round waits up to 5 s for its readers, so a lagging
    // server would stretch them to minutes, and the row's figure is how far presence scaled.
    if (opts.rounds > 0 && connected.settled) {
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
      sharedAwareness,
      tabs: connected.tabs,
      requestedTabs: opts.tabs,
      settled: connected.settled,
      stop: connected.stop,
      batchMs: connected.batchMs.map(Math.round),
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
      idleFleetCpuPct: Math.round(cpuBetween(idleFleet0, idleFleet1).cpuPct),
      memoryProbeMs,
      latency,
    }
  } finally {
    await fleet.close()
    await Promise.all(anchors.map((a) => a.close()))
  }
}
