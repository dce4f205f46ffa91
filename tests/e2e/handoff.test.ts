import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { DEMO, type E2eEnv, type E2eUser, startE2e } from './support/e2eEnv.ts'
import { HandoffPage } from './support/HandoffPage.ts'

const Deals = z.object({
  items: z.array(
    z
      .object({
        id: z.string(),
        accountId: z.string().nullable(),
        status: z.string(),
        position: z.object({ column: z.string() }),
      })
      .loose(),
  ),
})
const Members = z.object({ members: z.array(z.object({ userId: z.string(), email: z.string() }).loose()) })

e2eDescribe('sales hands a won deal over to support, live in two browsers', () => {
  let env: E2eEnv
  const users: E2eUser[] = []

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    for (const u of users) await u.context.close()
    await env?.close()
  })

  it('won deal → draft → notification → co-edited brief → accept changes owner and team everywhere', async () => {
    const sales = await env.signIn('sales')
    const support = await env.signIn('support')
    users.push(sales, support)
    const salesUi = new HandoffPage(sales.page)
    const supportUi = new HandoffPage(support.page)
    const supportId = (await sales.api('/api/members', Members)).members.find(
      (m) => m.email === DEMO.support.email,
    )?.userId
    if (!supportId) throw new Error('the demo workspace has no support user')

    // 1. Sales drags an open deal with an account onto Won.
    await sales.board.open()
    const stageIds = await sales.board.stageIds()
    const wonTestId = await sales.page
      .locator('[data-testid^="column-"][aria-label="Won"]')
      .first()
      .getAttribute('data-testid')
    const wonStage = wonTestId?.slice('column-'.length)
    if (!wonStage) throw new Error('the board has no Won column')
    const deals = (await sales.api('/api/deals?limit=200', Deals)).items
    // The nearest column to Won first: a short drag keeps both columns on screen.
    const distance = (column: string) => Math.abs(stageIds.indexOf(wonStage) - stageIds.indexOf(column))
    deals.sort((a, b) => distance(a.position.column) - distance(b.position.column))
    let deal: (typeof deals)[number] | undefined
    for (const d of deals) {
      if (d.status !== 'open' || !d.accountId || !stageIds.includes(d.position.column)) continue
      if ((await sales.board.card(d.id).count()) > 0) {
        deal = d
        break
      }
    }
    if (!deal?.accountId) throw new Error('no visible open deal with an account on the board')
    const accountId = deal.accountId
    const handoffId = `hof_won_${deal.id}`
    // Centre Won so dnd-kit's edge auto-scroll does not slide the board under the pointer during the drag.
    await sales.board
      .column(wonStage)
      .evaluate((el) => el.scrollIntoView({ inline: 'center', block: 'nearest' }))
    await sales.board.dragCard(deal.id, wonStage)
    await expect.poll(() => sales.board.cardStage(deal.id)).toBe(wonStage)

    // 2. The handoff draft appears in the account room, with the brief template.
    await sales.room.open(accountId)
    await expect.poll(() => salesUi.status(handoffId), { timeout: 15_000 }).toBe('draft')
    await expect.poll(() => salesUi.briefText(handoffId)).toContain('Promises made')
    await salesUi.sendTo(handoffId, /Riley Support/)
    await expect.poll(() => salesUi.status(handoffId)).toBe('sent')

    // 3. Support sees the notification (unread count in the nav), opens it and lands in the room.
    await support.shell.goto('inbox')
    await expect.poll(() => supportUi.unread(), { timeout: 15_000 }).toBeGreaterThan(0)
    const notice = supportUi.notifications().filter({ hasText: 'handed' }).first()
    await notice.waitFor()
    await notice.getByTestId('notification-link').click()
    await support.room.room.waitFor()
    await expect.poll(() => supportUi.status(handoffId)).toBe('sent')

    // 4. Both type into the brief; each sees the other's words.
    await salesUi.typeInBrief(handoffId, ' Renewal promised for March.')
    await supportUi.typeInBrief(handoffId, ' Kickoff call booked.')
    for (const ui of [salesUi, supportUi]) {
      await expect.poll(() => ui.briefText(handoffId)).toContain('Renewal promised for March.')
      await expect.poll(() => ui.briefText(handoffId)).toContain('Kickoff call booked.')
    }

    // An @mention in the brief notifies the mentioned member (unread count in the nav goes up).
    await expect.poll(() => supportUi.unread()).toBe(0)
    await salesUi.typeInBrief(handoffId, ' Ask @Rile')
    await sales.page.getByTestId('mention-menu').getByText('Riley Support').waitFor()
    await sales.page.keyboard.press('Enter')
    await expect.poll(() => supportUi.briefText(handoffId)).toContain('@Riley Support')
    await expect.poll(() => supportUi.unread(), { timeout: 15_000 }).toBe(1)

    // 5. Support accepts: owner and team change in both browsers; the timeline shows the handoff.
    const ownerBefore = await salesUi.team().getAttribute('data-owner')
    expect(ownerBefore).not.toBe(supportId)
    await supportUi.accept(handoffId)
    for (const ui of [salesUi, supportUi]) {
      await expect.poll(() => ui.status(handoffId)).toBe('accepted')
      await expect.poll(() => ui.team().getAttribute('data-owner')).toBe(supportId)
      await expect.poll(() => ui.team().getAttribute('data-team')).toBe('support')
      await expect.poll(() => ui.timeline().innerText()).toContain('accepted the handoff')
      await expect.poll(() => ui.timeline().innerText()).toContain('handoff draft created')
    }
    await env.screenshot(support.page, 'handoff-accepted')
  })
})
