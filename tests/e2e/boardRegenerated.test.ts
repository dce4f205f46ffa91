import { cp, rm } from 'node:fs/promises'
import { docName } from '@rapport/model'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { newDataDir, type StartedServer, startServer } from '../integration/helpers/startServer.ts'
import { BoardPage } from './support/BoardPage.ts'
import { launchChromium } from './support/chromium.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { DEMO, DEMO_PASSWORD } from './support/e2eEnv.ts'
import { ensureWebBuild, WEB_DIST } from './support/e2eServer.ts'
import { eventually } from './support/eventually.ts'
import { LoginPage } from './support/LoginPage.ts'

/**
 * Issue #12: the server regenerates a board document (`BoardMirror.regenerate`: its stored state replaced by a fresh
 * one) and closes its connections with `board-regenerated` (docs/schema.md §4.2, §8). A browser showing the board
 * drops its copy and syncs a fresh one without a reload; a drag in progress still lands; the board stays live.
 * The server runs in this process so the test can regenerate the board directly.
 */
const Deal = z
  .object({ id: z.string(), pipelineId: z.string(), position: z.object({ column: z.string() }) })
  .loose()
const Deals = z.object({ items: z.array(Deal) })

let started: StartedServer
let webDist: string
let browser: Browser
let context: BrowserContext
let page: Page

const api = async <T>(path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> => {
  const response = body
    ? await page.request.post(`${started.url}${path}`, { data: body })
    : await page.request.get(`${started.url}${path}`)
  if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`)
  return schema.parse(await response.json())
}

e2eDescribe('a board the server regenerates while a browser shows it', () => {
  beforeAll(async () => {
    ensureWebBuild()
    // A private copy of the build (others rebuild the shared dist while tests run).
    webDist = `${await newDataDir()}-web`
    await cp(WEB_DIST, webDist, { recursive: true })
    started = await startServer({ webDist, seedDemo: true })
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    page = await context.newPage()
    const login = new LoginPage(page, started.url)
    await login.open()
    await login.signIn(DEMO.sales.email, DEMO_PASSWORD)
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await started?.stop()
    if (webDist) await rm(webDist, { recursive: true, force: true })
  })

  it('drops its copy and resyncs without a reload; a drag in progress lands; the board stays live', async () => {
    const pipelineId = (await api('/api/deals?limit=1', Deals)).items[0]?.pipelineId
    if (!pipelineId) throw new Error('the demo workspace needs deals')
    const board = new BoardPage(page, started.url)
    await board.open(pipelineId)
    const stages = await board.stageIds()
    const [lead, qualified, proposal] = stages
    if (!lead || !qualified || !proposal) throw new Error('the demo pipeline needs three stages')
    const counts = async () => Promise.all(stages.map((s) => board.count(s)))
    const before = await counts()
    await page.evaluate(() => {
      ;(window as unknown as { __sameDocument: boolean }).__sameDocument = true
    })

    // A drag in progress: picked up and carried over the next column when the server regenerates the board.
    const [dragged] = await board.cardIds(lead)
    if (!dragged) throw new Error('no card in the first stage')
    const card = board.card(dragged)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    const to = await board.column(qualified).boundingBox()
    if (!from || !to) throw new Error('card or column not laid out')
    await page.mouse.move(from.x + from.width / 2, from.y + 24)
    await page.mouse.down()
    await page.mouse.move(from.x + from.width / 2 + 12, from.y + 28, { steps: 4 })
    const targetX = to.x + to.width / 2
    const targetY = to.y + Math.min(to.height / 2, 160)
    await page.mouse.move(targetX, targetY, { steps: 12 })

    const boardName = docName({ workspaceId: 'demo', kind: 'board', pipelineId })
    expect(await started.server.boards.regenerate(boardName)).toBe(true)

    await page.mouse.move(targetX + 2, targetY + 2, { steps: 2 })
    await page.mouse.up()
    await eventually(async () => (await api(`/api/deals/${dragged}`, Deal)).position.column).toBe(qualified)
    await eventually(() => board.cardStage(dragged)).toBe(qualified)

    // Live after the regeneration: a move made elsewhere reaches this board through the fresh document.
    const [remote] = await board.cardIds(lead)
    if (!remote) throw new Error('no second card in the first stage')
    // To the top of its new column, so the virtualized column renders it.
    await api(`/api/deals/${remote}/move`, Deal, { stageId: proposal, index: 0 })
    await eventually(() => board.cardStage(remote)).toBe(proposal)

    // Every column counts what it did, with the two moves; no reload happened.
    const expected = [...before]
    const index = (stage: string) => stages.indexOf(stage)
    expected[index(lead)] = (expected[index(lead)] ?? 0) - 2
    expected[index(qualified)] = (expected[index(qualified)] ?? 0) + 1
    expected[index(proposal)] = (expected[index(proposal)] ?? 0) + 1
    await eventually(counts).toEqual(expected)
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true)
    expect(await page.getByTestId('board').count()).toBe(1)
  })
})
