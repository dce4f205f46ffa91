import { sampleProcess } from './lib/procStats.ts'
import { connectAll, type SyncClient } from './lib/SyncClient.ts'
import { nowMs, type Summary, summarize, waitUntil } from './lib/stats.ts'
import { ensureDeal, newClient, onFieldChange, setField, type Workload } from './lib/workload.ts'

export type LatencyResult = {
  server: string
  clients: number
  rounds: number
  samples: number
  lost: number
  latencyMs: Summary
  connectMs: Summary
  /** Server RSS growth per connection once all clients are connected and idle. */
  rssPerConnectionBytes: number
}

const DEAL_ID = 'deal_bench_latency'

/**
 * Edit-to-remote latency: in each round one client (rotating) sets a deal's title to a string holding
 * its send time; every other client records `now - sendTime` when the change reaches its replica.
 * All clients live in this process, so the clocks agree. The next round starts when every reader got
 * the edit (or after a bounded timeout, counted as lost).
 */
export async function measureLatency(
  w: Workload,
  clientCount: number,
  rounds: number,
  warmup = 10,
): Promise<LatencyResult> {
  const rssBefore = sampleProcess(w.server.pid).rssBytes
  const clients: SyncClient[] = Array.from({ length: clientCount }, () => newClient(w, w.boardDoc))
  const connects = await connectAll(clients)
  try {
    const first = clients[0]
    if (!first) throw new Error('no clients')
    ensureDeal(first.doc, DEAL_ID, w.pipelineId, w.stageId, 'latency probe')
    await waitUntil(
      () => clients.every((c) => c.doc.getMap('deals').has(DEAL_ID)),
      20_000,
      'the probe deal on every client',
      5,
    )
    await new Promise((r) => setTimeout(r, 500))
    const rssIdle = sampleProcess(w.server.pid).rssBytes

    let round = -1
    let received = 0
    let wake: (() => void) | null = null
    const samples: number[] = []
    clients.forEach((c) => {
      onFieldChange(c.doc, 'deals', 'title', (id, value) => {
        if (id !== DEAL_ID || typeof value !== 'string') return
        const [tag, seq, sent] = value.split(':')
        if (tag !== 'L' || Number(seq) !== round) return
        const latency = nowMs() - Number(sent)
        if (round >= warmup) samples.push(latency)
        received++
        if (received >= clientCount - 1) wake?.()
      })
    })

    let lost = 0
    const total = warmup + rounds
    for (let r = 0; r < total; r++) {
      round = r
      received = 0
      const writer = clients[r % clientCount]
      if (!writer) break
      const done = new Promise<void>((resolve) => {
        wake = resolve
      })
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref())
      setField(writer.doc, 'deals', DEAL_ID, 'title', `L:${r}:${nowMs()}`)
      const outcome = await Promise.race([done, timeout])
      if (outcome === 'timeout' && r >= warmup) lost += clientCount - 1 - received
      // Let trailing socket work drain so rounds do not overlap.
      await new Promise((res) => setImmediate(res))
    }
    return {
      server: w.server.kind,
      clients: clientCount,
      rounds,
      samples: samples.length,
      lost,
      latencyMs: summarize(samples),
      connectMs: summarize(connects.map((c) => c.ms)),
      rssPerConnectionBytes: Math.round((rssIdle - rssBefore) / clientCount),
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()))
  }
}
