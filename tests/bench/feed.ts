import { FeedEvent, parseFeedMessage } from '@rapport/model'
import { DEMO_LOGIN, login } from './lib/rapportSession.ts'
import { SyncClient } from './lib/SyncClient.ts'
import type { BenchServer } from './lib/servers.ts'
import { nowMs, type Summary, summarize, waitUntil } from './lib/stats.ts'
import { ensureDeal, PROBE_DEAL_ID, rapportWorkload, setField } from './lib/workload.ts'

/** Remote edit → the change feed event at another user's open list (issue #12: p95 < 100 ms). */
export type FeedResult = {
  readers: number
  rounds: number
  samples: number
  lost: number
  latencyMs: Summary
}

/** The change feed is not in this server (`GET /api/feed` answers 404). */
export class FeedNotBuilt extends Error {}

const DEAL_ID = PROBE_DEAL_ID
const ROUND_TIMEOUT_MS = 5_000
const MARK = /^feed:(\d+):([\d.]+)$/

type Reader = { stop(): void }

/**
 * One `GET /api/feed` Server-Sent Events stream (the same events, order and filter as `W/feed`), calling `onEvent`
 * for every `change` event; resolves once the response headers are in.
 */
async function openReader(url: string, cookie: string, onEvent: (e: FeedEvent) => void): Promise<Reader> {
  const abort = new AbortController()
  const res = await fetch(`${url}/api/feed`, { headers: { cookie }, signal: abort.signal })
  if (res.status === 404) throw new FeedNotBuilt('GET /api/feed: 404')
  if (!res.ok || !res.body) throw new Error(`GET /api/feed: ${res.status}`)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n')
          const message = data ? parseFeedMessage(data) : null
          const event = message ? FeedEvent.safeParse(message) : null
          if (event?.success) onEvent(event.data)
        }
      }
    } catch {
      // aborted
    }
  })()
  return { stop: () => abort.abort() }
}

/**
 * `readers` SSE streams of the demo user's workspace; one Yjs client edits a deal's title on the pipeline
 * document, stamped with its send time; each reader records arrival − send when the deal's `upsert` event carries
 * that title (the deal in its own document, `W/deal/D`). Sequential rounds (next when every reader got it, 5 s cap = lost), after 10 warm-up rounds.
 */
export async function measureFeed(server: BenchServer, readers: number, rounds: number): Promise<FeedResult> {
  const w = await rapportWorkload(server, 0)
  const session = await login(server.url, DEMO_LOGIN.email, DEMO_LOGIN.password)
  let round = -1
  let received = 0
  let samples: number[] = []
  let wake: (() => void) | null = null
  const streams: Reader[] = []
  const writer = new SyncClient({
    protocol: 'hocuspocus',
    url: server.wsUrl,
    docName: w.probeDoc,
    token: w.token,
  })
  try {
    for (let i = 0; i < readers; i++) {
      streams.push(
        await openReader(server.url, session.cookie, (e) => {
          if (e.kind !== 'deals' || e.id !== DEAL_ID || e.op !== 'upsert') return
          const match = MARK.exec(typeof e.row?.title === 'string' ? e.row.title : '')
          if (!match || Number(match[1]) !== round) return
          samples.push(nowMs() - Number(match[2]))
          received++
          if (received >= readers) wake?.()
        }),
      )
    }
    await writer.connect()
    ensureDeal(writer.doc, DEAL_ID, w.pipelineId, w.stageId, 'feed probe', w.probeAccountId)
    await waitUntil(() => writer.doc.getMap('deals').has(DEAL_ID), 10_000, 'the feed probe deal')
    const warmup = 10
    let lost = 0
    for (let r = 0; r < warmup + rounds; r++) {
      if (r === warmup) {
        samples = []
        lost = 0
      }
      round = r
      received = 0
      let timer: NodeJS.Timeout | undefined
      const done = new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, ROUND_TIMEOUT_MS)
      })
      setField(writer.doc, 'deals', DEAL_ID, 'title', `feed:${r}:${nowMs()}`)
      await done
      clearTimeout(timer)
      wake = null
      lost += readers - received
    }
    return { readers, rounds, samples: samples.length, lost, latencyMs: summarize(samples) }
  } finally {
    for (const s of streams) s.stop()
    await writer.close()
  }
}
