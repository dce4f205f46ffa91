import type { QueryResult } from '../bigWorkspace.ts'
import type { BrowserResult } from '../browser.ts'
import { dashboardSection, dashboardTargets } from '../dashboard.ts'
import { renderDedupe } from '../dedupeBench.ts'
import type { LatencyResult } from '../latency.ts'
import { renderReports } from '../reports.ts'
import { MAX_RATE_PER_WRITER } from '../throughput.ts'
import { issue12Section } from './renderIssue12.ts'
import type { BenchResults, ServerRun } from './results.ts'

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(2)
const int = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en')
const kb = (v: number | null | undefined) => (v === null || v === undefined ? '—' : (v / 1024).toFixed(1))
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`

/** The raw `ws` fan-out server's run: the harness + machine latency floor. */
const FLOOR = 'raw-fanout'

function lat(runs: ServerRun[], server: string, clients: number): LatencyResult | undefined {
  return runs.find((r) => r.server === server)?.latency.find((l) => l.clients === clients)
}

function isBrowser(v: BenchResults['browser']): v is BrowserResult {
  return v !== null && !('error' in v)
}

type Target = { target: string; measured: string; status: string; note: string }

function targets(r: BenchResults): Target[] {
  const out: Target[] = []
  const rap = r.servers.find((s) => s.server === 'rapport')
  for (const n of [2, 50, 200]) {
    const a = lat(r.servers, 'rapport', n)
    const b = lat(r.servers, 'hocuspocus', n)
    const limit = b ? b.latencyMs.p99 * 1.25 : undefined
    out.push({
      target: `latency p99 ≤ 1.25× bare Hocuspocus, ${n} clients`,
      measured:
        a && b
          ? `pooled ${ms(a.latencyMs.p99)} ms vs ${ms(b.latencyMs.p99)} ms (${ratio(a.latencyMs.p99, b.latencyMs.p99)}); median of block p99s ${ms(a.medianBlockP99Ms)} vs ${ms(b.medianBlockP99Ms)} ms (${ratio(a.medianBlockP99Ms, b.medianBlockP99Ms)})`
          : '—',
      status: !a || limit === undefined ? 'not measured' : a.latencyMs.p99 <= limit ? 'met' : 'NOT met',
      note: !a
        ? (rap?.error ?? 'Rapport run missing')
        : `Ratio of the pooled p99s (${a.latencyMs.n} vs ${b?.latencyMs.n ?? 0} samples, ${a.blocks} blocks interleaved with the other servers). What limits it: the broadcast waits for nothing of Rapport's (no disk, no index), but Rapport's work shares the event loop with it — after every update the projection (zod parse of the record, list views), the audit, validation and the durable log append (a SQLite row; the acknowledgement waits for its group fsync); and, while edits continue, an index batch built every 20 ms (coalesced; its statements run in the index thread, \`INDEX_THREAD=all\`), an audit entry written into the probe deal's account room about every 250 ms and a debounced store every 2 s. The rounds run back to back, so each round's after-work delays the next: little in the median, more in the tail, which varies by tens of percent between runs on this shared 2-core machine (tests/bench/tailProfile.ts: Rapport's main thread ~650 µs of CPU per 2-client round against ~210–320 µs for the whole bare Hocuspocus process). Moving projection, audit and the log append off the broadcast's event loop (a worker) is the next step, not done.`,
    })
  }
  const a50 = lat(r.servers, 'rapport', 50)
  const h50 = lat(r.servers, 'hocuspocus', 50)
  const y50 = lat(r.servers, 'y-websocket', 50)
  const f50 = lat(r.servers, FLOOR, 50)
  out.push({
    target: 'latency p50 < 1 ms, 50 clients, loopback',
    measured: a50
      ? `${ms(a50.latencyMs.p50)} ms (the harness + machine floor: ${ms(f50?.latencyMs.p50)} ms)`
      : '—',
    status: !a50 ? 'not measured' : a50.latencyMs.p50 < 1 ? 'met' : 'NOT met',
    note: `Bare Hocuspocus ${ms(h50?.latencyMs.p50)} ms, y-websocket ${ms(y50?.latencyMs.p50)} ms, and a raw \`ws\` fan-out server with raw clients (no Yjs anywhere) ${ms(f50?.latencyMs.p50)} ms in the same harness: 49 readers share one client process (and the 2 cores with the server), so the median reader is handled after ~24 others. The raw fan-out p50 is the harness + machine floor, not a server cost.`,
  })
  const mem = rap?.memory
  out.push({
    target: 'memory < 50 KB per idle connection',
    measured: mem ? `${kb(mem.heapPerConnectionBytes)} KB` : '—',
    status: !mem ? 'not measured' : mem.heapPerConnectionBytes < 50 * 1024 ? 'met' : 'NOT met',
    note: mem
      ? `Rapport heapUsed + external growth after a full GC with ${mem.connections} idle connections on the board document, / ${mem.connections} (see Memory after full GC; RSS after GC ${kb(mem.rssPerConnectionBytes)} KB, RSS without GC ${kb(mem.rssNoGcPerConnectionBytes)} KB).`
      : (rap?.error ?? 'Rapport run missing'),
  })
  const search = r.bigWorkspace?.search
  out.push({
    target: 'search p99 < 20 ms',
    measured: search ? `${ms(search.latencyMs.p99)} ms` : '—',
    status: !search
      ? 'not measured'
      : search.non200 > 0
        ? 'errors'
        : search.latencyMs.p99 < 20
          ? 'met'
          : 'NOT met',
    note: search
      ? `${search.latencyMs.n} sequential HTTP requests over the big workspace (after 10 warm-up requests), incl. client fetch overhead${search.non200 ? `; ${search.non200} non-200 answers` : ''}.`
      : (r.bigWorkspace?.error ?? 'big workspace phase did not reach the search step'),
  })
  const br = isBrowser(r.browser) ? r.browser : null
  const brErr = r.browser && 'error' in r.browser ? `Not yet measured: ${r.browser.error}` : ''
  out.push(
    {
      target: 'remote move → DOM p95 < 50 ms',
      measured: br ? `${ms(br.remoteMoveToDomMs.p95)} ms` : '—',
      status: !br ? 'not measured' : br.remoteMoveToDomMs.p95 < 50 ? 'met' : 'NOT met',
      note: br
        ? 'Node client writes, MutationObserver in the page stamps arrival; both on the system clock.'
        : brErr,
    },
    {
      target: `${r.browser && isBrowser(r.browser) ? r.browser.deals : 5000}-deal board first render < 1 s`,
      measured: br ? `${int(br.firstRenderMs)} ms` : '—',
      status: !br ? 'not measured' : br.firstRenderMs < 1000 ? 'met' : 'NOT met',
      note: br
        ? `Median of ${br.firstRenderRunsMs.length} first visits on a new device (${br.firstRenderRunsMs.map(int).join(', ')} ms): navigation start → the first card in the DOM, painted from the server's board snapshot while the ${(br.liveBoardMs / 1000).toFixed(1)} s pipeline-document sync runs. What is left is the app bundle: ~370 ms to evaluate ~600 kB of JavaScript (React, zod schemas, Yjs) on this machine before anything renders.`
        : brErr,
    },
    {
      target: 'drag frames p95 < 16 ms',
      measured: br ? `${ms(br.dragFrameMs.p95)} ms` : '—',
      status: !br
        ? 'not measured'
        : !br.dragLanded
          ? 'inconclusive: the drag did not complete'
          : br.dragFrameMs.p95 <= 17
            ? 'met (no dropped frame)'
            : 'NOT met',
      note: br
        ? 'rAF deltas while dragging. Headless Chromium paces rAF at 60 Hz, so a perfect frame reads 16.7 ms: ≤ 17 ms counts as met.'
        : brErr,
    },
    {
      target: 'account room editable < 300 ms',
      measured: br ? `${int(br.accountRoomEditableMs)} ms` : '—',
      status: !br ? 'not measured' : br.accountRoomEditableMs < 300 ? 'met' : 'NOT met',
      note: br
        ? `Median of ${br.accountRoomRunsMs.length} in-app navigations from the live board to a room with a 300-paragraph note (${br.accountRoomRunsMs.map(int).join(', ')} ms): route change → contenteditable editor. Opening the room in a new tab (bundle, session, socket) takes ${int(br.accountRoomColdMs)} ms.`
        : brErr,
    },
  )
  out.push(...dashboardTargets(r.dashboard))
  return out
}

function latencyTable(r: BenchResults): string[] {
  const lines = [
    '| clients | server | p50 ms | p95 ms | p99 ms | max ms | median of block p99s ms | samples | lost | vs Hocuspocus p99 | vs y-websocket p99 |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const n of [...new Set(r.servers.flatMap((s) => s.latency.map((l) => l.clients)))]) {
    for (const s of r.servers) {
      const l = s.latency.find((x) => x.clients === n)
      if (!l) continue
      lines.push(
        `| ${n} | ${s.server === FLOOR ? 'raw ws fan-out (floor)' : s.server} | ${ms(l.latencyMs.p50)} | ${ms(l.latencyMs.p95)} | ${ms(l.latencyMs.p99)} | ${ms(l.latencyMs.max)} | ${ms(l.medianBlockP99Ms)} | ${l.samples} | ${l.lost} | ${ratio(l.latencyMs.p99, lat(r.servers, 'hocuspocus', n)?.latencyMs.p99)} | ${ratio(l.latencyMs.p99, lat(r.servers, 'y-websocket', n)?.latencyMs.p99)} |`,
      )
    }
  }
  return lines
}

/**
 * What durable acknowledgement costs: Rapport acknowledges an update only once it is in the document's log
 * (group-committed fdatasync); bare Hocuspocus acknowledges it when applied in memory. Edit-to-remote is measured
 * in the same rounds: the broadcast leaves before the log write.
 */
function durabilityTable(r: BenchResults): string[] {
  const lines = [
    '| clients | server | edit-to-ack p50 ms | p95 ms | p99 ms | edit-to-remote p50 ms | ack p50 − remote p50 ms | ack p50 vs Hocuspocus ack p50 |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const n of [...new Set(r.servers.flatMap((s) => s.latency.map((l) => l.clients)))]) {
    for (const s of r.servers) {
      const l = s.latency.find((x) => x.clients === n)
      if (!l?.ackMs) continue
      const diff = l.ackMs.p50 - l.latencyMs.p50
      lines.push(
        `| ${n} | ${s.server} | ${ms(l.ackMs.p50)} | ${ms(l.ackMs.p95)} | ${ms(l.ackMs.p99)} | ${ms(l.latencyMs.p50)} | ${ms(diff)} | ${ratio(l.ackMs.p50, lat(r.servers, 'hocuspocus', n)?.ackMs?.p50)} |`,
      )
    }
  }
  return lines.length > 2 ? lines : ['Not measured (no Hocuspocus-protocol server in this run).']
}

function throughputTable(r: BenchResults): string[] {
  const lines = [
    '| mode | writers | docs | server | updates/s | server CPU % | client CPU % | server CPU ms / 1k updates | RSS after MB |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of r.servers) {
    for (const t of s.throughput) {
      lines.push(
        `| ${t.mode} | ${t.writers} | ${t.documents} | ${s.server} | ${int(t.updatesPerSecond)} | ${t.serverCpuPct} | ${t.clientCpuPct} | ${t.serverCpuMsPer1kUpdates} | ${(t.rssAfterBytes / 2 ** 20).toFixed(0)} |`,
      )
    }
  }
  return lines
}

function memoryTable(r: BenchResults): string[] {
  const rows = r.servers.flatMap((s) => (s.memory ? [s.memory] : []))
  if (rows.length === 0) return ['Not run.']
  return [
    '| server | heap + external / idle connection KB | RSS after GC / idle connection KB | RSS without GC / idle connection KB (former method) | heap + external / loaded document KB | heap + external after GC, board doc + idle clients MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (m) =>
        `| ${m.server} | ${kb(m.heapPerConnectionBytes)} | ${kb(m.rssPerConnectionBytes)} | ${kb(m.rssNoGcPerConnectionBytes)} | ${kb(m.heapPerDocumentBytes)} | ${((m.after.heapUsed + m.after.external) / 2 ** 20).toFixed(1)} |`,
    ),
  ]
}

/** ` in 6 min 12 s` (the whole run), or '' when a time is missing. */
function duration(r: BenchResults): string {
  const ms = Date.parse(r.finishedAt) - Date.parse(r.startedAt)
  if (!Number.isFinite(ms)) return ''
  const s = Math.round(ms / 1000)
  return ` in ${Math.floor(s / 60)} min ${s % 60} s`
}

/** How the run was limited (`BENCH_QUICK`, `BENCH_ONLY`), for the header; empty for a full run. */
function runLimits(r: BenchResults): string {
  const limits = [
    ...(r.quick ? ['QUICK mode (`BENCH_QUICK=1`, small samples: smoke only, do not quote)'] : []),
    ...(r.only ? [`only \`${r.only.join(',')}\` (\`BENCH_ONLY\`)`] : []),
    ...(r.bigSize === 'small' ? ['the smaller workspace (`BENCH_BIG=small`)'] : []),
  ]
  return limits.length ? ` — ${limits.join(', ')}` : ''
}

function bigSection(r: BenchResults): string[] {
  const b = r.bigWorkspace
  if (!b) return ['Not run.']
  const q = (x: QueryResult) =>
    `| \`${x.path}\` | ${ms(x.latencyMs.p50)} | ${ms(x.latencyMs.p99)} | ${x.latencyMs.n} | ${x.non200} | ${int(x.bytesMedian)} |`
  const size = Object.entries(b.size)
    .map(([k, v]) => `${int(v)} ${k}`)
    .join(', ')
  const lines = [
    `Workspace: ${size}; generated in ${int(b.generateMs)} ms; data dir ${b.dataBytes === undefined ? '—' : (b.dataBytes / 2 ** 20).toFixed(1)} MB.`,
    '',
  ]
  if (b.error) lines.push(`**Phase failed**: ${b.error}`, '')
  if (b.firstStart) {
    lines.push(
      `- First start on the generated data dir (builds the record index, migrates if needed): /api/health after ${int(b.firstStart.serveMs)} ms; search finds the last generated deal after ${b.firstStart.searchReadyMs === null ? 'not within 60 s' : `${int(b.firstStart.searchReadyMs)} ms`}${b.cache?.hit ? ` (measured when the bench's cache entry was built, ${b.cache.builtAt}; this run copied that data dir in ${int(b.cache.copyMs)} ms)` : ''}.`,
    )
  }
  lines.push(
    `- Cold start${b.firstStart ? ' (the restart after it)' : ''} (spawn → /api/health 200): **${int(b.coldStartMs)} ms**; search finds the last generated deal after ${b.searchReadyMs === null ? 'not within 60 s' : `${int(b.searchReadyMs)} ms`}${b.coldStarts && b.coldStarts.length > 1 ? ` (medians of ${b.coldStarts.length} restarts: ${b.coldStarts.map((c) => `${int(c.serveMs)}/${c.searchReadyMs === null ? '—' : int(c.searchReadyMs)}`).join(', ')} ms)` : ''}.`,
  )
  if (b.largestDocument) {
    lines.push(
      `- Largest document \`${b.largestDocument.name}\`: ${kb(b.largestDocument.bytes)} KB; store (encode + ${b.largestDocument.kind ?? b.storeKind ?? 'lowdb'} write) p50 ${ms(b.largestDocument.storeMs.p50)} ms, max ${ms(b.largestDocument.storeMs.max)} ms.`,
    )
  } else lines.push('- Largest document store: not measured.')
  const t = b.typing
  lines.push(
    t
      ? `- Continuous typing (${int(t.keystrokes)} keystrokes over ${int(t.durationMs)} ms into one note): **${t.stores} stores** (no storm if ≤ ${t.expectedMax}: one per 10 s max-debounce + final), ${t.storeFailures} failures → ${t.stores <= t.expectedMax ? 'no store storm' : 'STORE STORM'}.`
      : '- Continuous typing: not measured.',
    '',
  )
  if (b.firstSync?.length) {
    lines.push('| first sync of | ms | bytes |', '| --- | ---: | ---: |')
    lines.push(...b.firstSync.map((f) => `| ${f.label} | ${int(f.ms)} | ${int(f.bytes)} |`), '')
  }
  const queries = [...(b.search ? [b.search] : []), ...(b.lists ?? [])]
  if (queries.length) {
    lines.push(
      '| query | p50 ms | p99 ms | n | non-200 | median bytes |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    )
    lines.push(...queries.map(q))
  }
  return lines
}

function browserSection(r: BenchResults): string[] {
  const b = r.browser
  if (!b) return ['Not run.']
  if (!isBrowser(b)) return [`**Not yet measured**: ${b.error}`]
  return [
    `Board of ${int(b.deals)} deals, headless Chromium (${'/usr/bin/chromium'}).`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| first visit, new device: navigation → first card (server snapshot), median | ${int(b.firstRenderMs)} ms (${b.firstRenderRunsMs.map(int).join(', ')}) |`,
    `| first visit, new device: navigation → live board (document synced, cards draggable), median | ${int(b.liveBoardMs)} ms |`,
    `| second tab (IndexedDB copy): navigation → first live card | ${int(b.warmRenderMs)} ms |`,
    ...(b.faces === undefined
      ? []
      : [
          `| board faces route (every card, one response): navigation → response end, median / alone, median | ${int(b.faces.inPageMs)} / ${int(b.faces.ms)} ms (${int(b.faces.cards)} cards, ${int(b.faces.bytes)} bytes, ${int(b.faces.gzipBytes)} gzipped; the server sends it gzipped when asked) |`,
        ]),
    `| drag frame p50 / p95 / max | ${ms(b.dragFrameMs.p50)} / ${ms(b.dragFrameMs.p95)} / ${ms(b.dragFrameMs.max)} ms (${b.dragFrameMs.n} frames; the card ${b.dragLanded ? 'landed in the target column' : 'did NOT land in the target column'}) |`,
    `| remote move → DOM p50 / p95 | ${ms(b.remoteMoveToDomMs.p50)} / ${ms(b.remoteMoveToDomMs.p95)} ms (${b.remoteMoveToDomMs.n} moves) |`,
    `| account room, in-app navigation → editable note, median | ${int(b.accountRoomEditableMs)} ms (${b.accountRoomRunsMs.map(int).join(', ')}) |`,
    `| account room, new tab → editable note | ${int(b.accountRoomColdMs)} ms |`,
    ...(b.accountRoomNewDeviceMs === undefined
      ? []
      : [
          `| account room, new device → editable note, median | ${int(b.accountRoomNewDeviceMs)} ms (${(b.accountRoomNewDeviceRunsMs ?? []).map(int).join(', ')}) |`,
        ]),
    ...(b.listFirstPageMs === undefined
      ? []
      : [
          `| accounts list, in-app navigation → first row, median | ${int(b.listFirstPageMs)} ms (${(b.listRunsMs ?? []).map(int).join(', ')}) |`,
        ]),
    ...(b.pageErrors.length
      ? ['', `Uncaught page errors on the board: ${b.pageErrors.map((e) => `\`${e}\``).join('; ')}`]
      : []),
  ]
}

function importSection(r: BenchResults): string[] {
  const i = r.import
  if (!i) return ['Not run.']
  if ('error' in i) return [`**Phase failed**: ${i.error}`]
  return [
    `${int(i.rows)} contacts from a CSV file (upload ${int(i.uploadMs)} ms, streamed to disk), imported by the server's job (skip duplicates by email) on a fresh Rapport with the demo seed, while a second user edits a deal's title one round after another (rounds at least 10 ms apart: a writer with no pause would pass the server's 300 messages/s per connection) and a third replica waits for each edit${i.feed ? `; ${int(i.feed.followers)} colleagues have Rapport open, each following the change feed as the web app does (asking for batches: the events the index commits together come as one message), ${int(i.feed.events)} record events received in all` : ''}. With someone editing live (a client's change within the last second), the job gives way: before each batch of 1,000 rows it pauses so that it takes 0.7 of the time (\`IMPORT_LIVE_SHARE\`, \`imports/ImportJobs.ts\`), so the total below is the time with an editor present; with nobody editing it runs at full speed (30k rows with the same editor, 5 + 5 runs alternated in \`tests/bench/importAB.ts\`: 8.9–10.2 s with \`IMPORT_LIVE_SHARE=1\`, 12.7–14.5 s giving way; the editor's p99 during it median 10.5 vs 8.9 ms).`,
    '',
    '| measure | value | target |',
    '| --- | ---: | --- |',
    `| total (start → done) | ${int(i.totalMs)} ms (${int(i.rowsPerSecond)} rows/s) | < 60,000 ms |`,
    `| created / failed | ${int(i.created)} / ${int(i.failed)} | all rows |`,
    `| server RSS before / peak (VmHWM) | ${int(i.rssBeforeMb)} / ${int(i.rssPeakMb)} MB | bounded |`,
    ...(i.cpuMsPer1000Rows
      ? [
          `| server CPU per 1,000 rows: main thread (event loop) / whole process | ${i.cpuMsPer1000Rows.mainThread} / ${i.cpuMsPer1000Rows.process} ms | |`,
        ]
      : []),
    `| edit-to-remote idle p50 / p99 | ${ms(i.idleMs.p50)} / ${ms(i.idleMs.p99)} ms (n=${i.idleMs.n}) | |`,
    `| edit-to-remote during the import p50 / p99 | ${ms(i.duringMs.p50)} / ${ms(i.duringMs.p99)} ms (n=${i.duringMs.n}) | p99 < 2× idle (${ratio(i.duringMs.p99, i.idleMs.p99)}: ${i.duringMs.p99 < 2 * i.idleMs.p99 ? 'met' : 'NOT met'}) |`,
    '',
    `The idle figure is the p99 of the ${int(i.idleMs.n)} probe rounds (10 ms apart) before the upload, on the same server: with 200 rounds (until stop 21) it was the second-worst round and swung between 3.1 and 7.2 ms from one run to the next, which decided the ratio more than the import did. The feed followers were added at stop 24: with two of them taking one message per event (before the feed's batches), the p99 during a 100k import was 20.0 ms (4.37× idle), the main thread's CPU 111 instead of 75 ms per 1,000 rows.`,
  ]
}

/** docs/benchmarks.md, regenerated by a full `pnpm bench` (a quick or partial run renders it to tests/bench/results/latest.md). */
export function renderReport(r: BenchResults): string {
  const m = r.machine
  const memory = r.servers.find((s) => s.memory)?.memory
  const connections = memory?.connections ?? '—'
  const documents = memory?.documents ?? '—'
  const blocks = r.servers.find((s) => s.latency.length)?.latency[0]?.blocks ?? '—'
  const errors = r.servers.filter((s) => s.error).map((s) => `- ${s.server}: **failed**: ${s.error}`)
  return [
    '# Benchmarks',
    '',
    `> Generated by \`pnpm bench\`${runLimits(r)} on ${r.finishedAt}${duration(r)}. Raw results: \`tests/bench/results/*.json\` (git-ignored). Do not edit by hand.`,
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.platform}; Node ${m.node}`,
    `- Packages: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '- The machine is shared with other work (2 cores): treat differences below ~20 % as noise.',
    '',
    '## Method',
    '',
    '- **Processes**: every server runs in its own child process (`node --import tsx`, so its pid is the server itself); all clients run in the bench process. Server CPU and RSS come from `/proc/<pid>/stat` and `/proc/<pid>/status`. Only 127.0.0.1.',
    '- **Servers**: Rapport (`apps/server/src/main.ts` as production runs it, env PORT/HOST/DATA_DIR; a copy of a data dir seeded once with the demo workspace; its default document store, every extension); bare Hocuspocus 3.4.3 (`new Server({ port })`, no extensions); stock `@y/websocket-server` 0.1.1 (its `y-websocket` bin; 0.1.5 pulls a yjs 14 pre-release, 0.1.1 uses the yjs 13 everything else runs).',
    "- **Client**: one raw y-protocols sync client (`tests/bench/lib/SyncClient.ts`) for all three servers, so client cost is identical; only the framing differs (Hocuspocus: document-name prefix + an Auth message with the token, empty for the bare server; y-websocket: document name in the URL). No awareness traffic. Rapport clients log in through `POST /api/auth/login` as the demo sales user, get `POST /api/auth/collab-token`, and open `<workspace>/pipeline/<pipeline>` (names from the model's `docName`); the baselines get the same names. Their documents start empty while Rapport's board holds the seeded demo deals (~50 KB on first sync); the measured edits are the same bytes. The latency probe deal belongs to an account (on Rapport a real one), so on Rapport every probe edit also runs the audit path (a coalesced field-change entry in that account's room).",
    "- **Latency**: per round one client (rotating) sets a deal's `title` to a string carrying its send time (`performance.timeOrigin + performance.now()`); every other client records arrival − send. Next round when all readers got it (5 s cap, counted as lost).",
    `- **Latency, interleaved**: for each client count the clients of every server are connected at the same time (a server's clients sit idle while another server is measured), then every server (via its memory probe, see Memory) and the client process run a full GC, so that the garbage of connecting is not collected inside whichever turn comes first. ${blocks} blocks each run 1/${blocks} of the rounds on every server in turn (a server's first turn starts with 10 discarded warm-up rounds), the order rotating by one server per block, so that noise on the shared machine falls on all servers alike. After each server's turn the bench waits until Rapport's \`/api/health\` shows no dirty document and no store in flight (its persistence stores ~2 s after the last edit), so Rapport's deferred store never runs inside another server's turn; it is therefore in no latency sample. Tables show p50/p95/p99 of the samples pooled over the blocks and the median of the per-block p99s; the p99 ratio in Targets is of the pooled p99s.`,
    '- **Latency floor**: `tests/bench/servers/rawFanout.ts`, a bare `ws` server that forwards every binary message to all other sockets and does nothing else, measured in the same blocks with raw `ws` clients: the writer sends 16 bytes (round, send time), readers stamp the arrival. No Yjs on either side, so its latency is what the harness and the machine cost.',
    `- **Throughput**: each writer owns one record and keeps at most 4 updates in flight (sent but not yet seen by an observer client of its document), capped at ${MAX_RATE_PER_WRITER} updates/s per writer (below Rapport's 300 messages/s flood limit, same cap for all servers). Counted at the observer; server CPU over the same window. Many-documents mode: 100 account rooms, one writer + one observer each.`,
    `- **Memory (after full GC)**: every server child runs with \`--expose-gc\` and a bench-only preload (\`tests/bench/servers/memoryProbe.ts\`) that, on SIGUSR2, runs \`gc()\` twice (one event-loop turn apart) and prints \`process.memoryUsage()\`. Per idle connection: one client opens the board document, so the document itself (and for Rapport its load from storage) is in memory before the first sample; then ${connections} more clients open the same document and complete their first sync (no edits, no awareness), and the server is sampled again. Counted per connection: Δ(heapUsed + external) / ${connections}, i.e. the socket, the server's connection objects and whatever per-connection state its hooks keep; not counted: kernel socket buffers and native memory V8 does not account as external. RSS after GC (same samples) and RSS without GC (sampled just before each GC, the former measure) are shown for comparison; RSS also holds pages V8 and the allocator keep after collecting. Per loaded document: with one client on each of ${documents} empty account-room documents, Δ(heapUsed + external) / ${documents} minus one idle connection.`,
    "- **Big workspace**: on a copy of the seeded data dir, the bench writes the generated records with the model's commands through the server's `DocumentStore` of the data dir (SQLite or lowdb, as the seed left it; fixed PRNG seed); then a cold start is timed, each document's first sync, REST search and list queries (sequential, each series after 10 discarded warm-up requests; the search series starts once the server has unloaded the documents of the first syncs), the store of the largest document, and continuous typing (one key / 50 ms) into one note while `/api/health` counts stores.",
    '- **Browser**: headless `/usr/bin/chromium` via playwright-core against the built web app served by Rapport; the board and the long notes are generated the same way. Each first visit runs in a new browser context that holds only the session cookie (logged in through the API: no IndexedDB copy, empty HTTP cache). Times are taken in the page (`performance.now()` when a MutationObserver first sees the element), so they start at the navigation (or the route change) and do not include Playwright’s polling.',
    '',
    ...(errors.length ? ['## Failures', '', ...errors, ''] : []),
    '## Targets',
    '',
    '| target | measured | status | note |',
    '| --- | --- | --- | --- |',
    ...targets(r).map((t) => `| ${t.target} | ${t.measured} | ${t.status} | ${t.note} |`),
    '',
    ...issue12Section(r),
    '',
    '## Edit-to-remote latency',
    '',
    ...latencyTable(r),
    '',
    '## Durable acknowledgement',
    '',
    "Rapport acknowledges an edit (the SyncStatus message that drops the provider's `unsyncedChanges`) only once its update is in the document's log on disk (group-committed fdatasync; `FSYNC=0` turns the fsync off); bare Hocuspocus acknowledges when the update is applied in memory. The writer's send → its acknowledgement, in the same rounds as the table above. The broadcast to the other clients leaves before the log write, so edit-to-remote does not carry this cost.",
    '',
    ...durabilityTable(r),
    '',
    '## Throughput, CPU and memory',
    '',
    ...throughputTable(r),
    '',
    "Known issue: rows where neither the server nor the client process is near 100 % CPU are bound by the harness (4 updates in flight per writer, ~1 ms timer polling), not by CPU; the one-document runs with 10+ writers show this on every server and under-report the servers' capacity. Compare servers row by row only.",
    '',
    `Server start (spawn → listening): ${r.servers.map((s) => `${s.server} ${int(s.startMs)} ms`).join(', ')}.`,
    '',
    '## Memory after full GC',
    '',
    ...memoryTable(r),
    '',
    '## Big workspace (Rapport)',
    '',
    ...bigSection(r),
    '',
    '## Reports (issue #13)',
    '',
    ...renderReports(r.reports ?? null),
    '',
    '## Browser',
    '',
    ...browserSection(r),
    '',
    '## Duplicates',
    '',
    ...renderDedupe(r.dedupe),
    '',
    '## CSV import (issue #14)',
    '',
    ...importSection(r),
    '',
    '## Dashboard (issue #13)',
    '',
    ...dashboardSection(r.dashboard),
    '',
  ].join('\n')
}
