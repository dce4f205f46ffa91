import { cpuBetween, sampleProcess } from './lib/procStats.ts'
import { connectAll, type SyncClient } from './lib/SyncClient.ts'
import { waitUntil } from './lib/stats.ts'
import { ensureTask, newClient, onFieldChange, setField, type Workload } from './lib/workload.ts'

/** One sustained-throughput run of one server (see measureThroughput). */
export type ThroughputResult = {
  server: string
  mode: 'one-document' | 'many-documents'
  writers: number
  documents: number
  durationMs: number
  /** Updates seen by the observers per second (end to end: writer → server → observer). */
  updatesPerSecond: number
  serverCpuPct: number
  /** CPU of this (client) process over the window; near 100 % means the harness, not the server, is the limit. */
  clientCpuPct: number
  serverCpuMsPer1kUpdates: number
  rssAfterBytes: number
}

const WINDOW = 4
/** Per-writer cap, below Rapport's per-connection flood limit (300 messages/s), applied to every server alike. */
export const MAX_RATE_PER_WRITER = 250

/**
 * Sustained throughput with flow control: each writer owns one record and keeps at most WINDOW updates
 * in flight, "in flight" meaning not yet seen by the observer client of its document. Every update is one
 * Y.Map set of the record's title, and each writer sends at most MAX_RATE_PER_WRITER updates/s. Runs for `durationMs`, counts what the observers received, and samples
 * the server's CPU over exactly that window.
 *
 * - one-document: `writers` writers + 1 observer on one account room (each writer its own task).
 * - many-documents: one writer + one observer on each of `documents` account rooms.
 */
export async function measureThroughput(
  w: Workload,
  mode: 'one-document' | 'many-documents',
  writers: number,
  durationMs: number,
): Promise<ThroughputResult> {
  // One document holding many records: an account room's tasks (a deal document holds one deal since issue #12).
  const shared = w.roomDocs[w.roomDocs.length - 1] ?? w.probeDoc
  const docs = mode === 'one-document' ? [shared] : w.roomDocs.slice(0, writers)
  const collection = 'tasks'
  const docOf = (i: number) => docs[mode === 'one-document' ? 0 : i] ?? shared
  const writerClients: SyncClient[] = Array.from({ length: writers }, (_, i) => newClient(w, docOf(i)))
  const observers: SyncClient[] = docs.map((d) => newClient(w, d))
  await connectAll([...observers, ...writerClients])
  const recordId = (i: number) => `task_bench_w${i}`
  try {
    writerClients.forEach((c, i) => {
      ensureTask(c.doc, recordId(i), 'T:0')
    })
    await waitUntil(
      () =>
        writerClients.every((_, i) => {
          const obs = observers[mode === 'one-document' ? 0 : i]
          return obs?.doc.getMap(collection).has(recordId(i)) ?? false
        }),
      30_000,
      'writer records at the observers',
      5,
    )

    const lastSeen = new Array<number>(writers).fill(0)
    const waiters = new Array<(() => void) | null>(writers).fill(null)
    let counted = 0
    let counting = false
    for (const obs of observers) {
      onFieldChange(obs.doc, collection, 'title', (id, value) => {
        const m = /_w(\d+)$/.exec(id)
        if (!m || typeof value !== 'string') return
        const i = Number(m[1])
        const seq = Number(value.slice(2))
        if (seq > (lastSeen[i] ?? 0)) lastSeen[i] = seq
        if (counting) counted++
        const wake = waiters[i]
        waiters[i] = null
        wake?.()
      })
    }

    const cpu0 = sampleProcess(w.server.pid)
    const client0 = process.cpuUsage()
    const start = performance.now()
    const end = start + durationMs
    counting = true
    await Promise.all(
      writerClients.map(async (c, i) => {
        let seq = 0
        while (performance.now() < end) {
          if (seq - (lastSeen[i] ?? 0) >= WINDOW) {
            await new Promise<void>((resolve) => {
              waiters[i] = resolve
              setTimeout(resolve, 1_000).unref()
            })
            continue
          }
          if (performance.now() < start + (seq * 1000) / MAX_RATE_PER_WRITER) {
            await new Promise((r) => setTimeout(r, 1))
            continue
          }
          seq++
          setField(c.doc, collection, recordId(i), 'title', `T:${seq}`)
          if (seq % WINDOW === 0) await new Promise((r) => setImmediate(r))
        }
      }),
    )
    counting = false
    const elapsed = performance.now() - start
    const cpu1 = sampleProcess(w.server.pid)
    const client1 = process.cpuUsage(client0)
    const { cpuMs, cpuPct } = cpuBetween(cpu0, cpu1)
    return {
      server: w.server.kind,
      mode,
      writers,
      documents: docs.length,
      durationMs: Math.round(elapsed),
      updatesPerSecond: Math.round((counted / elapsed) * 1000),
      serverCpuPct: Math.round(cpuPct),
      clientCpuPct: Math.round(((client1.user + client1.system) / 1000 / elapsed) * 100),
      serverCpuMsPer1kUpdates: counted > 0 ? Number(((cpuMs / counted) * 1000).toFixed(1)) : 0,
      rssAfterBytes: cpu1.rssBytes,
    }
  } finally {
    await Promise.all([...writerClients, ...observers].map((c) => c.close()))
  }
}
