import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { ActivityForm } from './support/ActivityForm.ts'
import { CommandPalettePage } from './support/CommandPalettePage.ts'
import { ContactPage } from './support/ContactPage.ts'
import { DealPage } from './support/DealPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'

const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) })
const Named = z.object({ id: z.string(), name: z.string() }).loose()
const ContactRow = z
  .object({ id: z.string(), firstName: z.string(), lastName: z.string(), accountId: z.string().nullable() })
  .loose()
const TicketRow = z.object({ id: z.string(), subject: z.string(), contactId: z.string().nullable() }).loose()
const DealRow = z
  .object({
    id: z.string(),
    title: z.string(),
    accountId: z.string().nullable(),
    amount: z.number(),
    currency: z.string(),
    contactIds: z.array(z.string()),
  })
  .loose()

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1440, height: 900 }

/** A contact of the demo workspace that has an account, with that account. */
async function contactWithAccount(user: E2eUser) {
  const contacts = (await user.api('/api/contacts?sort=lastName&limit=100', Items(ContactRow))).items
  const contact = contacts.find((c) => c.accountId !== null)
  if (!contact?.accountId) throw new Error('the demo workspace needs a contact with an account')
  const account = await user.api(`/api/accounts/${contact.accountId}`, Named)
  return { contact, account }
}

/** POSTs JSON with the user's session cookie. */
async function post(user: E2eUser, baseUrl: string, path: string, body: unknown): Promise<unknown> {
  const res = await user.page.request.post(`${baseUrl}${path}`, { data: body })
  if (!res.ok()) throw new Error(`POST ${path} failed: ${res.status()} ${await res.text()}`)
  return res.json()
}

/**
 * Screenshots of a page at 1440 and 390 px wide; at 390 the record page (`root`) must not be wider than the screen
 * nor scroll sideways inside.
 */
async function screenshots(
  page: Page,
  shoot: (page: Page, name: string) => Promise<void>,
  name: string,
  root: string,
) {
  // From the top of the page, with nothing focused or hovered.
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur()
    window.scrollTo(0, 0)
  })
  await page.mouse.move(PHONE.width - 1, PHONE.height - 1)
  await page.setViewportSize(DESKTOP)
  await shoot(page, `${name}-1440`)
  await page.setViewportSize(PHONE)
  const fits = () =>
    page.getByTestId(root).evaluate((el) => {
      const box = el.getBoundingClientRect()
      return box.right <= window.innerWidth + 1 && el.scrollWidth <= el.clientWidth + 1
    })
  await shoot(page, `${name}-390`)
  await eventually(fits).toBe(true)
  await page.setViewportSize(DESKTOP)
}

e2eDescribe('deal page, contact page, quick-add and the palette', () => {
  const session = e2eSession()
  const open = async (who: 'admin' | 'sales' | 'sales2' | 'viewer') => {
    const user = await session.signIn(who)
    const url = session.env.server.url
    return { user, deal: new DealPage(user.page, url), contact: new ContactPage(user.page, url) }
  }
  const shoot = (page: Page, name: string) => session.env.screenshot(page, name)

  it('quick-add asks for title, account, amount and currency; the deal page edits every field live for a second user', async () => {
    const a = await open('sales')
    const b = await open('sales2')
    const { contact, account } = await contactWithAccount(a.user)
    await a.user.board.open()
    const [firstStage] = await a.user.board.stageIds()
    if (!firstStage) throw new Error('the board needs a stage')

    // Plain-words messages beside the fields; nothing is created.
    await a.deal.quickAdd(firstStage, { title: '  ', amount: 'ten', currency: 'e1' })
    await expect(a.deal.quickAddError(firstStage, 'title').textContent()).resolves.toBe(
      'The title cannot be empty.',
    )
    await expect(a.deal.quickAddError(firstStage, 'amount').textContent()).resolves.toBe(
      'Enter the amount as a number, for example 12500.',
    )
    await expect(a.deal.quickAddError(firstStage, 'currency').textContent()).resolves.toBe(
      'Use a three-letter currency code, for example USD or EUR.',
    )
    await a.user.page.keyboard.press('Escape')

    const title = 'Quick-added Northwind expansion'
    await a.deal.quickAdd(firstStage, { title, account, amount: '12,500', currency: 'eur' })
    const created = async () =>
      (await a.user.api(`/api/deals?q=${encodeURIComponent(title)}`, Items(DealRow))).items.find(
        (d) => d.title === title,
      )
    await eventually(created).toMatchObject({ accountId: account.id, amount: 12500, currency: 'EUR' })
    const dealId = (await created())?.id as string

    // The card's title opens the deal page.
    await a.user.page.getByTestId(`open-${dealId}`).click()
    await a.deal.waitForDeal(dealId)
    await eventually(() => a.deal.account()).toEqual({ id: account.id, name: account.name })
    expect(await a.deal.value('amount')).toBe('12500')
    expect(await a.deal.value('currency')).toBe('EUR')
    await b.deal.open(dealId)

    // Every field, edited by A, shows live for B.
    await a.deal.setText('title', `${title} (phase 2)`)
    await a.deal.setText('amount', '20000')
    await a.deal.setText('currency', 'gbp')
    await a.deal.choose('ownerId', 'usr_demo_sales2')
    await a.deal.setDate('expectedCloseDate', '2027-06-30')
    await a.deal.contact(contact.id).check()
    await eventually(() => b.deal.title()).toBe(`${title} (phase 2)`)
    await eventually(() => b.deal.value('amount')).toBe('20000')
    await eventually(() => b.deal.value('currency')).toBe('GBP')
    await eventually(() => b.deal.value('ownerId')).toBe('usr_demo_sales2')
    await eventually(() => b.deal.value('expectedCloseDate')).toBe('2027-06-30')
    await eventually(() => b.deal.contact(contact.id).isChecked()).toBe(true)

    // Presence: B sees who edits which field.
    await a.deal.field('amount').focus()
    await eventually(() => b.deal.editingNotice().textContent()).toContain('Sam Sales is editing Amount')
    await a.deal.field('amount').blur()

    // A wrong value says why beside the field and is not written.
    await a.deal.setText('amount', 'lots')
    await expect(a.deal.error('amount').textContent()).resolves.toBe(
      '“lots” was not saved. Enter the amount as a number, for example 12500.',
    )
    expect((await a.user.api(`/api/deals/${dealId}`, DealRow)).amount).toBe(20000)

    // A call logged from the deal page, with the contact, shows on the deal's timeline for B.
    const contactName = `${contact.firstName} ${contact.lastName}`.trim()
    const activity = new ActivityForm(a.user.page)
    await activity.open()
    await activity.fill({
      type: 'call',
      durationMins: '15',
      outcome: 'Walked through the pricing',
      contacts: [contactName],
    })
    await activity.submit()
    const bActivity = new ActivityForm(b.user.page)
    await eventually(async () => (await bActivity.sentences()).join('\n')).toContain(
      'Walked through the pricing',
    )

    // The account picker works by keyboard; the contact of the old account stays listed, by name.
    const others = (await a.user.api('/api/accounts?sort=name&limit=10', Items(Named))).items
    const otherAccount = others.find((x) => x.id !== account.id && !x.name.includes(account.name))
    if (!otherAccount) throw new Error('the demo workspace needs two accounts')
    await a.deal.pickAccountByKeyboard(otherAccount.name, otherAccount.id)
    await eventually(() => b.deal.account()).toEqual({ id: otherAccount.id, name: otherAccount.name })
    await eventually(() => b.deal.otherContact(contact.id).textContent()).toContain('(another account)')

    // A custom field an admin defines for deals shows on the page at once; A fills it in, B sees it.
    const admin = await open('admin')
    const field = z
      .object({ id: z.string() })
      .loose()
      .parse(
        await post(admin.user, session.env.server.url, '/api/settings/custom-fields', {
          label: 'Procurement portal',
          entity: 'deal',
          type: 'text',
        }),
      )
    const cfInput = a.user.page.getByTestId(`cf-input-${field.id}`)
    await cfInput.fill('Ariba, supplier no. 4411')
    await cfInput.press('Enter')
    await eventually(() => b.user.page.getByTestId(`cf-input-${field.id}`).inputValue()).toBe(
      'Ariba, supplier no. 4411',
    )

    // A stage change is a move: a lost stage asks why, and B sees status and reason.
    const lostStage = await a.deal.field('stage').evaluate((select) => {
      const options = [...(select as HTMLSelectElement).options]
      return options.find((o) => o.text.toLowerCase().includes('lost'))?.value ?? ''
    })
    expect(lostStage).not.toBe('')
    await a.deal.choose('stage', lostStage)
    await a.deal.answerLost('Budget moved to next year')
    await eventually(() => b.deal.field('status').getAttribute('data-status')).toBe('lost')
    await eventually(() => b.deal.value('lostReason')).toBe('Budget moved to next year')
    await eventually(() => b.deal.value('stage')).toBe(lostStage)
    expect(await a.user.api(`/api/deals/${dealId}`, DealRow)).toMatchObject({
      status: 'lost',
      lostReason: 'Budget moved to next year',
      contactIds: [contact.id],
      ownerId: 'usr_demo_sales2',
      expectedCloseDate: '2027-06-30',
    })

    await screenshots(a.user.page, shoot, 'deal-page', 'deal-page')
    // The call shows on the contact's page too.
    await b.contact.open(contact.id)
    await eventually(async () => (await bActivity.sentences()).join('\n')).toContain(
      'Walked through the pricing',
    )
    // The board's quick-add form at both widths.
    await a.user.board.open()
    await a.user.page.getByTestId(`quick-add-${firstStage}`).click()
    await a.user.page.getByTestId(`quick-add-input-${firstStage}`).fill('A very long deal title '.repeat(8))
    await screenshots(a.user.page, shoot, 'quick-add', `quick-add-form-${firstStage}`)
  })

  it('offline, a quick-added deal opens from the local copy, is edited there, and reaches the server on reconnect', async () => {
    const a = await session.signIn('sales', { network: true })
    const network = a.network
    if (!network) throw new Error('signed in without the network switch')
    const deal = new DealPage(a.page, session.env.server.url)
    await a.board.open()
    const [firstStage] = await a.board.stageIds()
    if (!firstStage) throw new Error('the board needs a stage')
    await network.goOffline(a.page)
    await eventually(() => a.shell.status()).toBe('offline')

    const title = 'Deal typed on a train'
    await deal.quickAdd(firstStage, { title, amount: '900', currency: 'USD' })
    const link = a.page.locator('a.card__title', { hasText: title })
    const dealId = ((await link.getAttribute('data-testid')) ?? '').slice('open-'.length)
    expect(dealId).toMatch(/^deal_/)
    await link.click()
    await deal.waitForDeal(dealId)
    await deal.setText('amount', '950')
    expect(await deal.value('amount')).toBe('950')

    await network.goOnline()
    await eventually(async () => {
      const res = await a.page.request.get(`${session.env.server.url}/api/deals/${dealId}`)
      return res.ok() ? ((await res.json()) as { amount: number; title: string }) : null
    }).toMatchObject({ title, amount: 950 })
  })

  it('a viewer sees the deal page read only', async () => {
    const a = await open('viewer')
    const [deal] = (await a.user.api('/api/deals?limit=1', Items(DealRow))).items
    if (!deal) throw new Error('the demo workspace needs deals')
    await a.deal.open(deal.id, { editable: false })
    await a.user.page.getByTestId('read-only').waitFor()
    await eventually(() => a.deal.field('title').isDisabled()).toBe(true)
    expect(await a.deal.field('stage').isDisabled()).toBe(true)
    expect(await a.user.page.getByTestId('field-accountId').getAttribute('readonly')).not.toBeNull()
    await screenshots(a.user.page, shoot, 'deal-page-viewer', 'deal-page')

    // The contact page too: every field read only.
    const [contact] = (await a.user.api('/api/contacts?limit=1', Items(ContactRow))).items
    if (!contact) throw new Error('the demo workspace needs contacts')
    await a.contact.open(contact.id)
    await a.user.page.getByTestId('read-only').waitFor()
    await eventually(() => a.contact.field('email').isDisabled()).toBe(true)
    expect(await a.contact.field('leadStatus').isDisabled()).toBe(true)
  })

  it('the contact page shows its account, the deals that list it and its tickets; the list and the palette open it', async () => {
    const a = await open('sales')
    const url = session.env.server.url
    const tickets = (await a.user.api('/api/tickets?limit=200', Items(TicketRow))).items
    const ticket = tickets.find((t) => t.contactId !== null)
    if (!ticket?.contactId) throw new Error('the demo workspace needs a ticket with a contact')
    const contact = await a.user.api(
      `/api/contacts/${ticket.contactId}`,
      z
        .object({ id: z.string(), firstName: z.string(), lastName: z.string(), accountId: z.string() })
        .loose(),
    )
    const account = await a.user.api(`/api/accounts/${contact.accountId}`, Named)
    const pipelines = await a.user.api(
      '/api/deals?limit=1',
      Items(z.object({ pipelineId: z.string() }).loose()),
    )
    const pipelineId = pipelines.items[0]?.pipelineId
    const stages = await a.user.api(
      `/api/pipelines/${pipelineId}/board`,
      z.object({ columns: z.array(z.object({ stageId: z.string() }).loose()) }).loose(),
    )
    const deal = DealRow.parse(
      await post(a.user, url, '/api/deals', {
        pipelineId,
        stageId: stages.columns[0]?.stageId,
        title: 'Deal that lists the contact',
        accountId: account.id,
        contactIds: [contact.id],
        amount: 4200,
      }),
    )

    // The contacts list's row opens the contact page.
    const list = new ListPage(a.user.page, url)
    await list.open('contacts')
    await list.search(`${contact.firstName} ${contact.lastName}`)
    await list.cell(contact.id, 'name').getByRole('link').click()
    await a.contact.waitForContact(contact.id)
    expect(await a.contact.name()).toBe(`${contact.firstName} ${contact.lastName}`.trim())
    await eventually(() => a.contact.accountLink().textContent()).toBe(account.name)
    await a.contact.deal(deal.id).waitFor()
    await a.contact.ticket(ticket.id).waitFor()
    expect(await a.contact.ticket(ticket.id).textContent()).toContain(ticket.subject)

    // Edits show live for a second member on the same page.
    const b = await open('sales2')
    await b.contact.open(contact.id)
    await a.contact.setText('title', 'Head of IT')
    await eventually(() => b.contact.field('title').inputValue()).toBe('Head of IT')
    await a.contact.field('leadStatus').selectOption('qualified')
    await eventually(() => b.contact.field('leadStatus').inputValue()).toBe('qualified')

    // Validation in plain words, beside the field.
    await a.contact.setText('email', 'not an email')
    await expect(a.contact.error('email').textContent()).resolves.toBe(
      '“not an email” was not saved. Enter an email address such as name@example.com, or leave it empty.',
    )
    // Long unbroken text never breaks the layout (checked at 390 px by the screenshots).
    const longName = `Wolfeschlegelsteinhausenberger${'x'.repeat(60)}`
    await a.contact.setText('lastName', longName)
    await eventually(() => a.contact.name()).toBe(`${contact.firstName} ${longName}`)
    await screenshots(a.user.page, shoot, 'contact-page', 'contact-page')

    // The account room's deal list opens the deal page; so does the contact's deal list.
    await a.user.room.open(account.id)
    await a.user.page.getByTestId(`account-deal-${deal.id}`).getByRole('link').click()
    await a.deal.waitForDeal(deal.id)
    await a.contact.open(contact.id)

    // The contact's deal opens the deal page; the palette opens a deal page and a ticket's drawer.
    await a.contact.deal(deal.id).getByRole('link').click()
    await a.deal.waitForDeal(deal.id)
    const palette = new CommandPalettePage(a.user.page)
    await a.user.page.goto(`${url}/#/accounts`)
    await palette.openRecord('Deal that lists the contact', 'deal', deal.id)
    await a.deal.waitForDeal(deal.id)
    expect(a.user.page.url()).toContain(`#/deals/${deal.id}`)
    await palette.openRecord(ticket.subject, 'ticket', ticket.id)
    await a.user.page.getByTestId('ticket-drawer').waitFor()
  })
})
