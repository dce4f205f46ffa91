import type { BrowserResult } from '../browser.ts'
import type { ClientsResult } from '../clients.ts'
import { INDEXES_AFTER, type IndexImplResult, type IndexResult } from '../indexQueries.ts'
import { isBuilt } from './built.ts'
import type { BenchResults } from './results.ts'

/*
 * The issue #12 part of docs/benchmarks.md: every target of the issue as a row "target / measured / met or not /
 * what limits it" (also those the tree cannot measure yet: "not built yet"), then the tables of the phases that
 * measure them (clients, feed, index).
 */

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(2)
const int = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en')
const kb = (v: number | null | undefined) => (v === null || v === undefined ? '—' : (v / 1024).toFixed(1))
const mb = (v: number | null | undefined) => (v === null || v === undefined ? '—' : (v / 2 ** 20).toFixed(1))

type Row = { target: string; measured: string; status: string; limit: string }

const NOT_BUILT = 'not built yet'
const status = (measured: boolean, met: boolean) => (!measured ? 'not measured' : met ? 'met' : 'NOT met')

function browserOf(r: BenchResults): BrowserResult | null {
  return r.browser && !('error' in r.browser) ? r.browser : null
}

function clientsOf(r: BenchResults, server: string): ClientsResult | null {
  const c = r.clients?.find((x) => x.server === server && !('sharedAwareness' in x && x.sharedAwareness))
  return c && !('error' in c) ? c : null
}

function indexOf(r: BenchResults): IndexResult | null {
  return r.index && !('error' in r.index) ? r.index : null
}

function implOf(r: BenchResults, impl: 'sqlite' | 'postgres'): IndexImplResult | null {
  return indexOf(r)?.impls.find((i) => i.impl === impl) ?? null
}

const maxP99 = (impl: IndexImplResult | null, type: 'search' | 'list') => {
  const qs = impl?.queries?.filter((q) => q.type === type) ?? []
  return qs.length ? Math.max(...qs.map((q) => q.latencyMs.p99)) : null
}

/** Why a phase has no number: its error, or that it did not run. */
function missing(what: { error?: string } | null | undefined, phase: string): string {
  if (what && 'error' in what && what.error) return what.error
  return `phase \`${phase}\` not run (\`BENCH_ONLY\`)`
}

function documentRows(r: BenchResults): Row[] {
  const b = r.bigWorkspace
  const perRecord = isBuilt(r.built, 'per-record documents')
  const migration = isBuilt(r.built, 'data format')
  const indexServes = isBuilt(r.built, 'record index serves')
  const largest = b?.largestDocument
  return [
    {
      target: 'largest document < 2 MB (was 19.7 MB)',
      measured: largest ? `${mb(largest.bytes)} MB (\`${largest.name}\`)` : '—',
      status: status(Boolean(largest), (largest?.bytes ?? Infinity) < 2 * 2 ** 20),
      limit:
        largest && largest.bytes >= 2 * 2 ** 20
          ? `The largest document is over the budget. Per-record documents: ${perRecord ? 'built' : NOT_BUILT}; the migration into them: ${migration ? 'built' : NOT_BUILT}.`
          : largest
            ? '—'
            : missing(b, 'big'),
    },
    {
      target: 'cold start to serving < 2 s (was 14.2 s)',
      measured: b?.coldStartMs
        ? `restart: ${int(b.coldStartMs)} ms to /api/health, search finds the last record after ${b.searchReadyMs === null || b.searchReadyMs === undefined ? '—' : `${int(b.searchReadyMs)} ms`}${b.firstStart ? `; first start on the generated data dir (index build): ${int(b.firstStart.searchReadyMs)} ms${b.cache?.hit ? ` (measured when the bench's cache entry was built, ${b.cache.builtAt})` : ''}` : ''}`
        : '—',
      status: status(b?.coldStartMs !== undefined, (b?.searchReadyMs ?? Infinity) < 2000),
      limit: b?.coldStartMs
        ? `Counted to "search finds the last generated deal" (serving means answering), from spawning \`node --import tsx src/main.ts\` (~0.9 s of CPU of it is loading the server's TypeScript through tsx; a bundled server would load in ~0.4 s), the median of ${b.coldStarts?.length ?? 1} restarts. At start the server reads only the workspace documents; the persisted index ${indexServes ? 'serves the reads and is caught up from the documents logged since their last store' : `does not serve the reads yet (${NOT_BUILT})`}; the workspaces of the store come from a SQLite skip scan and the won-deal check covers only deals changed since the last start's; the boards' catch-up is skipped when nothing was indexed since the last clean stop. The first start after an upgrade migrates the data dir and rebuilds the index from every document (the figure after "first start").`
        : missing(b, 'big'),
    },
  ]
}

function browserRows(r: BenchResults): Row[] {
  const br = browserOf(r)
  const why = br ? '' : missing(r.browser as { error?: string } | null, 'browser')
  const deals = br?.deals ?? 0
  const at = `(board of ${int(deals)} deals${deals < 20_000 ? '; the default run has 20,000' : ''})`
  return [
    {
      target: 'account room editable on a new device < 500 ms',
      measured: br
        ? br.accountRoomNewDeviceMs !== undefined
          ? `${int(br.accountRoomNewDeviceMs)} ms (median of ${(br.accountRoomNewDeviceRunsMs ?? []).map(int).join(', ')}); a new tab beside the open board: ${int(br.accountRoomColdMs)} ms`
          : `${int(br.accountRoomColdMs)} ms (new tab)`
        : '—',
      status: status(Boolean(br), (br?.accountRoomNewDeviceMs ?? br?.accountRoomColdMs ?? Infinity) < 500),
      limit: br
        ? 'New device: a new browser context with the session cookie only (no offline copy, empty HTTP cache), navigation → the editable note. The main bundle (~750 kB: React DOM, zod, Yjs, the board, which stays in it so the board paints first) is fetched and evaluated before anything renders; the room’s chunk is preloaded beside it, and the room’s document and collab token are asked for as soon as the session is known; then the socket handshake and the sync. The room itself applies in a few ms. The new-tab figure shares the board tab’s HTTP cache (the bundle is cached), which is why it is lower.'
        : why,
    },
    {
      target: 'in-app navigation < 300 ms',
      measured: br ? `${int(br.accountRoomEditableMs)} ms` : '—',
      status: status(Boolean(br), (br?.accountRoomEditableMs ?? Infinity) < 300),
      limit: br
        ? 'Live board → account room with a 300-paragraph note (route change → editable note), median.'
        : why,
    },
    {
      target: 'list first page from navigation < 300 ms',
      measured: br?.listFirstPageMs !== undefined ? `${int(br.listFirstPageMs)} ms` : '—',
      status: status(br?.listFirstPageMs !== undefined, (br?.listFirstPageMs ?? Infinity) < 300),
      limit:
        br?.listFirstPageMs !== undefined
          ? `Live board → accounts list (route change → first row), median of ${br.listRunsMs?.length ?? 0} (${(br.listRunsMs ?? []).map(int).join(', ')} ms), on the browser phase's workspace (~110 accounts), not the big one; the list reads the REST list + the change feed. Server side over the big workspace: the REST list series (Big workspace) and the index list series below.`
          : why || 'Not timed by this run’s browser phase.',
    },
    {
      target: 'board of 20,000 open deals: first paint < 1 s',
      measured: br ? `${int(br.firstRenderMs)} ms ${at}` : '—',
      status:
        br && deals < 20_000
          ? 'measured at fewer deals'
          : status(Boolean(br), (br?.firstRenderMs ?? Infinity) < 1000),
      limit: br ? 'Painted from the REST board snapshot while the pipeline document syncs.' : why,
    },
    {
      target: 'board of 20,000 open deals: draggable < 1.5 s',
      measured: br ? `${int(br.liveBoardMs)} ms ${at}` : '—',
      status:
        br && deals < 20_000
          ? 'measured at fewer deals'
          : status(Boolean(br), (br?.liveBoardMs ?? Infinity) < 1500),
      limit: br
        ? `Cards are draggable once every face has arrived from \`GET /api/pipelines/{id}/board/faces\` (one response, ~2 MB of JSON for 20k cards, ~0.27 MB gzipped on the wire), placed by it until the derived board \`W/board/P\` (positions only, ~0.93 MB) has synced. What is left: parsing and laying out 20k faces (~0.5 s) and the bundle.`
        : why,
    },
    {
      target: 'drag frames p95 ≤ 17 ms',
      measured: br ? `${ms(br.dragFrameMs.p95)} ms ${at}` : '—',
      status: status(Boolean(br), br?.dragLanded === true && (br?.dragFrameMs.p95 ?? Infinity) <= 17),
      limit: br
        ? 'rAF deltas while dragging; headless Chromium paces rAF at 60 Hz (a perfect frame reads 16.7 ms).'
        : why,
    },
  ]
}

function indexRows(r: BenchResults): Row[] {
  const restSearch = r.bigWorkspace?.search?.latencyMs.p99
  const restLists = r.bigWorkspace?.lists?.map((l) => l.latencyMs.p99) ?? []
  const rows: Row[] = []
  for (const impl of ['sqlite', 'postgres'] as const) {
    const i = implOf(r, impl)
    const name = impl === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    const why = i?.error ?? (r.index && 'error' in r.index ? r.index.error : missing(null, 'index'))
    const search = maxP99(i, 'search')
    const list = maxP99(i, 'list')
    rows.push(
      {
        target: `search p99 < 20 ms, ${name} index`,
        measured: search === null ? '—' : `${ms(search)} ms (worst series)`,
        status:
          search === null ? (why === NOT_BUILT ? NOT_BUILT : 'not measured') : status(true, search < 20),
        limit:
          search === null
            ? why
            : `In-process \`RecordIndex.search\` over ${int(i?.rows)} rows after a bulk load and its planner statistics; \`GET /api/search\` through the server (SQLite index) p99 ${ms(restSearch)} ms (Big workspace).`,
      },
      {
        target: `list/sort/filter p99 < 50 ms, ${name} index`,
        measured: list === null ? '—' : `${ms(list)} ms (worst series)`,
        status: list === null ? (why === NOT_BUILT ? NOT_BUILT : 'not measured') : status(true, list < 50),
        limit:
          list === null
            ? why
            : `In-process \`RecordIndex.list\` (the total counted on every page: a filter matching 20k rows counts them each time, and a sort without an index of its own — score, amount — sorts the matches); REST lists through the server (SQLite index): worst p99 ${ms(restLists.length ? Math.max(...restLists) : null)} ms.`,
      },
    )
  }
  return rows
}

function liveRows(r: BenchResults): Row[] {
  const feed = r.feed && !('error' in r.feed) ? r.feed : null
  const feedError = r.feed && 'error' in r.feed ? r.feed : null
  const br = browserOf(r)
  const rows: Row[] = [
    {
      target: 'remote edit → another user’s open list: p95 < 100 ms',
      measured: feed
        ? `${ms(feed.latencyMs.p95)} ms (p50 ${ms(feed.latencyMs.p50)}, p99 ${ms(feed.latencyMs.p99)})`
        : '—',
      status: feed
        ? status(true, feed.latencyMs.p95 < 100)
        : feedError?.error === NOT_BUILT
          ? NOT_BUILT
          : 'not measured',
      limit: feed
        ? `Yjs edit of a deal → its \`change\` event at ${feed.readers} \`GET /api/feed\` readers (${feed.samples} samples, ${feed.lost} lost). Each event leaves after the index committed the change (IndexWorker, batched off the broadcast path); the list's own re-render is not in it.`
        : missing(feedError, 'feed'),
    },
    {
      target: 'remote edit → another user’s open board: p95 < 100 ms',
      measured: br ? `${ms(br.remoteMoveToDomMs.p95)} ms (board of ${int(br.deals)} deals)` : '—',
      status: status(Boolean(br), (br?.remoteMoveToDomMs.p95 ?? Infinity) < 100),
      limit: br
        ? 'Remote move in the pipeline document → the card in the other page’s DOM (MutationObserver).'
        : missing(r.browser as { error?: string } | null, 'browser'),
    },
  ]
  const ratios = [2, 50, 200].map((n) => {
    const a = r.servers.find((s) => s.server === 'rapport')?.latency.find((l) => l.clients === n)
    const b = r.servers.find((s) => s.server === 'hocuspocus')?.latency.find((l) => l.clients === n)
    return { n, ratio: a && b && b.latencyMs.p99 > 0 ? a.latencyMs.p99 / b.latencyMs.p99 : null }
  })
  const measured = ratios.filter((x) => x.ratio !== null)
  rows.push({
    target: 'edit-to-remote p99 ≤ 1.25× bare Hocuspocus at 2, 50, 200 clients (was 1.63×, 1.33×, 1.40×)',
    measured: measured.length
      ? ratios.map((x) => `${x.n}: ${x.ratio === null ? '—' : `${x.ratio.toFixed(2)}×`}`).join(', ')
      : '—',
    status:
      measured.length < 3
        ? 'not measured'
        : status(
            true,
            measured.every((x) => (x.ratio ?? Infinity) <= 1.25),
          ),
    limit: measured.length
      ? 'Pooled p99s (Targets above). Rapport’s hooks (projection, audit, validation, the durable log append whose fsync only the acknowledgement waits for) share the event loop with the broadcast; the index’s statements run in its thread (`INDEX_THREAD=all`), their batch is built on the loop, coalesced over 20 ms.'
      : missing(null, 'rapport,hocuspocus'),
  })
  return rows
}

function memoryRows(r: BenchResults): Row[] {
  const c = clientsOf(r, 'rapport')
  const bare = clientsOf(r, 'hocuspocus')
  const big = r.bigWorkspace?.clients
  const rss = big ? Math.max(big.after.rss, big.rssNoGcAfter) : null
  return [
    {
      target: 'server RSS with the big workspace indexed and 1,000 clients connected < 1 GB',
      measured: big
        ? `${mb(big.rssNoGcAfter)} MB (after GC ${mb(big.after.rss)} MB); peak over the phase ${mb(r.bigWorkspace?.peakRssBytes)} MB`
        : '—',
      status: status(Boolean(big), (rss ?? Infinity) < 2 ** 30),
      limit: big
        ? `${int(big.tabs)} tabs on ${big.documents - 1} generated account rooms + the workspace document, once every record is served. The persisted index serves the reads; the server holds the loaded documents and the projection of their records only (the workspace documents at start); the peak includes the first syncs and the typing phase.`
        : missing(r.bigWorkspace, 'big'),
    },
    {
      target: '< 50 KB per idle connection',
      measured: c
        ? `${kb(c.heapPerTabBytes)} KB heap + external, ${kb(c.rssPerTabBytes)} KB RSS per tab (bare Hocuspocus ${kb(bare?.heapPerTabBytes)} / ${kb(bare?.rssPerTabBytes)} KB)`
        : '—',
      status: status(
        Boolean(c),
        Math.max(c?.heapPerTabBytes ?? Infinity, c?.rssPerTabBytes ?? Infinity) < 50 * 1024,
      ),
      limit: c
        ? `${int(c.tabs)} idle tabs (one socket, ${c.providers / c.tabs} documents each) across ${c.documents} documents, both samples after a full GC, the documents loaded before the first.`
        : missing(
            r.clients?.find((x) => x.server === 'rapport') as { error?: string } | undefined,
            'clients',
          ),
    },
  ]
}

function clientsTable(r: BenchResults): string[] {
  if (!r.clients && !r.bigWorkspace?.clients) return ['Not run.']
  const lines = [
    '| server | tabs | documents | connect all s | heap + external / tab KB | RSS after GC / tab KB | RSS before → after (no GC) MB | heap + external after GC MB | idle CPU % (server / fleet) | edit-to-remote p50 / p95 / p99 ms | samples (lost) | server / fleet CPU % during rounds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ]
  const rows: Array<[string, ClientsResult | { server: string; error: string }]> = (r.clients ?? []).map(
    (c) => [
      'sharedAwareness' in c && c.sharedAwareness
        ? `${c.server}, awareness on the workspace document too`
        : c.server,
      c,
    ],
  )
  if (r.bigWorkspace?.clients) rows.push(['rapport, big workspace', r.bigWorkspace.clients])
  for (const [label, c] of rows) {
    if ('error' in c) {
      lines.push(`| ${label} | **failed**: ${c.error} |||||||||||`)
      continue
    }
    const l = c.latency
    const tabs =
      c.settled === false && c.requestedTabs !== undefined
        ? `${int(c.tabs)} of ${int(c.requestedTabs)} (did not settle beyond)`
        : int(c.tabs)
    const idle =
      c.idleFleetCpuPct === undefined
        ? `${c.idleServerCpuPct}`
        : `${c.idleServerCpuPct} / ${c.idleFleetCpuPct}`
    lines.push(
      `| ${label} | ${tabs} | ${c.documents} | ${(c.connectMs / 1000).toFixed(1)} | ${kb(c.heapPerTabBytes)} | ${kb(c.rssPerTabBytes)} | ${mb(c.rssNoGcBefore)} → ${mb(c.rssNoGcAfter)} | ${mb(c.after.heapUsed + c.after.external)} | ${idle} | ${l ? `${ms(l.latencyMs.p50)} / ${ms(l.latencyMs.p95)} / ${ms(l.latencyMs.p99)}` : '—'} | ${l ? `${l.samples} (${l.lost})` : '—'} | ${l ? `${l.serverCpuPct} / ${l.fleetCpuPct}` : '—'} |`,
    )
  }
  const unsettled = rows.flatMap(([label, c]) =>
    'error' in c || c.settled !== false
      ? []
      : [
          `- ${label}: stopped at ${int(c.tabs)} of ${int(c.requestedTabs)} tabs (${c.stop ?? 'no reason recorded'}); batches of 50 synced in ${(c.batchMs ?? []).map((b) => (b / 1000).toFixed(1)).join(', ')} s; the server's memory probe answered after ${c.memoryProbeMs === undefined ? '—' : `${(c.memoryProbeMs / 1000).toFixed(1)} s`}.`,
        ],
  )
  if (unsettled.length > 0) lines.push('', ...unsettled)
  return lines
}

function indexTable(r: BenchResults): string[] {
  if (!r.index) return ['Not run.']
  if ('error' in r.index) return [`**Failed**: ${r.index.error}`]
  const x = r.index
  const lines = [
    `${int(x.records)} records and ${int(x.notes)} account note texts read out of the big workspace's data dir in ${int(x.readMs)} ms, then loaded into each implementation in batches of 5,000 (one \`apply\` = one transaction)${x.impls.some((i) => i.loadMsByKind && INDEXES_AFTER in i.loadMsByKind) ? ', the secondary indexes of the record tables (PostgreSQL: and of `search`) dropped before the load and built again after it, the same definitions (part of the bulk load time)' : ''}.`,
    '',
    ...x.impls
      .filter((i) => i.loadMsByKind)
      .map(
        (i) =>
          `- ${i.impl === 'sqlite' ? 'SQLite' : 'PostgreSQL'} bulk load by kind: ${Object.entries(
            i.loadMsByKind ?? {},
          )
            .map(([k, v]) => `${k} ${int(v)} ms`)
            .join(', ')}.`,
      ),
    '',
    '| implementation | bulk load s | on disk MB | query | p50 ms | p99 ms | n | rows |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ]
  for (const i of x.impls) {
    const name = i.impl === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    if (i.error || !i.queries) {
      lines.push(`| ${name} | — | — | ${i.error ?? 'no queries'} | | | | |`)
      continue
    }
    for (const [n, q] of i.queries.entries()) {
      lines.push(
        `| ${n === 0 ? name : ''} | ${n === 0 ? ((i.loadMs ?? 0) / 1000).toFixed(1) : ''} | ${n === 0 ? mb(i.diskBytes) : ''} | ${q.label} | ${ms(q.latencyMs.p50)} | ${ms(q.latencyMs.p99)} | ${q.latencyMs.n} | ${int(q.total)} |`,
      )
    }
  }
  return lines
}

/** This run's big-phase times, when it ran. */
function bigTimes(r: BenchResults): string {
  const b = r.bigWorkspace
  if (!b?.generateMs) return ''
  const syncs = b.firstSync?.reduce((n, f) => n + f.ms, 0)
  const stores = b.largestDocument ? b.largestDocument.storeMs.mean * b.largestDocument.storeMs.n : undefined
  const cache = !b.cache
    ? ''
    : b.cache.hit
      ? ` The data dir after its first start came from the bench's cache (\`tests/bench/cache/\`, git-ignored; built ${b.cache.builtAt}, key ${b.cache.key} over the generator's inputs and the server, model and generator sources), copied in ${int(b.cache.copyMs)} ms: generating and the first start are the figures measured when it was built. \`BENCH_CACHE=0\` builds it afresh.`
      : ` The data dir after its first start was stored in the bench's cache (\`tests/bench/cache/\`, git-ignored, key ${b.cache.key} over the generator's inputs and the server, model and generator sources; ${int(b.cache.copyMs)} ms): the next run on the same sources copies it instead of generating and migrating again (\`BENCH_CACHE=0\` turns the cache off).`
  return ` In this run: generating ${int(b.generateMs)} ms, cold start ${int(b.coldStartMs)} ms, first syncs ${int(syncs)} ms in all, stores of the largest document ${int(stores)} ms in all.${cache}`
}

/** Issue #12: the whole `pnpm bench` under 10 minutes, at its workspace size. */
function durationLine(r: BenchResults): string[] {
  const started = Date.parse(r.startedAt)
  const finished = Date.parse(String(r.finishedAt ?? '').split(' ')[0] ?? '')
  if (!Number.isFinite(started) || !Number.isFinite(finished)) return []
  const minutes = (finished - started) / 60_000
  const met = minutes < 10 && r.bigSize !== 'small' && !r.quick && !r.only
  const phases = r.phases ?? []
  const longest = [...phases]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((p) => `${p.phase} (${(p.ms / 60_000).toFixed(1)} min)`)
  const limits =
    longest.length > 0
      ? `What limits it: the longest phases, ${longest.join(', ')}.`
      : 'What limits it: not recorded in this run (phase times were added later).'
  const lines = [
    `Duration of this run (bench process, after \`pnpm build\`): **${minutes.toFixed(1)} min** — target < 10 min at issue #12’s size: ${met ? 'met' : '**NOT met**'}. ${limits}`,
  ]
  if (phases.length === 0) return lines
  const total = phases.reduce((n, p) => n + p.ms, 0)
  lines.push(
    '',
    'Wall time of each phase, in the order they ran (set-ups such as seeding are phases of their own; the big workspace row is its own time without the index + reports and dedupe phases that run inside it, on one load of the big workspace per index):',
    '',
    '| phase | wall time s | share |',
    '| --- | ---: | ---: |',
    ...phases.map(
      (p) =>
        `| ${p.phase} | ${(p.ms / 1000).toFixed(1)} | ${total > 0 ? Math.round((100 * p.ms) / total) : 0} % |`,
    ),
    `| all phases | ${(total / 1000).toFixed(1)} | 100 % |`,
  )
  return lines
}

function feedLine(r: BenchResults): string[] {
  if (!r.feed) return ['Not run.']
  if ('error' in r.feed) return [`**Not measured**: ${r.feed.error}`]
  const f = r.feed
  return [
    `Remote edit → \`change\` event at ${f.readers} readers: p50 ${ms(f.latencyMs.p50)} / p95 ${ms(f.latencyMs.p95)} / p99 ${ms(f.latencyMs.p99)} / max ${ms(f.latencyMs.max)} ms (${f.rounds} rounds, ${f.samples} samples, ${f.lost} lost).`,
  ]
}

/** The `## Issue #12` section of docs/benchmarks.md. */
export function issue12Section(r: BenchResults): string[] {
  const rows = [...documentRows(r), ...browserRows(r), ...indexRows(r), ...liveRows(r), ...memoryRows(r)]
  const built = r.built ?? []
  return [
    '## Issue #12 targets',
    '',
    `Parts of issue #12 in the measured tree: ${built.map((p) => `${p.part} ${p.built ? '✓' : `— ${NOT_BUILT}`}`).join('; ') || 'unknown'}.`,
    '',
    '| target | measured | met or not | what limits it |',
    '| --- | --- | --- | --- |',
    ...rows.map((x) => `| ${x.target} | ${x.measured} | ${x.status} | ${x.limit} |`),
    '',
    '### 1,000 connected clients',
    '',
    'A client is a browser tab as the web app builds it (one socket shared by the tab’s documents): an account room (tab i → room i mod 100, 10 tabs per room) with an awareness `user` field, as the web app sets it, plus the workspace document without awareness (the web app leaves presence off there, as on `W/feed`: with awareness on a document all 1,000 tabs share, every 15 s renewal fans out to 999 others, and `@hocuspocus/provider` sends every awareness update it receives back to the server). Tabs connect in batches of 50 from a separate process (`tests/bench/clients/fleet.ts`, real `@hocuspocus/provider` 3.4), so their CPU does not share the bench process. Memory: one raw client on every document first (documents loaded), full GC, sample; then all tabs synced, 5 s idle (16 s, one awareness renewal period, with awareness on the workspace document) with the server’s CPU sampled, full GC, sample. The row “awareness on the workspace document too” is what presence on a document shared by every tab would cost (the web app before it left presence off `W/workspace`): its tabs connect in batches until a batch takes longer than one awareness renewal period (15 s) to sync or does not sync within 30 s (then closed, not counted), and its figures are at the count reached. The tabs fetch and refresh their collab tokens as the web app does (`POST /api/auth/collab-token`, TokenSource); with the single token of the phase’s start, a ramp that never settled ran until that token expired (10 minutes) and a reconnecting tab was refused (“Unauthorized”). Edit-to-remote: sequential rounds, room r mod 100 edited by one of its tabs (a task title carrying the send time), the other 9 tabs of that room record arrival − send. The prototype measured bare Hocuspocus 3.4.3 with 1,000 clients over 100 record documents at 133 MB RSS (no GC).',
    '',
    ...clientsTable(r),
    '',
    '### Record index over the big workspace',
    '',
    'The production `RecordIndex` (`apps/server/src/recordIndex/`), in the bench process: every record of the big workspace is read out of its data dir (after the big phase’s server stopped) and parsed by the projection’s schemas, as the server would index it, with the fields the reports phase adds (see Reports; the series below neither filter nor sort on them, and the words they search for are not among them); then it is bulk-loaded into a fresh index, one load for this phase and the reports phase (the earlier stages of every third deal first, the account rooms’ report facts last: “(reports)” below) — SQLite in a temp file, PostgreSQL in schema `bench_<pid>` at `RAPPORT_PG_URL` (default `127.0.0.1:5432/test`), dropped after — and each series runs 300 sequential calls after 10 discarded ones (5 s cap). Search: `search(q, { limit: 20 })` with a generated word, its first 3 letters, two words. Lists: `list(kind, { filters, sort, offset, limit: 50 })` as the REST list routes ask it (the total is counted on every page). On disk: the SQLite file + WAL; PostgreSQL `pg_total_relation_size` of the schema’s tables.',
    '',
    ...indexTable(r),
    '',
    '### Change feed',
    '',
    'On a fresh Rapport (copy of the seeded data dir): 20 `GET /api/feed` Server-Sent-Events readers of the demo workspace; one Yjs client sets a deal’s title on the pipeline document to its send time, 10 warm-up rounds then sequential rounds (next when all 20 got the `change` event whose row carries that title; 5 s cap = lost). Same events, order and access filter as `W/feed` (the web app’s live lists).',
    '',
    ...feedLine(r),
    '',
    '### Size of the big workspace',
    '',
    `This run: **${r.bigSize ?? 'issue12'}**. \`pnpm bench\` generates issue #12’s size by default: 50,000 accounts, 100,000 contacts, 20,000 open + 20,000 closed deals in one pipeline (each won deal with its handoff draft), 20,000 tickets, 5,000 notes; the browser board gets 20,000 deals. \`BENCH_BIG=small\` runs the earlier size (20,000 accounts, 50,000 contacts, 10,000 deals, 5,000 tickets, 2,000 notes) into \`docs/benchmarks-small.md\`. The generator writes the format-1 layout (one document per collection) and the first start migrates it, as an upgrade would.${bigTimes(r)}`,
    '',
    ...durationLine(r),
  ]
}
