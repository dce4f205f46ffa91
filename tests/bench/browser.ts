import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { docName, readBoardEntries } from '@rapport/model'
import { generateKeyBetween } from 'fractional-indexing'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import * as Y from 'yjs'
import { CONFIG } from './lib/config.ts'
import { generateWorkspace } from './lib/generateWorkspace.ts'
import { DEMO_LOGIN } from './lib/rapportSession.ts'
import { SyncClient } from './lib/SyncClient.ts'
import { copyTemplate, type SeedTemplate } from './lib/seedTemplate.ts'
import { type BenchServer, REPO_ROOT, startRapport } from './lib/servers.ts'
import { median, nowMs, type Summary, summarize } from './lib/stats.ts'
import { LOCAL, rapportWorkload } from './lib/workload.ts'

export type BrowserResult = {
  deals: number
  /**
   * First visit on a new device (no IndexedDB copy, empty HTTP cache): navigation start → the first card in the DOM
   * (server snapshot or live board). Median of `firstRenderRunsMs`.
   */
  firstRenderMs: number
  firstRenderRunsMs: number[]
  /** The same visits: navigation start → the live board (document synced, cards draggable). Median. */
  liveBoardMs: number
  /** A second tab of the same browser (the IndexedDB copy exists): goto → the first live card. */
  warmRenderMs: number
  /**
   * `GET /api/pipelines/:id/board/faces` (every card's face in one response): in the cold visits, navigation start
   * → its response's end (median); then asked alone 5 times (median ms), its size, gzipped size (the server does not
   * compress; what gzip would send) and cards. Absent in results from before the route.
   */
  faces?: { inPageMs: number; ms: number; bytes: number; gzipBytes: number; cards: number }
  dragFrameMs: Summary
  /** Whether the dragged card ended in the target column (the drag really ran through dnd-kit). */
  dragLanded: boolean
  /** Uncaught errors in the board page during the remote moves and the drag. */
  pageErrors: string[]
  remoteMoveToDomMs: Summary
  /**
   * In-app navigation from the live board to an account room (a different room each time): the route change → a
   * contenteditable notes editor. Median of `accountRoomRunsMs`.
   */
  accountRoomEditableMs: number
  accountRoomRunsMs: number[]
  /** A new tab opened on the account room URL: goto → a contenteditable notes editor. */
  accountRoomColdMs: number
  /**
   * First visit of the account room on a new device (new browser context: session cookie only, no IndexedDB copy,
   * empty HTTP cache): navigation start → a contenteditable notes editor, median of REPEATS (the target).
   */
  accountRoomNewDeviceMs?: number
  accountRoomNewDeviceRunsMs?: number[]
  /**
   * In-app navigation from the live board to the accounts list: the route change → its first row. Median of
   * `listRunsMs` (absent in results from before issue #12's bench).
   */
  listFirstPageMs?: number
  listRunsMs?: number[]
}

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]
const UI_TIMEOUT = 30_000
/** Cold visits of the board and in-app navigations to a room, each reported as a median. */
const REPEATS = 3
const VIEWPORT = { width: 1600, height: 1000 }
const LIVE_CARD = '[data-testid="board"] [data-testid^="card-"]'
const ANY_CARD = `${LIVE_CARD}, [data-testid="board-preview"] [data-testid^="card-"]`
const EDITABLE_NOTES = '[data-testid="notes-editor"] [contenteditable="true"]'
const LIST_ROW = '[data-testid="list-accounts"] [data-testid^="row-"]'
const DRAG_STEPS = 60
const NEXT_FRAME = 'new Promise((resolve) => requestAnimationFrame(() => resolve(0)))'

// In-page scripts are strings: tsx/esbuild would wrap functions with helpers (`__name`) the page lacks.
/** Records requestAnimationFrame deltas into window.__benchFrames until window.__benchStop. */
const FRAME_RECORDER = `(() => {
  window.__benchFrames = []
  window.__benchStop = false
  let last = performance.now()
  const tick = (t) => {
    window.__benchFrames.push(t - last)
    last = t
    if (!window.__benchStop) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})()`

/**
 * Installed on the context before any page loads: records in window.__benchFirst the page time (ms since the
 * navigation started, like the browser's own paint timings) at which each selector first matched.
 */
const firstMatchRecorder = (selectors: string[]) => `(() => {
  const sels = ${JSON.stringify(selectors)}
  const first = {}
  window.__benchFirst = first
  const check = () => {
    for (const sel of sels) if (first[sel] === undefined && document.querySelector(sel)) first[sel] = performance.now()
  }
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true })
})()`

/** Resolves with the page time at which `selector` first matched (see firstMatchRecorder). */
async function firstMatch(page: Page, selector: string): Promise<number> {
  await page.locator(selector).first().waitFor({ timeout: UI_TIMEOUT })
  const at = await page.evaluate<number | undefined>(`window.__benchFirst?.[${JSON.stringify(selector)}]`)
  if (at === undefined) throw new Error(`no first-match time for ${selector}`)
  return at
}

/** Navigation start → the end of the page's faces response (Resource Timing), or -1 when it made none. */
async function facesResponseEnd(page: Page): Promise<number> {
  return page.evaluate<number>(`(() => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/board/faces'))
    return entry ? entry.responseEnd : -1
  })()`)
}

/** The faces route asked alone `runs` times with the page's session: median ms, bytes, gzipped bytes, cards. */
async function measureFaces(page: Page, url: string, pipelineId: string, runs = 5) {
  const times: number[] = []
  let body = ''
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs()
    const response = await page.request.get(`${url}/api/pipelines/${pipelineId}/board/faces`)
    body = await response.text()
    times.push(nowMs() - t0)
    if (!response.ok()) throw new Error(`board faces: ${response.status()} ${body.slice(0, 200)}`)
  }
  const cards = (JSON.parse(body) as { cards: unknown[] }).cards.length
  return {
    ms: median(times),
    bytes: Buffer.byteLength(body),
    gzipBytes: gzipSync(body).byteLength,
    cards,
  }
}

/** In-app navigation: sets the hash and resolves with the ms until `selector` matches, timed in the page. */
async function timeHashChange(page: Page, hash: string, selector: string): Promise<number> {
  const script = `new Promise((resolve) => {
    const sel = ${JSON.stringify(selector)}
    const t0 = performance.now()
    const timer = setTimeout(() => resolve(-1), ${UI_TIMEOUT})
    const obs = new MutationObserver(() => {
      if (document.querySelector(sel)) {
        obs.disconnect()
        clearTimeout(timer)
        resolve(performance.now() - t0)
      }
    })
    obs.observe(document, { subtree: true, childList: true, attributes: true })
    location.hash = ${JSON.stringify(hash)}
  })`
  const ms = await page.evaluate<number>(script)
  if (ms < 0) throw new Error(`${selector} did not appear after navigating to ${hash}`)
  return ms
}

/** Sets window.__benchMove to a promise of the (epoch ms) time `selector` first matches, -1 after 5 s. */
const moveWatcher = (selector: string) => `(() => {
  const sel = ${JSON.stringify(selector)}
  window.__benchMove = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(-1), 5000)
    const obs = new MutationObserver(() => {
      if (document.querySelector(sel)) {
        obs.disconnect()
        clearTimeout(timer)
        resolve(performance.timeOrigin + performance.now())
      }
    })
    obs.observe(document.body, { subtree: true, childList: true })
  })
})()`

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>

/**
 * Logs in through the API in a throwaway context and returns its cookies: the measured contexts start like a new
 * device (no IndexedDB copy), and no page has opened a board before the measure.
 */
async function logIn(browser: Browser, url: string): Promise<StorageState> {
  const context = await browser.newContext({ viewport: VIEWPORT })
  try {
    const res = await context.request.post(`${url}/api/auth/login`, { data: DEMO_LOGIN })
    if (!res.ok()) throw new Error(`login: ${res.status()} ${await res.text()}`)
    return await context.storageState()
  } finally {
    await context.close()
  }
}

/** Drags a card across one column in small steps while the page records requestAnimationFrame deltas. */
async function dragFrames(
  page: Page,
  fromStage: string,
  toStage: string,
): Promise<{ frames: number[]; landed: boolean }> {
  const card = page.locator(`[data-testid="column-${fromStage}"] [data-testid^="card-"]`).first()
  const testId = await card.getAttribute('data-testid', { timeout: UI_TIMEOUT })
  const from = await card.boundingBox()
  const to = await page.getByTestId(`column-${toStage}`).boundingBox()
  if (!from || !to) throw new Error('board not laid out (no card or column box)')
  await page.evaluate(FRAME_RECORDER)
  const x0 = from.x + from.width / 2
  const y0 = from.y + from.height / 2
  const x1 = to.x + to.width / 2
  const y1 = to.y + 80
  await page.mouse.move(x0, y0)
  await page.mouse.down()
  // One pointer move per frame, like a hand: 60 frames ≈ 1 s of dragging.
  for (let i = 1; i <= DRAG_STEPS; i++) {
    const f = i / DRAG_STEPS
    await page.mouse.move(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
    await page.evaluate(NEXT_FRAME)
  }
  await page.mouse.up()
  const frames = await page.evaluate<number[]>(
    'window.__benchStop = true; (window.__benchFrames || []).slice(1)',
  )
  const landed = await page
    .locator(`[data-testid="column-${toStage}"] [data-testid="${testId}"]`)
    .waitFor({ timeout: 5_000 })
    .then(
      () => true,
      () => false,
    )
  return { frames, landed }
}

/**
 * Moves visible cards from this process (a second user's client) and times until the card sits in its new column of
 * the page. Since issue #12 a move is written to the deal's own document (`W/deal/D`); the server mirrors it into the
 * board document `W/board/P` the page shows. The target key comes from the board document (read-only here).
 */
async function remoteMoves(
  page: Page,
  server: BenchServer,
  workspaceId: string,
  pipelineId: string,
  token: string,
  stages: [string, string],
  moves: number,
): Promise<number[]> {
  const board = new SyncClient({
    protocol: 'hocuspocus',
    url: server.wsUrl,
    docName: docName({ workspaceId, kind: 'board', pipelineId }),
    token,
  })
  await board.connect()
  const out: number[] = []
  try {
    for (let i = 0; i < moves; i++) {
      const [from, to] = i % 2 === 0 ? stages : [stages[1], stages[0]]
      const testId = await page
        .locator(`[data-testid="column-${from}"] [data-testid^="card-"]`)
        .first()
        .getAttribute('data-testid', { timeout: UI_TIMEOUT })
      const id = testId?.slice('card-'.length)
      if (!id) throw new Error('no visible card to move')
      let minKey: string | null = null
      for (const card of readBoardEntries(board.doc).values()) {
        if (card.stageId === to && (minKey === null || card.key < minKey)) minKey = card.key
      }
      const deal = new SyncClient({
        protocol: 'hocuspocus',
        url: server.wsUrl,
        docName: docName({ workspaceId, kind: 'deal', dealId: id }),
        token,
      })
      await deal.connect()
      try {
        const rec = deal.doc.getMap<Y.Map<unknown>>('deals').get(id)
        if (!(rec instanceof Y.Map)) throw new Error(`deal ${id} is not in its document`)
        await page.evaluate(moveWatcher(`[data-testid="column-${to}"] [data-testid="card-${id}"]`))
        const sent = nowMs()
        deal.doc.transact(() => {
          rec.set('position', { column: to, key: generateKeyBetween(null, minKey) })
          rec.set('stageEnteredAt', Date.now())
        }, LOCAL)
        const seen = await page.evaluate<number>('window.__benchMove || -1')
        if (seen > 0) out.push(seen - sent)
      } finally {
        await deal.close()
      }
    }
  } finally {
    await board.close()
  }
  return out
}

/** Headless Chromium against the built web app served by Rapport, on a generated 5,000-deal board. */
export async function measureBrowser(log: (msg: string) => void, seed: SeedTemplate): Promise<BrowserResult> {
  const webDist = join(REPO_ROOT, 'apps', 'web', 'dist')
  if (!existsSync(join(webDist, 'index.html'))) throw new Error('web app not built (apps/web/dist missing)')
  const dir = copyTemplate(seed, 'rapport-browser-')
  let server: BenchServer | null = null
  let browser: Browser | null = null
  try {
    const stageIds = seed.stageIds
    const generated = await generateWorkspace({
      dataDir: dir.path,
      workspaceId: seed.workspaceId,
      pipelineId: seed.pipelineId,
      stageIds,
      size: {
        accounts: 50,
        contacts: 0,
        deals: CONFIG.browserDeals,
        closedDeals: 0,
        tickets: 0,
        notes: REPEATS + 1,
      },
      longNotes: REPEATS + 1,
      seed: 7,
    })
    server = await startRapport({
      dataDir: dir.path,
      env: { WEB_DIST: webDist },
      readyTimeoutMs: 10 * 60_000,
    })
    const w = await rapportWorkload(server, 0)
    const token = w.token
    const [s0, s1] = stageIds
    if (!s0 || !s1) throw new Error('pipeline has fewer than two stages')

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS })
    const storageState = await logIn(browser, server.url)
    const boardUrl = `${server.url}/#/pipelines/${w.pipelineId}`
    const newDevice = async (): Promise<BrowserContext> => {
      const context = await (browser as Browser).newContext({ viewport: VIEWPORT, storageState })
      await context.addInitScript({ content: firstMatchRecorder([ANY_CARD, LIVE_CARD, EDITABLE_NOTES]) })
      return context
    }

    // Cold visits: each in a new context (no IndexedDB copy, empty HTTP cache); the last one stays open.
    const firstRenderRuns: number[] = []
    const liveBoardRuns: number[] = []
    const facesRuns: number[] = []
    let context: BrowserContext | null = null
    let page: Page | null = null
    for (let i = 0; i < REPEATS; i++) {
      log(`browser: board first render, new device ${i + 1}/${REPEATS}`)
      await context?.close()
      context = await newDevice()
      page = await context.newPage()
      await page.goto(boardUrl)
      firstRenderRuns.push(await firstMatch(page, ANY_CARD))
      liveBoardRuns.push(await firstMatch(page, LIVE_CARD))
      facesRuns.push(await facesResponseEnd(page))
    }
    if (!context || !page) throw new Error('no board visit ran')
    log('browser: board faces route')
    const faces = await measureFaces(page, server.url, w.pipelineId)

    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message.slice(0, 200)))
    log('browser: remote moves')
    const moves = await remoteMoves(page, server, w.workspaceId, w.pipelineId, token, [s0, s1], 20)
    log('browser: drag frames')
    const drag = await dragFrames(page, s0, s1)

    const [coldRoomAccount, ...roomAccounts] = generated.longNoteAccountIds
    if (!coldRoomAccount || roomAccounts.length < REPEATS) throw new Error('too few long-note accounts')
    const roomRuns: number[] = []
    for (const [i, accountId] of roomAccounts.entries()) {
      log(`browser: account room, in-app navigation ${i + 1}/${REPEATS}`)
      roomRuns.push(await timeHashChange(page, `#/accounts/${accountId}`, EDITABLE_NOTES))
      await timeHashChange(page, `#/pipelines/${w.pipelineId}`, LIVE_CARD)
    }

    const listRuns: number[] = []
    for (let i = 0; i < REPEATS; i++) {
      log(`browser: accounts list, in-app navigation ${i + 1}/${REPEATS}`)
      listRuns.push(await timeHashChange(page, '#/accounts', LIST_ROW))
      await timeHashChange(page, `#/pipelines/${w.pipelineId}`, LIVE_CARD)
    }

    log('browser: board in a second tab (IndexedDB copy)')
    const warm = await context.newPage()
    await warm.goto(boardUrl)
    const warmRenderMs = await firstMatch(warm, LIVE_CARD)
    await warm.close()

    log('browser: account room (new tab)')
    const room = await context.newPage()
    await room.goto(`${server.url}/#/accounts/${coldRoomAccount}`)
    const accountRoomColdMs = await firstMatch(room, EDITABLE_NOTES)

    const roomNewDeviceRuns: number[] = []
    for (let i = 0; i < REPEATS; i++) {
      log(`browser: account room, new device ${i + 1}/${REPEATS}`)
      const fresh = await newDevice()
      try {
        const p = await fresh.newPage()
        await p.goto(`${server.url}/#/accounts/${coldRoomAccount}`)
        roomNewDeviceRuns.push(await firstMatch(p, EDITABLE_NOTES))
      } finally {
        await fresh.close()
      }
    }

    return {
      deals: CONFIG.browserDeals,
      firstRenderMs: Math.round(median(firstRenderRuns)),
      firstRenderRunsMs: firstRenderRuns.map(Math.round),
      liveBoardMs: Math.round(median(liveBoardRuns)),
      warmRenderMs: Math.round(warmRenderMs),
      faces: {
        inPageMs: Math.round(median(facesRuns)),
        ms: Math.round(faces.ms),
        bytes: faces.bytes,
        gzipBytes: faces.gzipBytes,
        cards: faces.cards,
      },
      dragFrameMs: summarize(drag.frames),
      dragLanded: drag.landed,
      pageErrors: pageErrors.slice(0, 3),
      remoteMoveToDomMs: summarize(moves),
      accountRoomEditableMs: Math.round(median(roomRuns)),
      accountRoomRunsMs: roomRuns.map(Math.round),
      accountRoomColdMs: Math.round(accountRoomColdMs),
      accountRoomNewDeviceMs: Math.round(median(roomNewDeviceRuns)),
      accountRoomNewDeviceRunsMs: roomNewDeviceRuns.map(Math.round),
      listFirstPageMs: Math.round(median(listRuns)),
      listRunsMs: listRuns.map(Math.round),
    }
  } finally {
    await browser?.close()
    await server?.stop()
    dir.remove()
  }
}
