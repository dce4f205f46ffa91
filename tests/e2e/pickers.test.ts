import { it } from 'vitest'
import { z } from 'zod'
import { ActivityForm } from './support/ActivityForm.ts'
import { DealPage } from './support/DealPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) })
const DealRow = z
  .object({
    id: z.string(),
    pipelineId: z.string(),
    position: z.object({ column: z.string() }).loose(),
    accountId: z.string().nullable(),
    contactIds: z.array(z.string()),
  })
  .loose()
const Created = z.object({ id: z.string() }).loose()

/** POSTs JSON with the user's session cookie (another tab of the same user, say) and returns the new record's id. */
async function create(user: E2eUser, baseUrl: string, path: string, body: unknown): Promise<string> {
  const res = await user.page.request.post(`${baseUrl}${path}`, { data: body })
  if (!res.ok()) throw new Error(`POST ${path} failed: ${res.status()} ${await res.text()}`)
  return Created.parse(await res.json()).id
}

e2eDescribe('pickers stay current: a record created meanwhile can be picked without a reload', () => {
  const session = e2eSession()

  it('the deal page offers a contact, an account and a deal created after it opened', async () => {
    const sales = await session.signIn('sales')
    const url = session.env.server.url
    const deals = (await sales.api('/api/deals?limit=100', Items(DealRow))).items
    const deal = deals.find((d) => d.accountId !== null)
    if (!deal?.accountId) throw new Error('the demo workspace needs a deal with an account')
    const page = new DealPage(sales.page, url)
    await page.open(deal.id)
    await sales.page.getByTestId('deal-contacts').waitFor()
    await eventually(() => sales.page.getByTestId('deal-contacts').innerText()).not.toMatch(/Loading/)

    // Created elsewhere (another tab, a colleague, a script) while the page is open.
    const contactId = await create(sales, url, '/api/contacts', {
      firstName: 'Nora',
      lastName: 'Newcomer',
      accountId: deal.accountId,
    })
    // The contacts list asks again when the pointer comes to it; the new contact can be ticked.
    await sales.page.getByTestId('deal-contacts').hover()
    await page.contact(contactId).check()
    await eventually(async () =>
      (await sales.api(`/api/deals/${deal.id}`, DealRow)).contactIds.includes(contactId),
    ).toBe(true)

    // The account picker searches on the server each time it opens.
    const accountId = await create(sales, url, '/api/accounts', { name: 'Zephyr Fresh Accounts' })
    await page.pickAccount('Zephyr Fresh', accountId)
    await eventually(() => page.account()).toEqual({ id: accountId, name: 'Zephyr Fresh Accounts' })
    await eventually(async () => (await sales.api(`/api/deals/${deal.id}`, DealRow)).accountId).toBe(
      accountId,
    )

    const dealTitle = 'Freshly created deal'
    await create(sales, url, '/api/deals', {
      title: dealTitle,
      pipelineId: deal.pipelineId,
      stageId: deal.position.column,
      accountId,
      amount: 1000,
      currency: 'EUR',
    })
    // The log form asks for the account's deals when it opens.
    const activity = new ActivityForm(sales.page)
    await activity.open()
    await eventually(() =>
      activity.form.getByTestId('log-activity-deal').locator('option').allInnerTexts(),
    ).toContain(dealTitle)
  })
})
