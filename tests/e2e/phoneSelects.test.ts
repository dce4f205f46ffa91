import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { DESKTOP, mainPages, PHONE, ResponsiveUi } from './support/ResponsiveUi.ts'

const Items = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })

interface SelectLook {
  testId: string
  appearance: string
  right: number
  radius: number
  borderWidth: string
  background: string
  chevron: boolean
  textRoom: number
}

/** How every visible, enabled dropdown of the page looks. */
const selectLooks = (page: Page): Promise<SelectLook[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('select')]
      .filter((el) => !el.disabled && el.getAttribute('aria-readonly') !== 'true' && el.offsetParent !== null)
      .map((el) => {
        const style = getComputedStyle(el)
        const box = el.getBoundingClientRect()
        return {
          testId: el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.name ?? '?',
          appearance: style.appearance,
          right: box.right,
          radius: Number.parseFloat(style.borderTopLeftRadius),
          borderWidth: style.borderTopWidth,
          background: style.backgroundColor,
          chevron: style.backgroundImage.includes('svg'),
          textRoom: Number.parseFloat(style.paddingRight),
        }
      }),
  )

e2eDescribe('dropdowns on a phone look like the app’s inputs', () => {
  const session = e2eSession()

  it('at 390 px every dropdown has an input’s field and the app’s chevron, inside the screen; at 1440 px none changes', async () => {
    const sales = await session.signIn('sales')
    const url = session.env.server.url
    const ui = new ResponsiveUi(sales.page, url)
    const [accountId] = await accountIds(sales, 1)
    const [contact] = (await sales.api('/api/contacts?limit=1', Items)).items
    const [deal] = (await sales.api('/api/deals?limit=1', Items)).items
    if (!accountId || !contact || !deal) throw new Error('the demo workspace needs records')
    const pages = mainPages({ accountId, contactId: contact.id, dealId: deal.id })

    await ui.resize(PHONE)
    const seen: string[] = []
    for (const { name, path, ready } of pages) {
      await ui.open(path, ready)
      if (name === 'my-tasks') await sales.page.locator('[data-testid="my-tasks"] select').first().waitFor()
      if (name === 'account-room') {
        await sales.page.getByTestId('log-activity-open').click()
        await sales.page.getByTestId('log-activity-form').waitFor()
      }
      for (const look of await selectLooks(sales.page)) {
        seen.push(`${name}:${look.testId}`)
        const where = `${name}: ${look.testId}`
        expect(look, where).toMatchObject({
          appearance: 'none',
          borderWidth: '1px',
          background: 'rgb(255, 255, 255)',
          chevron: true,
        })
        expect(look.radius, where).toBeGreaterThanOrEqual(6)
        expect(look.textRoom, where).toBeGreaterThanOrEqual(30)
        expect(look.right, where).toBeLessThanOrEqual(PHONE.width)
      }
      if (['board', 'deal', 'my-tasks', 'account-room'].includes(name))
        await session.env.screenshot(sales.page, `phone-selects-${name}-390`)
    }
    // The board's stage switcher, the deal's stage and owner, a task's assignee and the log form's deal at least.
    expect(seen.length).toBeGreaterThanOrEqual(5)
    expect(seen.some((s) => s.startsWith('board:'))).toBe(true)
    for (const page of ['deal', 'my-tasks', 'account-room'])
      expect(
        seen.some((s) => s.startsWith(`${page}:`)),
        page,
      ).toBe(true)

    // The desktop keeps the platform's dropdowns as they were.
    await ui.resize(DESKTOP)
    const deskPage = pages.find((p) => p.name === 'deal')
    if (!deskPage) throw new Error('no deal page')
    await ui.open(deskPage.path, deskPage.ready)
    for (const look of await selectLooks(sales.page)) expect(look.appearance).not.toBe('none')
  })
})
