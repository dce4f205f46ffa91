import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

/** No document can sync while the collab token is held back; returns the release. */
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
  columns: z.array(
    z.object({ stageId: z.string(), count: z.number(), deals: z.array(z.object({ id: z.string() })) }),
  ),
})

e2eDescribe('pages paint the server’s copy while their documents sync (a new device)', () => {
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

    const release = await holdCollabToken(a.page)
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

    const release = await holdCollabToken(a.page)
    await a.page.goto(`${a.board.baseUrl}/#/accounts/${accountId}`)
    await a.page.getByTestId('account-name').filter({ hasText: account.name }).waitFor()
    expect(await a.room.field('name').isDisabled()).toBe(true)
    await a.page.getByTestId('account-contacts').locator('.mini-row').first().waitFor()

    release()
    await a.room.notes.waitFor()
    await eventually(() => a.room.field('name').isDisabled()).toBe(false)
  })
})
