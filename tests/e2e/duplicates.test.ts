import { expect, it } from 'vitest'
import { z } from 'zod'
import { ContactPage } from './support/ContactPage.ts'
import { DuplicatesPage } from './support/DuplicatesPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { screenshotsAt } from './support/ImportPage.ts'
import { ListPage } from './support/ListPage.ts'

const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() })
const Id = z.object({ id: z.string() }).loose()
const ContactRow = z
  .object({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    phone: z.string(),
    title: z.string(),
    archived: z.boolean().optional(),
  })
  .loose()
const DealRow = z.object({ id: z.string(), contactIds: z.array(z.string()) }).loose()
const TaskRow = z.object({ id: z.string(), contactId: z.string().nullable() }).loose()

/** POSTs JSON with the user's session cookie and returns the parsed answer. */
async function post<T>(
  user: E2eUser,
  baseUrl: string,
  path: string,
  body: unknown,
  schema: z.ZodType<T>,
): Promise<T> {
  const res = await user.page.request.post(`${baseUrl}${path}`, { data: body })
  if (!res.ok()) throw new Error(`POST ${path} failed: ${res.status()} ${await res.text()}`)
  return schema.parse(await res.json())
}

/** The answer's status and body of a GET (a merged record may be gone: 404). */
async function getStatus(
  user: E2eUser,
  baseUrl: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const res = await user.page.request.get(`${baseUrl}${path}`)
  return { status: res.status(), body: await res.json().catch(() => null) }
}

e2eDescribe('duplicates: the create-time warning, the duplicates page and merge', () => {
  const session = e2eSession()
  const shoot = (page: Parameters<typeof session.env.screenshot>[0], name: string) =>
    session.env.screenshot(page, name)

  /** Two contacts of one account that share an email (in other letter case), a deal and a task on the second. */
  async function duplicateContacts(user: E2eUser, marker: string) {
    const url = session.env.server.url
    const account = (await user.api('/api/accounts?sort=name&limit=1', Items(Id))).items[0]
    if (!account) throw new Error('the demo workspace needs an account')
    const email = `grace.${marker}@navy.example`
    const survivor = await post(
      user,
      url,
      '/api/contacts',
      {
        firstName: 'Grace',
        lastName: marker,
        email,
        title: 'Rear admiral',
        accountId: account.id,
      },
      ContactRow,
    )
    const merged = await post(
      user,
      url,
      '/api/contacts',
      {
        firstName: 'Grace',
        lastName: marker,
        email: email.toUpperCase().replace('@NAVY.EXAMPLE', '@navy.example'),
        phone: '+1 555 0100',
        title: 'Commodore',
        accountId: account.id,
      },
      ContactRow,
    )
    const pipelines = await user.api(
      '/api/deals?limit=1',
      Items(z.object({ pipelineId: z.string() }).loose()),
    )
    const pipelineId = pipelines.items[0]?.pipelineId
    const board = await user.api(
      `/api/pipelines/${pipelineId}/board`,
      z.object({ columns: z.array(z.object({ stageId: z.string() }).loose()) }).loose(),
    )
    const deal = await post(
      user,
      url,
      '/api/deals',
      {
        pipelineId,
        stageId: board.columns[0]?.stageId,
        title: `Compiler licence ${marker}`,
        accountId: account.id,
        contactIds: [merged.id],
        amount: 1200,
      },
      DealRow,
    )
    const task = await post(
      user,
      url,
      '/api/tasks',
      {
        title: `Call Grace ${marker}`,
        accountId: account.id,
        contactId: merged.id,
      },
      TaskRow,
    )
    return { account, survivor, merged, deal, task, email }
  }

  it('creating a contact that looks like an existing one warns with the match and a link; it can still be created', async () => {
    const user = await session.signIn('sales')
    const url = session.env.server.url
    const list = new ListPage(user.page, url)
    const dupes = new DuplicatesPage(user.page, url)
    const existing = (await user.api('/api/contacts?sort=lastName&limit=50', Items(ContactRow))).items.find(
      (c) => c.email.includes('@'),
    )
    if (!existing) throw new Error('the demo workspace needs a contact with an email')

    await list.openToCreate('contacts')
    await user.page.getByTestId('list-new').click()
    await user.page.getByTestId('new-firstName').fill('Someone')
    await user.page.getByTestId('new-lastName').fill('Else')
    expect(await dupes.warning().count()).toBe(0)
    await user.page.getByTestId('new-email').fill(existing.email)
    await eventually(() => dupes.warnedIds()).toContain(existing.id)
    await expect(
      dupes.warning().getByTestId(`duplicate-match-${existing.id}`).textContent(),
    ).resolves.toMatch(/same email/)
    expect(await dupes.warning().getByRole('link').first().getAttribute('href')).toMatch(/^#\/contacts\//)

    // The warning does not block: the contact is created.
    await user.page.getByTestId('new-submit').click()
    await eventually(async () => {
      const found = await user.api(
        `/api/contacts?q=${encodeURIComponent('Someone Else')}&limit=50`,
        Items(ContactRow),
      )
      return found.items.filter((c) => c.email === existing.email).length
    }).toBe(1)
  })

  it('merges two duplicate contacts while a second browser edits the survivor: nothing is lost, deals and tasks move', async () => {
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const url = session.env.server.url
    const marker = `Hopper${Date.now().toString(36)}`
    const { survivor, merged, deal, task } = await duplicateContacts(a, marker)

    const dupes = new DuplicatesPage(a.page, url)
    await dupes.open('contacts')
    await eventually(async () => {
      await a.page.reload()
      await a.page.getByTestId('duplicates-page').waitFor()
      return dupes.pair(survivor.id, merged.id).count()
    }).toBe(1)
    expect(await dupes.evidence(survivor.id, merged.id)).toContain('same email')

    await dupes.startMerge(survivor.id, merged.id)
    expect(await dupes.differingFields()).toEqual(expect.arrayContaining(['phone', 'title']))
    expect(await dupes.differingFields()).not.toContain('firstName')
    // The survivor has no phone: the merged one's is chosen; the title is the user's choice.
    expect(await dupes.chosen('phone')).toBe('merged')
    expect(await dupes.chosen('title')).toBe('survivor')
    await dupes.choose('title', 'merged')
    await eventually(() => dupes.movesText()).toMatch(/1 deals, 0 tickets, 1 tasks/)
    const dialogShots = await screenshotsAt(a.page, shoot, 'merge-dialog', 'merge-dialog')
    expect(dialogShots.fitsPhone).toBe(true)

    // B is typing into the survivor's first name while A confirms the merge.
    const contactB = new ContactPage(b.page, url)
    await contactB.open(survivor.id)
    const firstName = contactB.field('firstName')
    await firstName.click()
    await firstName.fill('Grace')
    // B's edit is committed while the merge request is in flight (whichever reaches the server first).
    await Promise.all([
      dupes.confirm(),
      (async () => {
        await firstName.pressSequentially(' Brewster', { delay: 10 })
        await firstName.press('Enter')
      })(),
    ])
    await firstName.blur()

    // A lands on the survivor; the chosen values and B's edit are all there, for both.
    await new ContactPage(a.page, url).waitForContact(survivor.id)
    await eventually(() => a.api(`/api/contacts/${survivor.id}`, ContactRow)).toMatchObject({
      firstName: 'Grace Brewster',
      lastName: marker,
      phone: '+1 555 0100',
      title: 'Commodore',
      email: survivor.email,
    })
    await eventually(() => contactB.field('title').inputValue()).toBe('Commodore')
    await eventually(() => contactB.field('phone').inputValue()).toBe('+1 555 0100')
    expect(await contactB.field('firstName').inputValue()).toBe('Grace Brewster')

    // The merged contact is gone from the lists; its deal and task point at the survivor.
    const gone = await getStatus(a, url, `/api/contacts/${merged.id}`)
    if (gone.status === 200) expect(ContactRow.parse(gone.body).archived).toBe(true)
    else expect(gone.status).toBe(404)
    await eventually(async () => (await a.api(`/api/deals/${deal.id}`, DealRow)).contactIds).toEqual([
      survivor.id,
    ])
    const tasks = await a.api(`/api/tasks?contactId=${survivor.id}&limit=50`, Items(TaskRow))
    expect(tasks.items.map((t) => t.id)).toContain(task.id)
    const pairs = await a.api(`/api/contacts?q=${marker}&limit=10`, Items(ContactRow))
    expect(pairs.items.map((c) => c.id)).toEqual([survivor.id])
  })

  it('"Not a duplicate" removes the pair for good; the page fits a phone', async () => {
    const user = await session.signIn('sales')
    const url = session.env.server.url
    const marker = `Lovelace${Date.now().toString(36)}`
    const { survivor, merged } = await duplicateContacts(user, marker)
    const dupes = new DuplicatesPage(user.page, url)
    await dupes.open('contacts')
    await eventually(async () => {
      await user.page.reload()
      await user.page.getByTestId('duplicates-page').waitFor()
      return dupes.pair(survivor.id, merged.id).count()
    }).toBe(1)
    const shots = await screenshotsAt(user.page, shoot, 'duplicates-page', 'duplicates-page')
    expect(shots.fitsPhone).toBe(true)
    await dupes.dismiss(survivor.id, merged.id)
    await dupes.open('contacts')
    await user.page
      .locator('[data-testid="duplicates-contacts"], [data-testid="duplicates-empty"]')
      .first()
      .waitFor()
    expect(await dupes.pair(survivor.id, merged.id).count()).toBe(0)
  })

  it('merges two accounts with the same domain: the survivor takes the chosen values and the contacts', async () => {
    const user = await session.signIn('sales')
    const url = session.env.server.url
    const marker = `initech${Date.now().toString(36)}`
    const Account = z.object({ id: z.string(), name: z.string(), domain: z.string() }).loose()
    const survivor = await post(
      user,
      url,
      '/api/accounts',
      { name: `Initech ${marker}`, domain: `${marker}.example` },
      Account,
    )
    const merged = await post(
      user,
      url,
      '/api/accounts',
      { name: `Initech ${marker} Ltd`, domain: `${marker}.example`, industry: 'Software' },
      Account,
    )
    const contact = await post(
      user,
      url,
      '/api/contacts',
      { firstName: 'Peter', lastName: marker, accountId: merged.id },
      ContactRow,
    )
    const dupes = new DuplicatesPage(user.page, url)
    await dupes.open('accounts')
    await eventually(async () => {
      await user.page.reload()
      await user.page.getByTestId('duplicates-tab-accounts').click()
      await user.page
        .locator('[data-testid="duplicates-accounts"], [data-testid="duplicates-empty"]')
        .first()
        .waitFor()
      return dupes.pair(survivor.id, merged.id).count()
    }).toBe(1)
    expect(await dupes.evidence(survivor.id, merged.id)).toContain('same domain')
    await dupes.startMerge(survivor.id, merged.id)
    expect(await dupes.chosen('industry')).toBe('merged')
    await dupes.choose('name', 'merged')
    await eventually(() => dupes.movesText()).toMatch(/^Moves to the survivor: 1 contacts, 0 deals/)
    await dupes.confirm()
    await eventually(() => user.page.evaluate(() => window.location.hash)).toBe(`#/accounts/${survivor.id}`)
    await eventually(() => user.api(`/api/accounts/${survivor.id}`, Account)).toMatchObject({
      name: `Initech ${marker} Ltd`,
      industry: 'Software',
    })
    await eventually(
      async () =>
        (await user.api(`/api/contacts/${contact.id}`, z.object({ accountId: z.string() }).loose()))
          .accountId,
    ).toBe(survivor.id)
  })
})
