/**
 * Issue #12's "account room, new device" visit alone, N times, with its timeline: `pnpm --filter @rapport/tests exec
 * tsx bench/roomDevice.ts`. Each visit is a new browser context with the session cookie only (no IndexedDB copy, empty
 * HTTP cache) opening the account room with the 300-paragraph note; the time is navigation start → the notes editor
 * is editable, as in browser.ts. Prints, per visit, when each step ended (resource timings, the WebSocket, the first
 * messages, long tasks) and the medians.
 *
 * `ROOM_AB=/path/to/other/checkout` (a built copy of the repository, e.g. of main) runs the same visits against that
 * checkout's server and web build too, interleaved visit by visit in one browser: an A/B on a shared machine.
 * `ROOM_VISITS` (default 7), `ROOM_DEALS` (default 1,000 board deals; the room path does not open the board).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { generateWorkspace } from './lib/generateWorkspace.ts'
import { DEMO_LOGIN } from './lib/rapportSession.ts'
import { copyTemplate, createSeedTemplate } from './lib/seedTemplate.ts'
import { type BenchServer, REPO_ROOT, startRapport } from './lib/servers.ts'
import { median } from './lib/stats.ts'

const VISITS = Number(process.env.ROOM_VISITS ?? 7)
/**
 * `ROOM_COLD=1`: each visit opens another room (the same one in every variant), which no earlier visit loaded on the
 * server; by default every visit opens the same room, as browser.ts does.
 */
const COLD = process.env.ROOM_COLD === '1'
const ROOMS = COLD ? VISITS + 1 : 1
const DEALS = Number(process.env.ROOM_DEALS ?? 1_000)
const EDITABLE_NOTES = '[data-testid="notes-editor"] [contenteditable="true"]'
const ANY_CARD =
  '[data-testid="board"] [data-testid^="card-"], [data-testid="board-preview"] [data-testid^="card-"]'
/**
 * `ROOM_TARGET=board`: the same new-device visits of the board: its first card (snapshot or live) and the live board
 * (cards draggable), with the snapshot's and faces' timings (issue #12's board targets with `ROOM_DEALS=20000`).
 */
const BOARD = process.env.ROOM_TARGET === 'board'
const TARGET = BOARD ? ANY_CARD : EDITABLE_NOTES
/** The live board (cards draggable), as browser.ts's "draggable" measure. */
const LIVE_CARD = '[data-testid="board"] [data-testid^="card-"]'
const MARKS: Record<string, string> = {
  splash: '.splash',
  shell: '[data-testid="nav-menu"]',
  notes: '[data-testid="notes-editor"]',
  editable: TARGET,
  ...(BOARD ? { live: LIVE_CARD } : {}),
}
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']

// In-page (a string: tsx would add helpers the page lacks). Records first matches, the WebSocket's life, long tasks.
const RECORDER = `(() => {
  const marks = ${JSON.stringify(MARKS)}
  const t = { marks: {}, ws: [], long: [] }
  window.__room = t
  const check = () => {
    for (const [k, sel] of Object.entries(marks)) if (t.marks[k] === undefined && document.querySelector(sel)) t.marks[k] = performance.now()
  }
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true })
  const Native = window.WebSocket
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args)
      const rec = { created: performance.now(), open: null, msgs: [] }
      t.ws.push(rec)
      this.addEventListener('open', () => { rec.open = performance.now() })
      this.addEventListener('message', (e) => {
        if (rec.msgs.length < 12) rec.msgs.push([Math.round(performance.now()), e.data.byteLength ?? e.data.size ?? e.data.length])
      })
    }
  }
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) t.long.push([Math.round(e.startTime), Math.round(e.duration)]) }).observe({ type: 'longtask', buffered: true })
  } catch {}
})()`

const COLLECT = `(() => {
  const nav = performance.getEntriesByType('navigation')[0]
  const res = performance.getEntriesByType('resource').map((e) => ({
    name: e.name.replace(location.origin, ''),
    start: Math.round(e.startTime),
    ttfb: Math.round(e.responseStart),
    end: Math.round(e.responseEnd),
    bytes: e.encodedBodySize,
  }))
  const marks = performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])
  return { appMarks: marks, doc: { ttfb: Math.round(nav.responseStart), end: Math.round(nav.responseEnd), dcl: Math.round(nav.domContentLoadedEventEnd) }, res, ...window.__room }
})()`

type Visit = {
  doc: { ttfb: number; end: number; dcl: number }
  res: Array<{ name: string; start: number; ttfb: number; end: number; bytes: number }>
  marks: Record<string, number>
  ws: Array<{ created: number; open: number | null; msgs: Array<[number, number]> }>
  long: Array<[number, number]>
  appMarks: Array<[string, number]>
}

const log = (msg: string) => console.error(`[room] ${msg}`)

async function main(): Promise<void> {
  const variants: Array<{ label: string; root: string }> = [{ label: 'this', root: REPO_ROOT }]
  if (process.env.ROOM_AB) variants.push({ label: 'ab', root: process.env.ROOM_AB })
  log('seed')
  const seed = await createSeedTemplate({ legacy: true })
  const template = copyTemplate(seed, 'rapport-room-')
  const generated = await generateWorkspace({
    dataDir: template.path,
    workspaceId: seed.workspaceId,
    pipelineId: seed.pipelineId,
    stageIds: seed.stageIds,
    size: { accounts: 50, contacts: 0, deals: DEALS, closedDeals: 0, tickets: 0, notes: ROOMS },
    longNotes: ROOMS,
    seed: 7,
  })
  const roomOf = (visit: number) => generated.longNoteAccountIds[COLD ? visit + 1 : 0]
  const servers: BenchServer[] = []
  const dirs = [template]
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS })
  try {
    const states = []
    for (const v of variants) {
      const dir = copyTemplate({ ...seed, dir: template.path }, 'rapport-room-')
      dirs.push(dir)
      log(`start ${v.label} (${v.root})`)
      const server = await startRapport({
        dataDir: dir.path,
        repoRoot: v.root,
        env: { WEB_DIST: join(v.root, 'apps', 'web', 'dist') },
        readyTimeoutMs: 5 * 60_000,
        // ROOM_PROF=dir: a CPU profile of each server (written when it stops).
        ...(process.env.ROOM_PROF
          ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.ROOM_PROF}/${v.label}`] }
          : {}),
      })
      servers.push(server)
      const ctx = await browser.newContext()
      const res = await ctx.request.post(`${server.url}/api/auth/login`, { data: DEMO_LOGIN })
      if (!res.ok()) throw new Error(`login: ${res.status()}`)
      states.push(await ctx.storageState())
      await ctx.close()
    }
    const runs: Visit[][] = variants.map(() => [])
    // One warm-up visit each (the server's first load of the room, the JIT), not counted.
    for (let i = -1; i < VISITS; i++) {
      for (const [k, v] of variants.entries()) {
        const server = servers[k] as BenchServer
        const context = await browser.newContext({
          viewport: { width: 1600, height: 1000 },
          storageState: states[k],
        })
        await context.addInitScript({ content: RECORDER })
        try {
          const page = await context.newPage()
          // ROOM_CPUPROF=file: the page's CPU profile of the last visit (Chrome DevTools format).
          const profile =
            process.env.ROOM_CPUPROF && i === VISITS - 1 ? await context.newCDPSession(page) : null
          if (profile) {
            await profile.send('Profiler.enable')
            await profile.send('Profiler.setSamplingInterval', { interval: 200 })
            await profile.send('Profiler.start')
          }
          await page.goto(
            `${server.url}/#/${BOARD ? `pipelines/${seed.pipelineId}` : `accounts/${roomOf(i)}`}`,
          )
          await page.locator(TARGET).first().waitFor({ timeout: 30_000 })
          if (BOARD) await page.locator(LIVE_CARD).first().waitFor({ timeout: 30_000 })
          if (profile) {
            const { profile: data } = await profile.send('Profiler.stop')
            writeFileSync(`${process.env.ROOM_CPUPROF}.${v.label}.cpuprofile`, JSON.stringify(data))
          }
          const visit = await page.evaluate<Visit>(COLLECT)
          // ROOM_WARM=1 (board): then a second tab of the same context (its IndexedDB copy): goto → the first live card.
          if (BOARD && process.env.ROOM_WARM === '1') {
            await page.waitForTimeout(3_000) // the first tab's copy stored (IndexedDB writes are not observable here)
            const second = await context.newPage()
            await second.goto(`${server.url}/#/pipelines/${seed.pipelineId}`)
            await second.locator(LIVE_CARD).first().waitFor({ timeout: 30_000 })
            visit.marks.warm = (await second.evaluate<number>(`window.__room.marks.live`)) ?? -1
          }
          if (i >= 0) runs[k]?.push(visit)
          log(
            `${v.label} visit ${i}: ${BOARD ? 'first card' : 'editable'} ${Math.round(visit.marks.editable ?? -1)} ms${BOARD ? `, draggable ${Math.round(visit.marks.live ?? -1)} ms` : ''}`,
          )
        } finally {
          await context.close()
        }
      }
    }
    for (const [k, v] of variants.entries()) {
      const visits = runs[k] ?? []
      console.log(`\n## ${v.label} (${v.root})`)
      const row = (name: string, pick: (x: Visit) => number | undefined) => {
        const xs = visits.map(pick).filter((x): x is number => x !== undefined && x >= 0)
        console.log(
          `${name.padEnd(34)} median ${String(Math.round(median(xs))).padStart(5)}   [${xs.map(Math.round).join(', ')}]`,
        )
      }
      const resource = (test: (n: string) => boolean, f: 'start' | 'ttfb' | 'end') => (x: Visit) =>
        x.res.find((r) => test(r.name))?.[f]
      row('index.html ttfb', (x) => x.doc.ttfb)
      row('index.html end', (x) => x.doc.end)
      row(
        'main bundle end',
        resource((n) => /\/assets\/index-.*\.js$/.test(n), 'end'),
      )
      row(
        'room chunk start',
        resource((n) => /AccountPage-.*\.js$/.test(n), 'start'),
      )
      row(
        'room chunk end',
        resource((n) => /AccountPage-.*\.js$/.test(n), 'end'),
      )
      row('DOMContentLoaded', (x) => x.doc.dcl)
      row(
        '/api/auth/me start',
        resource((n) => n === '/api/auth/me', 'start'),
      )
      row(
        '/api/auth/me end',
        resource((n) => n === '/api/auth/me', 'end'),
      )
      row(
        'collab-token start',
        resource((n) => n.includes('collab-token'), 'start'),
      )
      row(
        'collab-token end',
        resource((n) => n.includes('collab-token'), 'end'),
      )
      row(
        'room-state start',
        resource((n) => n.endsWith('/room-state'), 'start'),
      )
      row(
        'room-state end',
        resource((n) => n.endsWith('/room-state'), 'end'),
      )
      if (BOARD) {
        row(
          'board snapshot start',
          resource((n) => /\/board$/.test(n), 'start'),
        )
        row(
          'board snapshot end',
          resource((n) => /\/board$/.test(n), 'end'),
        )
        row(
          'board faces start',
          resource((n) => n.endsWith('/board/faces'), 'start'),
        )
        row(
          'board faces ttfb',
          resource((n) => n.endsWith('/board/faces'), 'ttfb'),
        )
        row(
          'board faces end',
          resource((n) => n.endsWith('/board/faces'), 'end'),
        )
      }
      row('1st long task (bundle) end', (x) => (x.long[0] ? x.long[0][0] + x.long[0][1] : undefined))
      row('1st long task ms', (x) => x.long[0]?.[1])
      row('last long task start', (x) => x.long.at(-1)?.[0])
      row('last long task ms', (x) => x.long.at(-1)?.[1])
      row('splash in DOM', (x) => x.marks.splash)
      row('shell in DOM', (x) => x.marks.shell)
      row('ws created', (x) => x.ws[0]?.created)
      row('ws open', (x) => x.ws[0]?.open ?? undefined)
      row('ws first message', (x) => x.ws[0]?.msgs[0]?.[0])
      row('ws largest message', (x) => {
        const m = x.ws[0]?.msgs ?? []
        return m.reduce<[number, number] | undefined>((a, b) => (a && a[1] >= b[1] ? a : b), undefined)?.[0]
      })
      row('notes editor in DOM', (x) => x.marks.notes)
      row(BOARD ? 'FIRST CARD' : 'EDITABLE', (x) => x.marks.editable)
      if (BOARD) row('DRAGGABLE (live board)', (x) => x.marks.live)
      if (BOARD && process.env.ROOM_WARM === '1') row('SECOND TAB live card', (x) => x.marks.warm)
      const last = visits[visits.length - 1]
      if (last) {
        console.log('last visit, resources:', JSON.stringify(last.res))
        console.log('last visit, ws:', JSON.stringify(last.ws))
        console.log('long tasks [start, ms] per visit:')
        for (const x of visits)
          console.log(
            '  ',
            JSON.stringify(x.long),
            JSON.stringify(x.appMarks),
            'editable',
            Math.round(x.marks.editable ?? -1),
            ...(BOARD ? ['live', Math.round(x.marks.live ?? -1)] : []),
          )
      }
    }
  } finally {
    await browser.close()
    for (const s of servers) await s.stop()
    for (const d of dirs) d.remove()
    seed.remove()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
