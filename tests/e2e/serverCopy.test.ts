import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

/** Requests to `pattern` wait until released (no document can sync while the collab token is held back). */
async function hold(page: Page, pattern: string): Promise<() => void> {
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route(pattern, async (route) => {
    await held
    await route.continue()
  })
  return release
}
const holdCollabToken = (page: Page) => hold(page, '**/api/auth/collab-token')

/** The document name at the start of a Hocuspocus frame (a lib0 varUint length + UTF-8). */
function frameDocName(frame: Buffer): string | null {
  let length = 0
  let shift = 0
  let i = 0
  for (; i < frame.length && i < 5; i++) {
    const byte = frame[i] as number
    length += (byte & 0x7f) * 2 ** shift
    shift += 7
    if (byte < 0x80) break
  }
  const start = i + 1
  return start + length > frame.length ? null : frame.subarray(start, start + length).toString('utf8')
}

/** The server's frames of document `name` reach the page only once released (the other documents sync). */
async function holdDocument(page: Page, name: string): Promise<() => void> {
  let held = true
  const queued: Array<() => void> = []
  await page.routeWebSocket(/\/collab/, (ws) => {
    const server = ws.connectToServer()
    server.onMessage((message) => {
      if (held && typeof message !== 'string' && frameDocName(message) === name)
        queued.push(() => ws.send(message))
      else ws.send(message)
    })
  })
  return () => {
    held = false
    for (const send of queued.splice(0)) send()
  }
}

const Deals = z.object({ items: z.array(z.object({ pipelineId: z.string() })) })
const Snapshot = z.object({
  columns: z.array(
    z.object({ stageId: z.string(), count: z.number(), deals: z.array(z.object({ id: z.string() })) }),
  ),
})

e2eDescribe('pages paint the server’s copy while their documents sync (a new device)', () => {
  const session = e2eSession()

  it('paints the snapshot, then the live board from the faces route before the board document syncs, then the synced board', async () => {
    // The first sign-in of a user goes through the UI and syncs the board into that context's IndexedDB; a later
    // context starts with the session cookie only, like a new device.
    await session.signIn('sales')
    const a = await session.signIn('sales')
    const pipelineId = (await a.api('/api/deals?limit=1', Deals)).items[0]?.pipelineId
    if (!pipelineId) throw new Error('the demo workspace needs deals')
    const snapshot = await a.api(`/api/pipelines/${pipelineId}/board`, Snapshot)
    const first = snapshot.columns.find((c) => c.deals.length > 0)
    if (!first) throw new Error('the demo pipeline needs a deal')
    const firstDeal = first.deals[0]?.id

    const releaseBoard = await holdDocument(a.page, `demo/board/${pipelineId}`)
    const releaseFaces = await hold(a.page, '**/board/faces')
    await a.page.goto(`${a.board.baseUrl}/#/pipelines/${pipelineId}`)

    // While every card's face is on its way: the server's snapshot, read only.
    const preview = a.page.getByTestId('board-preview')
    await preview.getByTestId(`card-${firstDeal}`).waitFor()
    await a.page.getByTestId('board-syncing').waitFor()
    expect(await a.board.count(first.stageId)).toBe(first.count)
    expect(await preview.locator('[data-testid^="won-"]').count()).toBe(0)
    expect(await a.board.board.count()).toBe(0)

    // The faces place every card: the live board (its cards can be moved) before the board document has synced.
    releaseFaces()
    await a.board.board.waitFor()
    await a.board.card(`${firstDeal}`).waitFor()
    expect(await preview.count()).toBe(0)
    for (const column of snapshot.columns)
      await eventually(() => a.board.count(column.stageId)).toBe(column.count)
    expect(await a.board.board.locator('[data-testid^="won-"]').count()).toBeGreaterThan(0)

    // The board document syncs: the same cards in the same columns.
    releaseBoard()
    for (const column of snapshot.columns)
      await eventually(() => a.board.count(column.stageId)).toBe(column.count)
    await a.board.card(`${firstDeal}`).waitFor()
  })

  it('the account room shows the account and its contacts read only, then live', async () => {
    await session.signIn('sales')
    const a = await session.signIn('sales')
    const Accounts = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) })
    const Contacts = z.object({
      items: z.array(z.object({ id: z.string(), accountId: z.string().nullable() })),
    })
    const contact = (await a.api('/api/contacts?limit=1', Contacts)).items[0]
    const accountId = contact?.accountId
    if (!accountId) throw new Error('the demo workspace needs a contact with an account')
    const account = (await a.api('/api/accounts?limit=200', Accounts)).items.find((x) => x.id === accountId)
    if (!account) throw new Error(`account ${accountId} not listed`)

    // Neither the room's document (no token) nor its state over HTTP (index.html's early request, see
    // firstVisit.test.ts) arrives: the room has only the REST copies to show.
    const release = await holdCollabToken(a.page)
    const releaseState = await hold(a.page, '**/room-state')
    await a.page.goto(`${a.board.baseUrl}/#/accounts/${accountId}`)
    await a.page.getByTestId('account-name').filter({ hasText: account.name }).waitFor()
    expect(await a.room.field('name').isDisabled()).toBe(true)
    await a.page.getByTestId('account-contacts').locator('.mini-row').first().waitFor()

    release()
    releaseState()
    await a.room.notes.waitFor()
    await eventually(() => a.room.field('name').isDisabled()).toBe(false)
  })
})
