import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyBetween } from 'fractional-indexing'
import { type Browser, chromium, type Page } from 'playwright-core'
import * as Y from 'yjs'
import { CONFIG } from './lib/config.ts'
import { generateWorkspace } from './lib/generateWorkspace.ts'
import { DEMO_LOGIN } from './lib/rapportSession.ts'
import { SyncClient } from './lib/SyncClient.ts'
import { copyTemplate, type SeedTemplate } from './lib/seedTemplate.ts'
import { type BenchServer, REPO_ROOT, startRapport } from './lib/servers.ts'
import { nowMs, type Summary, summarize } from './lib/stats.ts'
import { LOCAL, rapportWorkload } from './lib/workload.ts'

export type BrowserResult = {
  deals: number
  firstRenderMs: number
  dragFrameMs: Summary
  /** Whether the dragged card ended in the target column (the drag really ran through dnd-kit). */
  dragLanded: boolean
  /** Uncaught errors in the board page during the remote moves and the drag. */
  pageErrors: string[]
  remoteMoveToDomMs: Summary
  accountRoomEditableMs: number
}

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]
const UI_TIMEOUT = 30_000
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

async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.getByTestId('login-email').fill(DEMO_LOGIN.email, { timeout: UI_TIMEOUT })
  await page.getByTestId('login-password').fill(DEMO_LOGIN.password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('current-user').waitFor({ timeout: UI_TIMEOUT })
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

/** Moves visible cards from this process (a second client) and times until the card sits in its new column. */
async function remoteMoves(
  page: Page,
  server: BenchServer,
  boardDoc: string,
  token: string,
  stages: [string, string],
  moves: number,
): Promise<number[]> {
  const client = new SyncClient({ protocol: 'hocuspocus', url: server.wsUrl, docName: boardDoc, token })
  await client.connect()
  const deals = client.doc.getMap<Y.Map<unknown>>('deals')
  const out: number[] = []
  try {
    for (let i = 0; i < moves; i++) {
      const [from, to] = i % 2 === 0 ? stages : [stages[1], stages[0]]
      const testId = await page
        .locator(`[data-testid="column-${from}"] [data-testid^="card-"]`)
        .first()
        .getAttribute('data-testid', { timeout: UI_TIMEOUT })
      const id = testId?.slice('card-'.length)
      const rec = id ? deals.get(id) : undefined
      if (!id || !(rec instanceof Y.Map)) throw new Error('no visible card to move')
      let minKey: string | null = null
      for (const d of deals.values()) {
        const pos = d.get('position') as { column?: string; key?: string } | undefined
        if (pos?.column === to && typeof pos.key === 'string' && (minKey === null || pos.key < minKey)) {
          minKey = pos.key
        }
      }
      await page.evaluate(moveWatcher(`[data-testid="column-${to}"] [data-testid="card-${id}"]`))
      const sent = nowMs()
      client.doc.transact(() => {
        rec.set('position', { column: to, key: generateKeyBetween(null, minKey) })
        rec.set('stageEnteredAt', Date.now())
      }, LOCAL)
      const seen = await page.evaluate<number>('window.__benchMove || -1')
      if (seen > 0) out.push(seen - sent)
    }
  } finally {
    await client.close()
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
      size: { accounts: 50, contacts: 0, deals: CONFIG.browserDeals, tickets: 0, notes: 1 },
      seed: 7,
    })
    server = await startRapport({ dataDir: dir.path, env: { WEB_DIST: webDist } })
    const w = await rapportWorkload(server, 0)
    const token = w.token
    const [s0, s1] = stageIds
    if (!s0 || !s1) throw new Error('pipeline has fewer than two stages')

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS })
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
    const login = await context.newPage()
    await logIn(login, server.url)
    await login.close()

    log('browser: board first render')
    const page = await context.newPage()
    const t0 = performance.now()
    await page.goto(`${server.url}/#/pipelines/${w.pipelineId}`)
    await page
      .locator('[data-testid="board"] [data-testid^="card-"]')
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    const firstRenderMs = performance.now() - t0

    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message.slice(0, 200)))
    log('browser: remote moves')
    const moves = await remoteMoves(page, server, w.boardDoc, token, [s0, s1], 20)
    log('browser: drag frames')
    const drag = await dragFrames(page, s0, s1)

    log('browser: account room')
    const room = await context.newPage()
    const r0 = performance.now()
    await room.goto(`${server.url}/#/accounts/${generated.longNoteAccountId}`)
    await room
      .locator('[data-testid="notes-editor"] [contenteditable="true"]')
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    const accountRoomEditableMs = performance.now() - r0

    return {
      deals: CONFIG.browserDeals,
      firstRenderMs: Math.round(firstRenderMs),
      dragFrameMs: summarize(drag.frames),
      dragLanded: drag.landed,
      pageErrors: pageErrors.slice(0, 3),
      remoteMoveToDomMs: summarize(moves),
      accountRoomEditableMs: Math.round(accountRoomEditableMs),
    }
  } finally {
    await browser?.close()
    await server?.stop()
    dir.remove()
  }
}
