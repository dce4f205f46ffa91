import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { docName, feedEventsOf, isFeedMarker, parseFeedMessage } from '@rapport/model'
import * as Y from 'yjs'
import { NodeWebSocket } from '../integration/helpers/NodeWebSocket.ts'
import { mainThreadCpuMs, peakRssBytes, sampleProcess } from './lib/procStats.ts'
import { login } from './lib/rapportSession.ts'
import { SyncClient } from './lib/SyncClient.ts'
import type { BenchServer } from './lib/servers.ts'
import { nowMs, type Summary, summarize, waitUntil } from './lib/stats.ts'
import { ensureDeal, onFieldChange, rapportWorkload, setField } from './lib/workload.ts'

/** Issue #14: a CSV of contacts imported by the server's job while another user keeps editing a deal. */
export type ImportResult = {
  rows: number
  /** Upload answered → job `done`. */
  totalMs: number
  uploadMs: number
  rowsPerSecond: number
  created: number
  failed: number
  /** Server RSS before the upload, and its peak (VmHWM) at the end. */
  rssBeforeMb: number
  rssPeakMb: number
  /**
   * Server CPU from the start to `done`: the whole process and its main thread (the event loop others' edits wait
   * on), per 1,000 rows — steadier from run to run than a p99 on a noisy machine.
   */
  cpuMsPer1000Rows?: { process: number; mainThread: number }
  /** Another user's edit → the remote replica, on a deal document: idle, then during the import. */
  idleMs: Summary
  duringMs: Summary
  /** Each probe round during the import as [sent, seen] in µs of the monotonic clock (importTail.ts' profile windows). */
  duringRoundsUs?: Array<[number, number]>
  /** Colleagues following the change feed during the import, and the record events they received in all. */
  feed?: { followers: number; events: number }
}

/** Colleagues with the app open during the import: the writer's and the reader's users, each following the feed. */
const FEED_FOLLOWERS = 2

async function followFeed(wsUrl: string, workspaceId: string, token: string, count: number) {
  let events = 0
  let live = 0
  const closers: Array<() => void> = []
  for (let i = 0; i < count; i++) {
    const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: NodeWebSocket })
    const provider = new HocuspocusProvider({
      websocketProvider: socket,
      name: docName({ workspaceId, kind: 'feed' }),
      document: new Y.Doc(),
      token,
      awareness: null,
    })
    provider.on('synced', ({ state }: { state: boolean }) => {
      // As the web app asks (useFeed.ts): events committed together as one `batch` message.
      if (state) provider.sendStateless(JSON.stringify({ type: 'resume', batch: true }))
    })
    provider.on('stateless', ({ payload }: { payload: string }) => {
      const message = parseFeedMessage(payload)
      if (!message) return
      if (isFeedMarker(message)) {
        if (message.type === 'live') live += 1
      } else events += feedEventsOf(message).length
    })
    provider.attach()
    closers.push(() => {
      provider.destroy()
      socket.destroy()
    })
  }
  await waitUntil(() => live >= count, 30_000, 'feed followers live')
  return {
    count,
    events: () => events,
    close: () => {
      for (const c of closers) c()
    },
  }
}

const ADMIN = { email: 'admin@rapport.dev', password: 'rapport-demo' }
const EDIT_TIMEOUT_MS = 10_000
/**
 * Rounds start at least this far apart (at most 100 edits/s): a user types far slower, and a writer looping with no
 * pause exceeds the server's per-connection message limit (300/s, `limitsExtension`) once edits come back in ~3 ms,
 * which closes its connection (4429 `Too many messages`) and the probe never sees its edit.
 */
const PROBE_INTERVAL_MS = 10

/** One probe round: the writer sets the field, resolves when the reader saw it (ms). */
async function probeRound(
  writer: SyncClient,
  _reader: SyncClient,
  dealId: string,
  round: { n: number; wake: (() => void) | null; lastStart: number },
) {
  const since = nowMs() - round.lastStart
  if (since < PROBE_INTERVAL_MS)
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS - since))
  round.lastStart = nowMs()
  const mark = `import:${++round.n}`
  const seen = new Promise<void>((resolve) => {
    round.wake = resolve
  })
  const started = nowMs()
  setField(writer.doc, 'deals', dealId, 'title', mark)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`edit ${mark} not seen in ${EDIT_TIMEOUT_MS} ms`)),
      EDIT_TIMEOUT_MS,
    )
  })
  await Promise.race([seen, timeout])
  clearTimeout(timer)
  return nowMs() - started
}

/**
 * `rows` contacts (`BENCH_IMPORT_ROWS` overrides) generated into a temp CSV, uploaded (streamed) and imported on a Rapport with the demo seed; two
 * Yjs clients (writer, reader) edit the probe deal's title one round after another, idle first (`idleRounds`), then
 * for as long as the import runs; the server's RSS is sampled every 250 ms.
 */
export async function measureImport(
  log: (msg: string) => void,
  server: BenchServer,
  configuredRows: number,
  idleRounds: number,
): Promise<ImportResult> {
  // `BENCH_IMPORT_ROWS=20000 BENCH_ONLY=import pnpm bench`: a shorter local run (the report says how many rows).
  const rows = Number(process.env.BENCH_IMPORT_ROWS) || configuredRows
  const w = await rapportWorkload(server, 0)
  const admin = await login(server.url, ADMIN.email, ADMIN.password)
  const dir = mkdtempSync(join(tmpdir(), 'rapport-import-bench-'))
  const dealId = 'deal_bench_import_probe'
  const probeDoc = w.probeDoc.replace(/deal_bench_latency$/, dealId)
  // Colleagues with Rapport open (`BENCH_IMPORT_FEED_FOLLOWERS`, default FEED_FOLLOWERS): each follows W/feed as the
  // web app does (asking for batches), and receives every record the import creates.
  const followers = await followFeed(
    server.wsUrl,
    w.workspaceId,
    w.token,
    Number(process.env.BENCH_IMPORT_FEED_FOLLOWERS ?? FEED_FOLLOWERS),
  )
  const writer = new SyncClient({
    protocol: 'hocuspocus',
    url: server.wsUrl,
    docName: probeDoc,
    token: w.token,
  })
  const reader = new SyncClient({
    protocol: 'hocuspocus',
    url: server.wsUrl,
    docName: probeDoc,
    token: w.token,
  })
  const round: { n: number; wake: (() => void) | null; lastStart: number } = {
    n: 0,
    wake: null,
    lastStart: 0,
  }
  try {
    const file = join(dir, 'contacts.csv')
    const lines = ['First name,Last name,Email,Phone,Title']
    for (let i = 1; i <= rows; i++)
      lines.push(`Bench,"Person ${i}",bench${i}@import.bench,+1 555 ${String(i).padStart(7, '0')},Buyer`)
    writeFileSync(file, `${lines.join('\n')}\n`)

    await writer.connect()
    await reader.connect()
    ensureDeal(writer.doc, dealId, w.pipelineId, w.stageId, 'import probe', w.probeAccountId)
    await waitUntil(() => reader.doc.getMap('deals').has(dealId), 10_000, 'the import probe deal')
    onFieldChange(reader.doc, 'deals', 'title', (id, value) => {
      if (id === dealId && value === `import:${round.n}`) round.wake?.()
    })
    const idle: number[] = []
    for (let r = 0; r < 10 + idleRounds; r++) {
      const ms = await probeRound(writer, reader, dealId, round)
      if (r >= 10) idle.push(ms)
    }
    const rssBefore = sampleProcess(server.pid).rssBytes

    log(`import: uploading ${rows} contacts`)
    const uploadStart = nowMs()
    const upload = await fetch(`${server.url}/api/imports?kind=contacts&fileName=bench.csv`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    const uploaded = (await upload.json()) as { id: string }
    if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${JSON.stringify(uploaded)}`)
    const uploadMs = nowMs() - uploadStart

    const mapping = {
      'First name': 'firstName',
      'Last name': 'lastName',
      Email: 'email',
      Phone: 'phone',
      Title: 'title',
    }
    const cpuBefore = { process: sampleProcess(server.pid).cpuMs, main: mainThreadCpuMs(server.pid) }
    const started = nowMs()
    const start = await fetch(`${server.url}/api/imports/${uploaded.id}/start`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ mapping, duplicates: { policy: 'skip', matchOn: 'email' } }),
    })
    if (start.status !== 202) throw new Error(`start: ${start.status} ${await start.text()}`)
    let status = { status: 'running', created: 0, failed: 0, processed: 0 }
    let finished = false
    const poll = (async () => {
      while (!finished) {
        const res = await fetch(`${server.url}/api/imports/${uploaded.id}`, {
          headers: { cookie: admin.cookie },
        })
        status = (await res.json()) as typeof status
        if (status.status !== 'running') finished = true
        else await new Promise((resolve) => setTimeout(resolve, 250))
      }
    })()
    const during: number[] = []
    const duringRoundsUs: Array<[number, number]> = []
    let lastLog = nowMs()
    try {
      while (!finished) {
        const ms = await probeRound(writer, reader, dealId, round)
        const seenUs = Number(process.hrtime.bigint() / 1000n)
        during.push(ms)
        duringRoundsUs.push([seenUs - ms * 1000, seenUs])
        if (nowMs() - lastLog > 10_000) {
          lastLog = nowMs()
          log(`import: ${status.processed} rows, ${during.length} probe edits`)
        }
      }
    } catch (error) {
      // The phase fails with the probe's error; the status poll stops (the server goes away after the phase).
      finished = true
      await poll.catch(() => undefined)
      throw error
    }
    await poll
    const totalMs = nowMs() - started
    const per1000 = (ms: number) => Math.round((ms / rows) * 1000 * 10) / 10
    const cpuMsPer1000Rows = {
      process: per1000(sampleProcess(server.pid).cpuMs - cpuBefore.process),
      mainThread: per1000(mainThreadCpuMs(server.pid) - cpuBefore.main),
    }
    if (status.status !== 'done') throw new Error(`import ended ${status.status}`)
    return {
      rows,
      totalMs: Math.round(totalMs),
      uploadMs: Math.round(uploadMs),
      rowsPerSecond: Math.round((rows / totalMs) * 1000),
      created: status.created,
      failed: status.failed,
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      rssPeakMb: Math.round(peakRssBytes(server.pid) / 2 ** 20),
      cpuMsPer1000Rows,
      idleMs: summarize(idle),
      duringMs: summarize(during),
      duringRoundsUs,
      feed: { followers: followers.count, events: followers.events() },
    }
  } finally {
    log(`import: feed followers got ${followers.events()} events`)
    followers.close()
    await writer.close()
    await reader.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
