import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'

const Deals = z.object({ items: z.array(z.object({ pipelineId: z.string() })) })
const Snapshot = z.object({
  columns: z.array(
    z.object({ stageId: z.string(), count: z.number(), deals: z.array(z.object({ id: z.string() })) }),
  ),
})

e2eDescribe('the board paints the server snapshot while its document syncs', () => {
  const session = e2eSession()

  it('shows read-only cards and counts before the pipeline document syncs, then the live board', async () => {
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

    // No document can sync while the collab token is held back.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await a.page.route('**/api/auth/collab-token', async (route) => {
      await held
      await route.continue()
    })
    await a.page.goto(`${a.board.baseUrl}/#/pipelines/${pipelineId}`)

    const preview = a.page.getByTestId('board-preview')
    await preview.getByTestId(`card-${firstDeal}`).waitFor()
    await a.page.getByTestId('board-syncing').waitFor()
    expect(await a.board.count(first.stageId)).toBe(first.count)
    expect(await preview.locator('[data-testid^="won-"]').count()).toBe(0)
    expect(await a.board.board.count()).toBe(0)

    release()
    await a.board.board.waitFor()
    await a.board.card(`${firstDeal}`).waitFor()
    expect(await preview.count()).toBe(0)
    expect(await a.board.count(first.stageId)).toBe(first.count)
    expect(await a.board.board.locator('[data-testid^="won-"]').count()).toBeGreaterThan(0)
  })
})
