import { expect, it } from 'vitest'
import { z } from 'zod'
import { ContactPage } from './support/ContactPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'
import { SocketDocs } from './support/SocketDocs.ts'

const Me = z.object({ workspace: z.object({ id: z.string() }) })
const Contacts = z.object({
  items: z.array(z.object({ id: z.string(), firstName: z.string(), lastName: z.string() }).loose()),
})
const Accounts = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() }).loose()) })

e2eDescribe('live lists through the change feed (no collection documents)', () => {
  const session = e2eSession()

  it('A renames a contact on its page → B’s open contacts list shows the new name without reload; B never syncs W/contacts', async () => {
    const { url } = session.env.server
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const { workspace } = await b.api('/api/auth/me', Me)
    const bList = new ListPage(b.page, url)
    await bList.open('contacts')
    // Watch from a fresh load of the list itself (the page B landed on after sign-in may open other documents).
    const bDocs = await SocketDocs.watch(b.page)
    const [first] = (await b.api('/api/contacts?sort=lastName&limit=1', Contacts)).items
    if (!first) throw new Error('the demo workspace needs contacts')
    await bList.row(first.id).waitFor()
    // B's list follows the feed (its socket addressed W/feed) before A edits.
    await eventually(() => bDocs.has(`${workspace.id}/feed`)).toBe(true)

    const contactPage = new ContactPage(a.page, url)
    await contactPage.open(first.id)
    const renamed = `${first.firstName}-Renamed`
    await contactPage.setText('firstName', renamed)

    await eventually(() => bList.cellText(first.id, 'name')).toBe(`${renamed} ${first.lastName}`.trim())
    // The list came from REST and the feed: B's page never addressed the contacts (or accounts) collection.
    expect(bDocs.seen()).not.toContain(`${workspace.id}/contacts`)
    expect(bDocs.seen()).not.toContain(`${workspace.id}/accounts`)
  })

  it('an account renamed in A’s accounts list renames it in B’s contacts list (account names without W/accounts)', async () => {
    const { url } = session.env.server
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const { workspace } = await b.api('/api/auth/me', Me)
    const contacts = await b.api('/api/contacts?sort=lastName&limit=50', Contacts)
    const withAccount = contacts.items.find((c) => typeof c.accountId === 'string')
    if (!withAccount || typeof withAccount.accountId !== 'string')
      throw new Error('the demo needs a contact with an account')
    const accountId = withAccount.accountId
    const account = (await a.api('/api/accounts?limit=200', Accounts)).items.find((x) => x.id === accountId)
    if (!account) throw new Error(`account ${accountId} not listed`)

    const bList = new ListPage(b.page, url)
    await bList.open('contacts')
    const bDocs = await SocketDocs.watch(b.page)
    await bList.row(withAccount.id).waitFor()
    expect(await bList.cellText(withAccount.id, 'accountId')).toBe(account.name)
    const aList = new ListPage(a.page, url)
    await aList.open('accounts')
    await aList.search(account.name)
    await aList.row(account.id).waitFor()
    const newName = `${account.name} Holdings`
    // The name cell opens the account room; rename through the REST API, as an outside client would.
    const res = await a.page.evaluate(
      async ([id, name]) =>
        (
          await fetch(`/api/accounts/${id}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
          })
        ).status,
      [account.id, newName] as const,
    )
    expect(res).toBe(200)
    await eventually(() => aList.cellText(account.id, 'name')).toBe(newName)
    await eventually(() => bList.cellText(withAccount.id, 'accountId')).toBe(newName)
    expect(bDocs.seen()).not.toContain(`${workspace.id}/accounts`)
    expect(bDocs.seen()).not.toContain(`${workspace.id}/contacts`)
  })

  it('sorts and filters on the server, and a row that stops matching leaves B’s filtered list live', async () => {
    const { url } = session.env.server
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    const bList = new ListPage(b.page, url)
    await bList.open('contacts')
    await b.page.getByTestId('sort-score').click()
    const byScore = (await b.api('/api/contacts?sort=score&limit=5', Contacts)).items.map((c) => c.id)
    await eventually(async () => (await bList.rowIds('contacts')).slice(0, 5)).toEqual(byScore)
    await b.page.getByTestId('filter-leadStatus').selectOption('qualified')
    const qualified = (await b.api('/api/contacts?leadStatus=qualified&sort=score&limit=200', Contacts)).items
    const target = qualified[0]
    if (!target) throw new Error('the demo needs a qualified contact')
    await bList.row(target.id).waitFor()
    await eventually(() => bList.countText()).toMatch(new RegExp(`^${qualified.length} of \\d+ contacts$`))

    // A disqualifies it in A's own list (a REST PATCH from the inline editor): it leaves B's filtered list.
    const aList = new ListPage(a.page, url)
    await aList.open('contacts')
    await aList.search(`${target.firstName} ${target.lastName}`)
    await aList.cell(target.id, 'leadStatus').click()
    await aList.cellInput(target.id, 'leadStatus').selectOption('unqualified')
    await eventually(() => bList.row(target.id).count()).toBe(0)
    await eventually(() => bList.countText()).toMatch(
      new RegExp(`^${qualified.length - 1} of \\d+ contacts$`),
    )
  })
})
