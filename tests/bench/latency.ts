import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import WebSocket from 'ws'
import { errorText } from './lib/results.ts'
import { connectAll } from './lib/SyncClient.ts'
import type { ServerProcess } from './lib/servers.ts'
import { median, nowMs, type Summary, summarize, waitUntil } from './lib/stats.ts'
import {
  ensureDeal,
  newClient,
  onFieldChange,
  PROBE_DEAL_ID,
  setField,
  type Workload,
} from './lib/workload.ts'

/** One server's edit-to-remote latency at one client count (ms), pooled over its interleaved blocks. */
export type LatencyResult = {
  server: string
  clients: number
  /** Measured rounds (warm-up excluded), over all blocks. */
  rounds: number
  blocks: number
  samples: number
  lost: number
  /** Pooled over every block. */
  latencyMs: Summary
  /** p99 of each block, in block order. */
  blockP99Ms: number[]
  medianBlockP99Ms: number
  connectMs: Summary
  /**
   * Edit-to-acknowledgement: the writer's send until the server's SyncStatus for that update (Hocuspocus protocol
   * only; null for servers that send none). Rapport acknowledges once the update is in the document's log.
   */
  ackMs?: Summary | null
}

/** One server's latency measurement at one client count: its result, or why it failed. */
export type LatencyOutcome = { server: string; result: LatencyResult } | { server: string; error: string }

/** A server under measurement: `open` connects `clients` clients and returns them ready for rounds. */
export type LatencyTarget = { server: string; open(clients: number): Promise<Panel> }

/** The connected clients of one server. */
type Panel = {
  connectMs: number[]
  run(rounds: number): Promise<RoundsResult>
  /** Resolves when the server finished the deferred work of the rounds so far (see BenchServer.settled). */
  settled(): Promise<void>
  close(): Promise<void>
}

type RoundsResult = {
  rounds: number
  samples: number[]
  lost: number
  ackSamples?: number[]
  /** Each sample's arrival on the monotonic clock (µs, `process.hrtime`), for tailProfile.ts' profile windows. */
  arrivalsUs?: number[]
}

/** Sends round `round` from client `writer`, stamped `sentAt` (ms, {@link nowMs}). */
type SendRound = (writer: number, round: number, sentAt: number) => void

const ROUND_TIMEOUT_MS = 5_000
const DEAL_ID = PROBE_DEAL_ID

/**
 * The round loop shared by every panel. In each round one client (rotating) sends its send time; every
 * other client calls `arrived` when it sees it. The next round starts when every reader got the round, or
 * after ROUND_TIMEOUT_MS (missing readers counted as lost). Round numbers keep counting across `run` calls,
 * so a late arrival of an earlier round is never taken for the current one.
 */
function roundLoop(clientCount: number, send: SendRound) {
  let round = -1
  let received = 0
  let samples: number[] = []
  let arrivalsUs: number[] = []
  let wake: (() => void) | null = null
  return {
    arrived(seen: number, sentAt: number): void {
      if (seen !== round) return
      samples.push(nowMs() - sentAt)
      arrivalsUs.push(Number(process.hrtime.bigint() / 1000n))
      received++
      if (received >= clientCount - 1) wake?.()
    },
    async run(rounds: number): Promise<RoundsResult> {
      samples = []
      arrivalsUs = []
      let lost = 0
      for (let i = 0; i < rounds; i++) {
        round++
        received = 0
        let timer: NodeJS.Timeout | undefined
        const outcome = await new Promise<'done' | 'timeout'>((resolve) => {
          wake = () => resolve('done')
          timer = setTimeout(() => resolve('timeout'), ROUND_TIMEOUT_MS)
          send(round % clientCount, round, nowMs())
        })
        clearTimeout(timer)
        if (outcome === 'timeout') lost += clientCount - 1 - received
        // Let trailing socket work drain so rounds do not overlap.
        await new Promise((res) => setImmediate(res))
      }
      return { rounds, samples, lost, arrivalsUs }
    },
  }
}

/**
 * A Yjs server: every client opens the probe deal's document; the writer sets the title of the probe deal to
 * `L:<round>:<sendTime>`, readers see it through their replica's deep observer.
 */
export function yjsTarget(w: Workload): LatencyTarget {
  return {
    server: w.server.kind,
    async open(clientCount) {
      const clients = Array.from({ length: clientCount }, () => newClient(w, w.probeDoc))
      try {
        const connects = await connectAll(clients)
        const first = clients[0]
        if (!first) throw new Error('no clients')
        ensureDeal(first.doc, DEAL_ID, w.pipelineId, w.stageId, 'latency probe', w.probeAccountId)
        await waitUntil(
          () => clients.every((c) => c.doc.getMap('deals').has(DEAL_ID)),
          20_000,
          'the probe deal on every client',
          5,
        )
        await w.server.memory() // collect the connection burst's garbage now, not in a measured turn
        // Per client, the send times of its updates still waiting for the server's acknowledgement.
        const unacked = clients.map(() => [] as number[])
        let ackSamples: number[] = []
        clients.forEach((client, index) => {
          client.onAcknowledged = () => {
            const sentAt = unacked[index]?.shift()
            if (sentAt !== undefined) ackSamples.push(nowMs() - sentAt)
          }
        })
        const loop = roundLoop(clientCount, (writer, round, sentAt) => {
          const doc = clients[writer]?.doc
          if (!doc) return
          if (w.server.protocol === 'hocuspocus') unacked[writer]?.push(sentAt)
          setField(doc, 'deals', DEAL_ID, 'title', `L:${round}:${sentAt}`)
        })
        for (const c of clients) {
          onFieldChange(c.doc, 'deals', 'title', (id, value) => {
            if (id !== DEAL_ID || typeof value !== 'string') return
            const [tag, round, sent] = value.split(':')
            if (tag === 'L') loop.arrived(Number(round), Number(sent))
          })
        }
        return {
          connectMs: connects.map((c) => c.ms),
          async run(rounds) {
            ackSamples = []
            const result = await loop.run(rounds)
            // The last rounds' acknowledgements may trail their broadcast.
            await waitUntil(
              () => unacked.every((queue) => queue.length === 0),
              5_000,
              'acknowledgements',
              5,
            ).catch(() => {
              for (const queue of unacked) queue.length = 0
            })
            return { ...result, ackSamples }
          },
          settled: () => w.server.settled(),
          close: async () => {
            await Promise.all(clients.map((c) => c.close()))
          },
        }
      } catch (error) {
        await Promise.all(clients.map((c) => c.close()))
        throw error
      }
    },
  }
}

/**
 * The harness + machine floor: raw `ws` clients of the raw fan-out server. The writer sends 16 bytes
 * (round, send time as two float64); readers stamp the arrival. No Yjs on either side.
 */
export function rawFanoutTarget(server: ServerProcess): LatencyTarget {
  return {
    server: 'raw-fanout',
    async open(clientCount) {
      const opened = await Promise.allSettled(
        Array.from({ length: clientCount }, () => openSocket(server.wsUrl)),
      )
      const sockets = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
      const close = async () => {
        for (const { socket } of sockets) socket.terminate()
      }
      const failure = opened.find((o) => o.status === 'rejected')
      if (failure) {
        await close()
        throw failure.reason
      }
      await server.memory() // as for the Yjs servers: a full GC before the first turn
      const loop = roundLoop(clientCount, (writer, round, sentAt) => {
        sockets[writer]?.socket.send(new Float64Array([round, sentAt]))
      })
      for (const { socket } of sockets) {
        socket.on('message', (data: Buffer) => loop.arrived(data.readDoubleLE(0), data.readDoubleLE(8)))
      }
      return { connectMs: sockets.map((s) => s.ms), run: loop.run, settled: async () => {}, close }
    },
  }
}

function openSocket(url: string): Promise<{ socket: WebSocket; ms: number }> {
  const started = performance.now()
  const socket = new WebSocket(url, { perMessageDeflate: false })
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, ms: performance.now() - started }))
    socket.once('error', reject)
  })
}

/**
 * A full GC in this (client) process, so that the garbage of connecting every server's clients is not
 * collected inside whichever server's turn comes first. `--expose-gc` is switched on at runtime.
 */
function collectClientGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc: unknown = runInNewContext('gc')
  if (typeof gc === 'function') gc()
}

/** Opens a panel per target; a target that fails to connect is reported and left out. */
async function openPanels(targets: LatencyTarget[], clientCount: number) {
  const open: Array<{ target: LatencyTarget; panel: Panel }> = []
  const failed: LatencyOutcome[] = []
  for (const target of targets) {
    try {
      open.push({ target, panel: await target.open(clientCount) })
    } catch (error) {
      failed.push({ server: target.server, error: errorText(error) })
    }
  }
  return { open, failed }
}

/**
 * One server's turn: `warmup` discarded rounds, `rounds` measured rounds, then a wait until the server has
 * done their deferred work, so that it is not charged to the next server.
 */
async function turn(panel: Panel, warmup: number, rounds: number): Promise<RoundsResult> {
  if (warmup > 0) await panel.run(warmup)
  const result = await panel.run(rounds)
  await panel.settled()
  return result
}

/**
 * `blocks` blocks with one turn of `perBlock` rounds per panel, the order rotating by one panel per block;
 * each panel's first turn starts with `warmup` discarded rounds.
 */
async function runBlocks(panels: Panel[], blocks: number, perBlock: number, warmup: number) {
  const runs = panels.map(() => [] as RoundsResult[])
  for (let b = 0; b < blocks; b++) {
    for (let k = 0; k < panels.length; k++) {
      const i = (b + k) % panels.length
      const panel = panels[i]
      if (panel) runs[i]?.push(await turn(panel, b === 0 ? warmup : 0, perBlock))
    }
  }
  return runs
}

function latencyResult(server: string, clients: number, byBlock: RoundsResult[], connectMs: number[]) {
  const pooled = byBlock.flatMap((r) => r.samples)
  const blockP99Ms = byBlock.map((r) => summarize(r.samples).p99)
  const acks = byBlock.flatMap((r) => r.ackSamples ?? [])
  return {
    server,
    clients,
    rounds: byBlock.reduce((sum, r) => sum + r.rounds, 0),
    blocks: byBlock.length,
    samples: pooled.length,
    lost: byBlock.reduce((sum, r) => sum + r.lost, 0),
    latencyMs: summarize(pooled),
    blockP99Ms,
    medianBlockP99Ms: median(blockP99Ms),
    connectMs: summarize(connectMs),
    ackMs: acks.length > 0 ? summarize(acks) : null,
  } satisfies LatencyResult
}

/**
 * Edit-to-remote latency of several servers at one client count, INTERLEAVED so that machine noise hits
 * them alike: every server's clients stay connected for the whole measurement, and every server and this
 * process are GC'd once after connecting (see collectClientGarbage); `blocks` blocks run
 * `rounds / blocks` rounds per server (after `warmup` discarded rounds in its first turn), the server order
 * rotating by one every block. After each server's turn the bench waits until that server has finished its
 * deferred work (Rapport's debounced store), so it never lands in another server's turn. All clients live
 * in this process, so the clocks agree.
 */
export async function measureLatency(
  targets: LatencyTarget[],
  clientCount: number,
  rounds: number,
  blocks: number,
  warmup = 10,
): Promise<LatencyOutcome[]> {
  const { open, failed } = await openPanels(targets, clientCount)
  try {
    collectClientGarbage()
    const runs = await runBlocks(
      open.map((o) => o.panel),
      blocks,
      Math.ceil(rounds / blocks),
      warmup,
    )
    const measured = open.map(
      ({ target, panel }, i): LatencyOutcome => ({
        server: target.server,
        result: latencyResult(target.server, clientCount, runs[i] ?? [], panel.connectMs),
      }),
    )
    return [...measured, ...failed]
  } finally {
    await Promise.all(open.map(({ panel }) => panel.close()))
  }
}
