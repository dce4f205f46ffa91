import { expect, it } from 'vitest'
import { z } from 'zod'
import { CommandPalettePage } from './support/CommandPalettePage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { DESKTOP, PHONE, ResponsiveUi } from './support/ResponsiveUi.ts'

const Created = z.object({ id: z.string() }).loose()
const Deals = z.object({
  items: z.array(z.object({ pipelineId: z.string(), position: z.object({ column: z.string() }) }).loose()),
})

/** One unbroken word of 200 characters starting with `stem`. */
const longWord = (stem: string) => stem.repeat(Math.ceil(200 / stem.length)).slice(0, 200)

async function post(user: E2eUser, baseUrl: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await user.page.request.post(`${baseUrl}/api${path}`, { data: body })
  if (!res.ok()) throw new Error(`POST ${path} failed: ${res.status()} ${await res.text()}`)
  return Created.parse(await res.json())
}

e2eDescribe('polish: long words, the top bar, read-only inputs, pages that do not exist', () => {
  const session = e2eSession()

  it('a 200-character word in an account name, deal title, ticket subject, logged call and note never widens a page', async () => {
    const admin = await session.signIn('admin')
    const url = session.env.server.url
    const words = {
      account: longWord('Accountname'),
      deal: longWord('Dealtitle'),
      ticket: longWord('Ticketsubject'),
      call: longWord('Calloutcome'),
      note: longWord('Notetext'),
    }
    const account = await post(admin, url, '/accounts', { name: words.account })
    const [sample] = (await admin.api('/api/deals?limit=1', Deals)).items
    if (!sample) throw new Error('the demo workspace needs deals')
    const deal = await post(admin, url, '/deals', {
      pipelineId: sample.pipelineId,
      stageId: sample.position.column,
      title: words.deal,
      accountId: account.id,
    })
    await post(admin, url, '/tickets', { subject: words.ticket, accountId: account.id })
    await post(admin, url, `/accounts/${account.id}/activities`, {
      type: 'call',
      at: Date.now(),
      outcome: words.call,
    })

    const ui = new ResponsiveUi(admin.page, url)
    const palette = new CommandPalettePage(admin.page)
    for (const size of [DESKTOP, PHONE]) {
      await ui.resize(size)
      const check = async (name: string, texts: readonly string[]) => {
        expect(await ui.pageScrollWidth(), `${name} at ${size.width}`).toBeLessThanOrEqual(size.width)
        for (const text of texts)
          expect(await ui.overflowingText(text.slice(0, 30)), `${name} at ${size.width}`).toEqual([])
        await session.env.screenshot(admin.page, `long-word-${name}-${size.width}`)
      }
      await ui.open(`/accounts/${account.id}`, '[data-testid="field-name"]')
      await admin.page.getByText(words.call.slice(0, 30)).first().waitFor()
      if (size === DESKTOP) await admin.room.typeInNotes(words.note, 'new-paragraph')
      await admin.page.getByText(words.note.slice(0, 30)).first().waitFor()
      await check('account-room', [words.account, words.deal, words.ticket, words.call, words.note])

      await ui.open(`/deals/${deal.id}`, '[data-testid="deal-page"]')
      await check('deal-page', [words.deal, words.account])

      await ui.open('/accounts', '[data-testid^="row-"]')
      await admin.page.getByTestId('list-search').fill(words.account.slice(0, 40))
      await admin.page.getByTestId(`row-${account.id}`).waitFor()
      await check('accounts-list', [words.account])

      await admin.board.open(sample.pipelineId)
      await admin.board.showStage(sample.position.column)
      await admin.page.getByTestId('filter-text').fill(words.deal.slice(0, 40))
      await admin.board.card(deal.id).waitFor()
      await check('board-card', [words.deal, words.account])

      await ui.open('/support', '[data-testid^="ticket-column-"]')
      await admin.page.getByText(words.ticket.slice(0, 30)).first().waitFor()
      await check('support-card', [words.ticket])

      await palette.search(words.account.slice(0, 40))
      await admin.page.getByTestId(`palette-item-account-${account.id}`).waitFor()
      await check('palette', [words.account])
      await admin.page.keyboard.press('Escape')
    }
  })

  it('at 1440 px the top bar is one line for every role; a phone folds it behind Menu', async () => {
    for (const who of ['admin', 'sales', 'support', 'viewer'] as const) {
      const user = await session.signIn(who)
      const ui = new ResponsiveUi(user.page, session.env.server.url)
      await ui.resize(DESKTOP)
      await user.board.open()
      expect(await ui.topbarLines(), who).toBe(1)
      expect(await ui.navVisible()).toBe(true)
      expect(await ui.menuButton.isVisible()).toBe(false)
      if (who === 'admin') await session.env.screenshot(user.page, 'topbar-1440')
      await ui.resize(PHONE)
      expect(await ui.topbarLines(), `${who} at 390`).toBe(1)
      expect(await ui.menuButton.isVisible()).toBe(true)
      await ui.navigate('inbox')
      await user.page.getByTestId('inbox').waitFor()
    }
  })

  it('a viewer sees values as read-only text, not as inputs to type into', async () => {
    const viewer = await session.signIn('viewer')
    const sales = await session.signIn('sales')
    const [accountId] = (
      await sales.api('/api/accounts?limit=1', z.object({ items: z.array(Created) }))
    ).items.map((a) => a.id)
    if (!accountId) throw new Error('the demo workspace needs an account')
    await Promise.all([viewer.room.open(accountId), sales.room.open(accountId)])
    const viewerUi = new ResponsiveUi(viewer.page, session.env.server.url)
    const salesUi = new ResponsiveUi(sales.page, session.env.server.url)
    for (const field of ['name', 'city', 'tier', 'ownerId']) {
      const look = await viewerUi.controlLook(viewer.room.field(field))
      expect(look, field).toMatchObject({
        ariaReadonly: 'true',
        cursor: 'default',
        border: 'rgba(0, 0, 0, 0)',
        background: 'rgba(0, 0, 0, 0)',
      })
      const editable = await salesUi.controlLook(sales.room.field(field))
      expect(editable.ariaReadonly, field).toBeNull()
      expect(editable.border, field).not.toBe('rgba(0, 0, 0, 0)')
    }
    await session.env.screenshot(viewer.page, 'viewer-read-only-room-1440')
  })

  it('a page that does not exist says so and links back to its section, or home', async () => {
    const sales = await session.signIn('sales')
    const ui = new ResponsiveUi(sales.page, session.env.server.url)
    await ui.open('/nowhere/at/all', '[data-testid="not-found"]')
    await sales.page.getByTestId('not-found-back').click()
    await sales.board.board.waitFor()

    await ui.open('/contacts/x/y', '[data-testid="not-found"]')
    expect(await sales.page.getByTestId('not-found-back').textContent()).toBe('Back to contacts')
    await sales.page.getByTestId('not-found-back').click()
    await sales.page.locator('[data-testid^="row-"]').first().waitFor()

    await ui.open('/accounts/acc_doesnotexist', '[data-testid="account-missing"]')
    await sales.page.getByTestId('account-missing').getByRole('link', { name: 'Back to accounts' }).click()
    await sales.page.locator('[data-testid^="row-"]').first().waitFor()

    await ui.open('/deals/deal_doesnotexist', '[data-testid="deal-missing"]')
    await sales.page.getByTestId('deal-missing').getByRole('link', { name: 'Back to the pipelines' }).click()
    await sales.board.board.waitFor()
  })
})
