import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, type E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'
import { DESKTOP, mainPages, PHONE, ResponsiveUi } from './support/ResponsiveUi.ts'

const Items = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })
const Deal = z.object({ id: z.string(), position: z.object({ column: z.string() }) }).loose()

/** Ids of a contact and a deal of the demo workspace, and the first account. */
async function demoIds(user: E2eUser) {
  const [accountId] = await accountIds(user, 1)
  const [contact] = (await user.api('/api/contacts?limit=1', Items)).items
  const [deal] = (await user.api('/api/deals?limit=1', Items)).items
  if (!accountId || !contact || !deal)
    throw new Error('the demo workspace needs accounts, contacts and deals')
  return { accountId, contactId: contact.id, dealId: deal.id }
}

/** The stages of the board that show in the page (a phone shows one). */
const shownStages = (user: E2eUser, stageIds: readonly string[]) =>
  Promise.all(stageIds.map((id) => user.board.column(id).isVisible())).then((shown) =>
    stageIds.filter((_, i) => shown[i]),
  )

e2eDescribe('Rapport on a phone (390 × 844)', () => {
  const session = e2eSession()

  it('the board shows one stage at a time; the switcher, Move to, a drag within and the keyboard all work', async () => {
    const sales = await session.signIn('sales')
    const other = await session.signIn('sales2')
    const ui = new ResponsiveUi(sales.page, session.env.server.url)
    await ui.resize(PHONE)
    await Promise.all([sales.board.open(), other.board.open()])
    const stages = await sales.board.stageIds()
    const [first, second, third] = stages
    if (!first || !second || !third) throw new Error('the demo pipeline needs three stages')
    await expect(sales.board.switcher().isVisible()).resolves.toBe(true)
    expect(await shownStages(sales, stages)).toEqual([first])
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
    await session.env.screenshot(sales.page, 'phone-board-390')

    // The switcher shows another stage, alone and as wide as the screen allows.
    await sales.board.showStage(second)
    expect(await shownStages(sales, stages)).toEqual([second])
    const column = await sales.board.column(second).boundingBox()
    expect(column?.width).toBeGreaterThan(PHONE.width - 60)

    // "Move to" on a card puts the deal into another stage; the other member's desktop board sees it.
    const [moved, next] = await sales.board.cardIds(second)
    if (!moved || !next) throw new Error(`stage ${second} needs two cards`)
    // (It goes to the end of that stage, which a long column renders only when scrolled there: counts tell.)
    const before = { second: await other.board.count(second), third: await other.board.count(third) }
    await sales.page.getByTestId(`move-${moved}`).selectOption(third)
    await eventually(async () => (await sales.api(`/api/deals/${moved}`, Deal)).position.column).toBe(third)
    await eventually(() => other.board.count(third)).toBe(before.third + 1)
    expect(await other.board.count(second)).toBe(before.second - 1)
    await eventually(() => sales.board.count(third)).toBe(before.third + 1)
    expect(await sales.board.cardIds(second)).not.toContain(moved)

    // A drag within the shown column reorders it.
    await sales.board.dragCardToTop(next, second)
    await eventually(async () => (await sales.board.cardIds(second))[0]).toBe(next)
    await eventually(async () => (await other.board.cardIds(second))[0]).toBe(next)

    // The keyboard moves a card across stages; the switcher follows it into the next stage.
    await sales.board.keyboardMove(next, ['ArrowRight'])
    await eventually(() => sales.board.cardStage(next)).toBe(third)
    expect(await shownStages(sales, stages)).toEqual([third])
    await eventually(() => other.board.cardStage(next)).toBe(third)
  })

  it('the top bar folds the navigation into a Menu; the account room stacks; lists are cards', async () => {
    const sales = await session.signIn('sales')
    const ui = new ResponsiveUi(sales.page, session.env.server.url)
    await ui.resize(PHONE)
    await sales.board.open()
    expect(await ui.navVisible()).toBe(false)
    expect(await ui.topbarLines()).toBe(1)
    await ui.menuButton.click()
    expect(await ui.navVisible()).toBe(true)
    await session.env.screenshot(sales.page, 'phone-menu-390')
    await sales.page.getByTestId('nav-accounts').click()
    const list = new ListPage(sales.page, session.env.server.url)
    await sales.page.locator('[data-testid^="row-"]').first().waitFor()
    expect(await ui.navVisible()).toBe(false) // a new page closes the menu

    // Each row is a card: no header row, the name on top and one labelled line per column.
    await expect(sales.page.locator('.rtable__head').isVisible()).resolves.toBe(false)
    const [rowId] = await list.rowIds('accounts')
    if (!rowId) throw new Error('no account row')
    const row = await sales.page.getByTestId(`row-${rowId}`).boundingBox()
    expect(row?.height).toBeGreaterThan(120)
    expect((row?.x ?? 0) + (row?.width ?? 0)).toBeLessThanOrEqual(PHONE.width)
    const label = await sales.page
      .getByTestId(`row-${rowId}`)
      .locator('.rtable__cell')
      .nth(1)
      .evaluate((cell) => getComputedStyle(cell, '::before').content)
    expect(label).toBe('"Domain"')
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
    await session.env.screenshot(sales.page, 'phone-accounts-390')

    // The account room: the side column (tasks, contacts, deals) under the main one, nothing beside it.
    await sales.page.getByTestId(`row-${rowId}`).locator('a').first().click()
    await sales.page.getByTestId('field-name').waitFor()
    const main = await sales.page.locator('.account__main').boundingBox()
    const side = await sales.page.locator('.account__side').boundingBox()
    if (!main || !side) throw new Error('the account room has no main or side column')
    expect(side.y).toBeGreaterThanOrEqual(main.y + main.height - 1)
    expect(side.x + side.width).toBeLessThanOrEqual(PHONE.width)
    expect(main.x + main.width).toBeLessThanOrEqual(PHONE.width)
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
    await session.env.screenshot(sales.page, 'phone-account-room-390')
  })

  it('no main page scrolls sideways at 390 px (screenshots of each at 390 and 1440)', async () => {
    const sales = await session.signIn('sales')
    const ui = new ResponsiveUi(sales.page, session.env.server.url)
    const pages = mainPages(await demoIds(sales))
    for (const size of [PHONE, DESKTOP]) {
      await ui.resize(size)
      for (const page of pages) {
        await ui.open(page.path, page.ready)
        expect(await ui.pageScrollWidth(), `${page.name} at ${size.width}`).toBeLessThanOrEqual(size.width)
        await session.env.screenshot(sales.page, `page-${page.name}-${size.width}`)
      }
    }
  })
})
