import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

/** The page's collaboration token requests wait until released: no document can sync before. */
async function holdCollabToken(page: Page): Promise<() => void> {
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route('**/api/auth/collab-token', async (route) => {
    await held
    await route.continue()
  })
  return release
}

const Deals = z.object({ items: z.array(z.object({ pipelineId: z.string() })) })
const Snapshot = z.object({
  pipeline: z.object({ stages: z.array(z.object({ id: z.string(), outcome: z.string() })) }),
  columns: z.array(z.object({ stageId: z.string(), deals: z.array(z.object({ id: z.string() })) })),
})

/** The paths of everything a page fetched, in order (Resource Timing). */
const RESOURCES = `performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)`
/** index.html's <head> in order: the chunk list, the early script, the stylesheet. */
const HEAD_ORDER = `[...document.head.children].map((el) =>
  el.matches('link[rel="stylesheet"]') ? 'stylesheet'
    : el.textContent?.includes('__rapportRouteChunks=') ? 'chunks'
    : el.textContent?.includes('__rapportEarly') ? 'early' : '')`
/** index.html's preloads, each as `route path`. */
const PRELOADS = `[...document.querySelectorAll('link[data-route]')].map((l) => l.dataset.route + ' ' + new URL(l.href).pathname)`

/**
 * Issue #12 ("account room editable on a new device"): a first visit on an account room link fetches the room's
 * chunk beside the main bundle (index.html's preload), once, and asks for one collaboration token.
 */
e2eDescribe('a first visit on a link', () => {
  const session = e2eSession()

  it("fetches the account room's chunk once, from index.html's preload, and one collaboration token", async () => {
    const a = await session.signIn('sales')
    const [accountId] = await accountIds(a, 1)
    if (!accountId) throw new Error('the demo workspace has no account')
    const tab = await a.openTab()
    await tab.room.open(accountId)
    await tab.page.locator('[data-testid="notes-editor"] [contenteditable="true"]').waitFor()
    const preloads = await tab.page.evaluate<string[]>(PRELOADS)
    expect(preloads.some((p) => /^account \/assets\/AccountPage-[\w-]+\.js$/.test(p))).toBe(true)
    expect(preloads.every((p) => p.startsWith('account '))).toBe(true)
    // The app's own import of the room's chunk took the preloaded module: none was fetched twice.
    const resources = await tab.page.evaluate<string[]>(RESOURCES)
    const scripts = resources.filter((path) => path.endsWith('.js'))
    expect(scripts.filter((path) => /^\/assets\/AccountPage-[\w-]+\.js$/.test(path))).toHaveLength(1)
    expect(new Set(scripts).size).toBe(scripts.length)
    // The token asked for at session start is the one the room's document used.
    expect(resources.filter((path) => path === '/api/auth/collab-token')).toHaveLength(1)
    // index.html's early script runs before the stylesheet (an inline script after it would wait for it to load),
    // and the build's chunk list before the early script.
    const head = await tab.page.evaluate<string[]>(HEAD_ORDER)
    expect(head.indexOf('chunks')).toBeGreaterThanOrEqual(0)
    expect(head.indexOf('early')).toBeGreaterThanOrEqual(0)
    expect(head.indexOf('chunks')).toBeLessThan(head.indexOf('early'))
    expect(head.indexOf('early')).toBeLessThan(head.indexOf('stylesheet'))
  })

  it("makes the notes editable from the room's state read over HTTP before its document syncs; an edit made then syncs after", async () => {
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const [accountId] = await accountIds(a, 1)
    if (!accountId) throw new Error('the demo workspace has no account')
    // Another user's synced copy of the room: what the server holds.
    await b.room.open(accountId)
    const serverNotes = await b.room.notesText()
    expect(serverNotes.length).toBeGreaterThan(0)

    // A new tab of a context that never opened the room (no offline copy), its socket unable to sync any document.
    const release = await holdCollabToken(a.page)
    await a.page.goto(`${a.room.baseUrl}/#/accounts/${accountId}`)
    await a.page.locator('[data-testid="notes-editor"] [contenteditable="true"]').waitFor()
    expect(await a.room.notesText()).toBe(serverNotes)
    const resources = await a.page.evaluate<string[]>(RESOURCES)
    expect(resources.filter((path) => path === `/api/accounts/${accountId}/room-state`)).toHaveLength(1)

    // What the user sees before the socket synced, wide and on a phone.
    await session.env.screenshot(a.page, 'first-visit-room-before-sync-1440')
    await a.page.setViewportSize({ width: 390, height: 844 })
    await a.page.locator('[data-testid="notes-editor"] [contenteditable="true"]').waitFor()
    await session.env.screenshot(a.page, 'first-visit-room-before-sync-390')
    await a.page.setViewportSize({ width: 1440, height: 900 })

    const edit = ` early edit ${Date.now()}`
    await a.room.typeInNotes(edit)
    expect(await a.room.notesText()).toBe(serverNotes + edit)
    release()
    // The edit reaches the other user once the document syncs, once, where it was typed.
    await eventually(() => b.room.notesText()).toBe(serverNotes + edit)
    await eventually(() => a.room.notesText()).toBe(serverNotes + edit)
  })

  it('shows the live board of a board link from its snapshot and faces before any document syncs; a card dragged then lands for another user', async () => {
    // The first sign-in of a user goes through the UI (and syncs the board into that context's IndexedDB); a later
    // context starts with the session cookie only, like a new device.
    await session.signIn('sales')
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const pipelineId = (await a.api('/api/deals?limit=1', Deals)).items[0]?.pipelineId
    if (!pipelineId) throw new Error('the demo workspace needs deals')
    const snapshot = await a.api(`/api/pipelines/${pipelineId}/board`, Snapshot)
    const open = new Set(snapshot.pipeline.stages.filter((s) => s.outcome === 'open').map((s) => s.id))
    const from = snapshot.columns.find((c) => open.has(c.stageId) && c.deals.length > 0)
    const dealId = from?.deals[0]?.id
    const to = [...open].find((id) => id !== from?.stageId)
    if (!from || !dealId || !to) throw new Error('the demo pipeline needs two open stages and a deal')
    await b.board.open(pipelineId)

    // A new device whose socket can sync no document (neither the workspace's pipelines nor the board's places).
    const release = await holdCollabToken(a.page)
    await a.page.goto(`${a.board.baseUrl}/#/pipelines/${pipelineId}`)
    await a.board.board.waitFor()
    await a.board.card(dealId).waitFor()
    expect(await a.page.getByTestId('board-preview').count()).toBe(0)
    const resources = await a.page.evaluate<string[]>(RESOURCES)
    // index.html's early requests answered the page: no second request for the snapshot or the faces.
    expect(resources.filter((path) => path === `/api/pipelines/${pipelineId}/board`)).toHaveLength(1)
    expect(resources.filter((path) => path === `/api/pipelines/${pipelineId}/board/faces`)).toHaveLength(1)

    // The card moves at once; the move is written to the deal's document once the documents sync.
    await a.board.dragCard(dealId, to)
    await eventually(() => a.board.cardStage(dealId)).toBe(to)
    release()
    await eventually(() => b.board.cardStage(dealId)).toBe(to)
    await eventually(() => a.board.cardStage(dealId)).toBe(to)
  })

  it("preloads nothing on a board link: the board is in the main bundle, the room's chunk waits for idle time", async () => {
    const a = await session.signIn('sales')
    const tab = await a.openTab()
    await tab.board.open()
    expect(await tab.page.evaluate<string[]>(PRELOADS)).toEqual([])
  })
})
