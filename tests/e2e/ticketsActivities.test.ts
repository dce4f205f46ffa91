import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { ActivityForm } from './support/ActivityForm.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { type E2eEnv, type E2eUser, startE2e } from './support/e2eEnv.ts'
import { TicketPage } from './support/TicketPage.ts'

const Tickets = z.object({
  items: z.array(
    z
      .object({
        id: z.string(),
        subject: z.string(),
        accountId: z.string().nullable(),
        firstResponseAt: z.number().nullable(),
      })
      .loose(),
  ),
})
const Contacts = z.object({
  items: z.array(
    z
      .object({
        id: z.string(),
        accountId: z.string().nullable(),
        firstName: z.string(),
        lastName: z.string(),
      })
      .loose(),
  ),
})
const AccountOne = z.object({ id: z.string(), name: z.string() }).loose()
const AccountList = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1440, height: 900 }

/** `testId` lies inside the viewport's width and nothing in it scrolls sideways (long text wraps). */
const fitsWidth = (user: E2eUser, testId: string) =>
  user.page.getByTestId(testId).evaluate((el) => {
    const box = el.getBoundingClientRect()
    return box.left >= 0 && box.right <= window.innerWidth + 1 && el.scrollWidth <= el.clientWidth + 1
  })

e2eDescribe('tickets: conversation, new ticket from an account; logging an activity on the timeline', () => {
  let env: E2eEnv
  const users: E2eUser[] = []
  const signIn = async (who: Parameters<E2eEnv['signIn']>[0]) => {
    const user = await env.signIn(who)
    users.push(user)
    return user
  }

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    for (const u of users) await u.context.close()
    await env?.close()
  })

  it('a reply and an internal note on a ticket are seen live by a second member, authored and marked; a viewer reads them without a composer', async () => {
    const support = await signIn('support')
    const admin = await signIn('admin')
    const fresh = (await support.api('/api/tickets?status=new&limit=100', Tickets)).items.find(
      (t) => t.accountId !== null && t.firstResponseAt === null,
    )
    if (!fresh) throw new Error('the demo workspace has no new ticket with an account')
    const riley = new TicketPage(support.page, env.server.url)
    const avery = new TicketPage(admin.page, env.server.url)
    await riley.open(fresh.id)
    await avery.open(fresh.id)
    expect(await avery.firstResponse()).toBe('—')

    await riley.send('reply', '   ')
    await expect.poll(() => riley.composerError()).toBe('Write a message first.')
    await riley.send('reply', 'Thanks for reporting this — we are on it.')
    await expect
      .poll(() => avery.messages())
      .toEqual([
        {
          kind: 'reply',
          author: 'Riley Support',
          body: 'Thanks for reporting this — we are on it.',
          internalMark: false,
        },
      ])
    // The first public reply is the first response (the ticket opened).
    await expect.poll(() => avery.firstResponse()).not.toBe('—')

    await riley.send('internal', 'Customer is on the legacy plan; check billing first.')
    await expect
      .poll(async () => (await avery.messages()).map((m) => [m.kind, m.author, m.internalMark]))
      .toEqual([
        ['reply', 'Riley Support', false],
        ['internal', 'Riley Support', true],
      ])

    const viewer = await signIn('viewer')
    const vic = new TicketPage(viewer.page, env.server.url)
    await vic.open(fresh.id)
    await expect.poll(async () => (await vic.messages()).length).toBe(2)
    expect(await vic.composer.count()).toBe(0)
    expect(await vic.description().getAttribute('readonly')).not.toBeNull()

    // Long unbroken text (a pasted link) wraps inside the message instead of widening the drawer.
    await riley.send('internal', `https://status.example.com/incidents/${'a'.repeat(300)}`)
    await expect.poll(async () => (await avery.messages()).length).toBe(3)
    await env.screenshot(support.page, 'ticket-thread-1440')
    await support.page.setViewportSize(PHONE)
    await riley.drawer.waitFor()
    await env.screenshot(support.page, 'ticket-thread-390')
    expect(await fitsWidth(support, 'ticket-drawer')).toBe(true)
    await support.page.setViewportSize(DESKTOP)
  })

  it('"New ticket" from an account room creates it for that account with its contact; the contact picker searches and names accounts', async () => {
    const support = await signIn('support')
    const admin = await signIn('admin')
    const contact = (await support.api('/api/contacts?limit=50', Contacts)).items.find((c) => c.accountId)
    if (!contact?.accountId) throw new Error('the demo workspace has no contact with an account')
    const account = await support.api(`/api/accounts/${contact.accountId}`, AccountOne)
    const contactName = `${contact.firstName} ${contact.lastName}`.trim()
    const riley = new TicketPage(support.page, env.server.url)

    await support.room.open(contact.accountId)
    const subject = `Export stops at 10,000 rows ${Date.now()}`
    await riley.createFromAccountRoom(subject, contactName)
    await expect.poll(async () => (await riley.accountTickets()).map(([, s]) => s)).toContain(subject)
    const ticketId = (await riley.accountTickets()).find(([, s]) => s === subject)?.[0]
    if (!ticketId) throw new Error('the new ticket is not listed in the account room')
    await env.screenshot(support.page, 'account-new-ticket-1440')

    await riley.open(ticketId)
    await expect.poll(() => riley.contactCard()).toContain(contactName)
    await expect.poll(() => riley.contactCard()).toContain(account.name)
    await expect
      .poll(async () =>
        (await riley.contactOptions(contact.lastName || contact.firstName)).some(
          (o) => o.includes(contactName) && o.includes(account.name),
        ),
      )
      .toBe(true)

    const avery = new TicketPage(admin.page, env.server.url)
    await avery.open(ticketId)
    await riley.setDescription('Since Monday the CSV export stops after 10,000 rows.')
    await expect
      .poll(() => avery.description().inputValue())
      .toBe('Since Monday the CSV export stops after 10,000 rows.')
  })

  it('"New ticket" from a contact page fills in the contact and its account', async () => {
    const support = await signIn('support')
    const contact = (await support.api('/api/contacts?limit=50&sort=lastName', Contacts)).items.find(
      (c) => c.accountId,
    )
    if (!contact?.accountId) throw new Error('the demo workspace has no contact with an account')
    const account = await support.api(`/api/accounts/${contact.accountId}`, AccountOne)
    const contactName = `${contact.firstName} ${contact.lastName}`.trim()
    const riley = new TicketPage(support.page, env.server.url)
    await support.page.goto(`${env.server.url}/#/contacts/${contact.id}`)
    const subject = `Cannot reset password ${Date.now()}`
    await riley.createFromContactPage(subject)
    await expect.poll(() => riley.contactTicketSubjects()).toContain(subject)
    const created = (
      await support.api(`/api/tickets?accountId=${contact.accountId}&limit=200`, Tickets)
    ).items.find((t) => t.subject === subject)
    if (!created) throw new Error('the ticket is not in the account')
    await riley.open(created.id)
    await expect.poll(() => riley.contactCard()).toContain(contactName)
    await expect.poll(() => riley.contactCard()).toContain(account.name)
  })

  it('the timeline shows 100 entries and "Show older" the rest', async () => {
    const sales = await signIn('sales')
    const [accountId] = (await sales.api('/api/accounts?sort=-name&limit=1', AccountList)).items.map(
      (a) => a.id,
    )
    if (!accountId) throw new Error('no account')
    for (let i = 0; i < 105; i++) {
      const res = await sales.page.request.post(`${env.server.url}/api/accounts/${accountId}/activities`, {
        data: { type: 'email', at: Date.UTC(2020, 0, 1, 0, i), outcome: `Newsletter ${i}` },
      })
      expect(res.status()).toBe(201)
    }
    await sales.room.open(accountId)
    const sam = new ActivityForm(sales.page)
    await expect.poll(async () => (await sam.sentences()).length).toBe(100)
    await sam.showOlder().click()
    await expect.poll(async () => (await sam.sentences()).length).toBeGreaterThanOrEqual(105)
    expect(await sam.showOlder().count()).toBe(0)
    expect((await sam.sentences()).at(-1)).toBe('Sam Sales logged an email: Newsletter 0')
  })

  it('logging a call shows plain-words problems beside the fields, then a readable sentence on both timelines', async () => {
    const sales = await signIn('sales')
    const sales2 = await signIn('sales2')
    const contact = (await sales.api('/api/contacts?limit=50', Contacts)).items.find((c) => c.accountId)
    if (!contact?.accountId) throw new Error('the demo workspace has no contact with an account')
    const contactName = `${contact.firstName} ${contact.lastName}`.trim()
    await sales.room.open(contact.accountId)
    await sales2.room.open(contact.accountId)
    const sam = new ActivityForm(sales.page)
    const sasha = new ActivityForm(sales2.page)

    await sam.open()
    await sam.fill({ type: 'call', durationMins: '2000', outcome: '' })
    await sam.submit()
    await expect.poll(() => sam.problem('outcome')).toBe('Say what happened.')
    expect(await sam.problem('durationMins')).toBe('A duration is at most 24 hours (1,440 minutes).')

    await sam.fill({ type: 'call', durationMins: '15', outcome: 'Left a voicemail', contacts: [contactName] })
    await sam.submit()
    const sentence = `Sam Sales logged a call with ${contactName} (15 min): Left a voicemail`
    await expect.poll(() => sam.sentences()).toContain(sentence)
    await expect.poll(() => sasha.sentences()).toContain(sentence)
    await expect.poll(() => sam.isOpen()).toBe(false)
    for (const text of await sam.sentences())
      expect(text).not.toMatch(/\b(acc|con|deal|usr|stg|tkt)_[A-Za-z0-9]/)

    await sam.timeline.scrollIntoViewIfNeeded()
    await env.screenshot(sales.page, 'timeline-log-call-1440')
    await sales.page.setViewportSize(PHONE)
    await sam.timeline.scrollIntoViewIfNeeded()
    await env.screenshot(sales.page, 'timeline-log-call-390')
    expect(await fitsWidth(sales, 'timeline')).toBe(true)

    // Only its author (or an admin) is offered "Remove"; removing it takes it off every timeline. A viewer cannot log.
    await sales.page.setViewportSize(DESKTOP)
    await expect.poll(() => sasha.sentences()).toContain(sentence)
    const sashaRemovable = await sasha.removable()
    await sam.remove(sentence)
    await expect.poll(() => sasha.sentences()).not.toContain(sentence)
    expect(await sasha.removable()).toBe(sashaRemovable)
    const viewer = await signIn('viewer')
    await viewer.room.open(contact.accountId)
    const vic = new ActivityForm(viewer.page)
    await expect.poll(async () => (await vic.sentences()).length).toBeGreaterThan(0)
    expect(await vic.canLog()).toBe(false)
    expect(await vic.removable()).toBe(0)
  })
})
