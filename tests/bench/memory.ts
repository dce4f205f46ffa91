import { sampleProcess } from './lib/procStats.ts'
import { connectAll, type SyncClient } from './lib/SyncClient.ts'
import type { MemorySample } from './lib/servers.ts'
import { newClient, type Workload } from './lib/workload.ts'

/** One server's memory per idle connection and per loaded document, measured after full GCs. */
export type MemoryResult = {
  server: string
  /** Idle clients connected to the probe deal's document. */
  connections: number
  /** Server heapUsed + external growth per idle connection, both samples after a full GC. */
  heapPerConnectionBytes: number
  /** Server RSS growth per idle connection, both samples after a full GC. */
  rssPerConnectionBytes: number
  /** The former measure: server RSS growth per idle connection, no GC on either side. */
  rssNoGcPerConnectionBytes: number
  /** Documents loaded for the per-document measure (one client each). */
  documents: number
  /** Server heapUsed + external growth per loaded document (after GC), its one connection subtracted. */
  heapPerDocumentBytes: number
  /** The GC'd samples: board document loaded by one client / plus `connections` idle clients. */
  before: MemorySample
  after: MemorySample
}

const heap = (m: MemorySample) => m.heapUsed + m.external

async function closeAll(clients: SyncClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()))
}

/**
 * Memory per idle connection: one client opens the probe deal's document (so the document itself is loaded
 * before the first sample), the server is GC'd and sampled, `connections` more clients connect and finish
 * their first sync, and the server is GC'd and sampled again.
 */
async function connectionMemory(w: Workload, connections: number) {
  const anchor = newClient(w, w.probeDoc)
  const clients = Array.from({ length: connections }, () => newClient(w, w.probeDoc))
  try {
    await anchor.connect()
    const rssNoGcBefore = sampleProcess(w.server.pid).rssBytes
    const before = await w.server.memory()
    await connectAll(clients)
    const rssNoGcAfter = sampleProcess(w.server.pid).rssBytes
    const after = await w.server.memory()
    return {
      before,
      after,
      heapPerConnectionBytes: Math.round((heap(after) - heap(before)) / connections),
      rssPerConnectionBytes: Math.round((after.rss - before.rss) / connections),
      rssNoGcPerConnectionBytes: Math.round((rssNoGcAfter - rssNoGcBefore) / connections),
    }
  } finally {
    await closeAll([anchor, ...clients])
  }
}

/**
 * Memory per loaded document: GC'd sample, one client opens each of the workload's (empty) account-room
 * documents, GC'd sample again; per document = growth / documents − one connection.
 */
async function documentMemory(w: Workload, perConnectionBytes: number) {
  const clients = w.roomDocs.map((doc) => newClient(w, doc))
  try {
    const before = await w.server.memory()
    await connectAll(clients)
    const after = await w.server.memory()
    return Math.round((heap(after) - heap(before)) / clients.length - perConnectionBytes)
  } finally {
    await closeAll(clients)
  }
}

/** Server memory after a full GC, per idle connection on the board document and per loaded document. */
export async function measureMemory(w: Workload, connections: number): Promise<MemoryResult> {
  const perConnection = await connectionMemory(w, connections)
  return {
    server: w.server.kind,
    connections,
    ...perConnection,
    documents: w.roomDocs.length,
    heapPerDocumentBytes: await documentMemory(w, perConnection.heapPerConnectionBytes),
  }
}
