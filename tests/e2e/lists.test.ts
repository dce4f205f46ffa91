import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'

const Named = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() }).loose()) })

/** The first `limit` accounts by name (id and name), read through the REST API. */
const firstAccounts = async (user: E2eUser, limit: number) =>
  (await user.api(`/api/accounts?sort=name&limit=${limit}`, Named)).items

/** The `n`th (0-based) of the first accounts by name; throws when the demo data has fewer. */
const nthAccount = async (user: E2eUser, n: number) => {
  const account = (await firstAccounts(user, n + 1))[n]
  if (!account) throw new Error(`the demo workspace needs ${n + 1} accounts`)
  return account
}

e2eDescribe('live record lists and the command palette', () => {
  const session = e2eSession()
  const signIn = async (who: 'sales' | 'sales2') => {
    const user = await session.signIn(who)
    return { user, list: new ListPage(user.page, session.env.server.url) }
  }

  it('the Accounts list shows the seeded accounts and the search narrows the rows', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    await Promise.all([a.list.open('accounts'), b.list.open('accounts')])
    const seeded = await firstAccounts(a.user, 5)
    expect(seeded).toHaveLength(5)
    const total = Number((await a.list.countText()).split(' ')[0])
    expect(total).toBeGreaterThanOrEqual(5)
    expect(await a.list.countText()).toBe(`${total} accounts`)
    for (const { list } of [a, b]) {
      for (const account of seeded) {
        await list.row(account.id).waitFor()
        expect(await list.cellText(account.id, 'name')).toBe(account.name)
      }
    }

    const [first, target] = seeded
    if (!first || !target) throw new Error('unreachable')
    await a.list.search(target.name)

    await eventually(() => a.list.row(first.id).count()).toBe(0)
    await a.list.row(target.id).waitFor()
    const shown = await a.list.rowIds('accounts')
    expect(shown.length).toBeGreaterThanOrEqual(1)
    expect(shown.length).toBeLessThan(total)
    expect(await a.list.countText()).toBe(`${shown.length} of ${total} accounts`)
    // B's search box is its own: B still lists every account.
    expect(await b.list.countText()).toBe(`${total} accounts`)

    await a.list.search('')
    await eventually(() => a.list.countText()).toBe(`${total} accounts`)
    await a.list.row(first.id).waitFor()
  })

  it('the list needs no document: with the socket held back it shows the accounts and saves an inline edit', async () => {
    const { user, list } = await signIn('sales')
    const account = await nthAccount(user, 1)
    // No document can sync (nor the feed connect) while the collab token is held back.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await user.page.route('**/api/auth/collab-token', async (route) => {
      await held
      await route.continue()
    })
    await user.page.reload()
    await list.open('accounts')
    await list.row(account.id).waitFor()
    expect(await list.cellText(account.id, 'name')).toBe(account.name)
    await list.editCell(account.id, 'industry', 'Lighthouses')
    expect(await list.cellText(account.id, 'industry')).toBe('Lighthouses')
    await eventually(async () => {
      const saved = await user.api(`/api/accounts/${account.id}`, z.object({ industry: z.string() }).loose())
      return saved.industry
    }).toBe('Lighthouses')
    release()
  })

  it('an inline cell edit in A appears in B’s list, without touching B’s open cell editor', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const edited = await nthAccount(a.user, 2)
    const drafted = await nthAccount(a.user, 3)
    await Promise.all([a.list.open('accounts'), b.list.open('accounts')])
    const city = 'Reykjavik (from Sam)'
    const draft = 'Valparaiso (draft by Sasha)'
    const draftedCityBefore = await a.list.cellText(drafted.id, 'city')
    await b.list.typeInCell(drafted.id, 'city', draft)

    await a.list.editCell(edited.id, 'city', city)

    expect(await a.list.cellText(edited.id, 'city')).toBe(city)
    await eventually(() => b.list.cellText(edited.id, 'city')).toBe(city)
    expect(await b.list.cellInput(drafted.id, 'city').inputValue()).toBe(draft)
    expect(await b.list.cellInput(drafted.id, 'city').evaluate((el) => el === document.activeElement)).toBe(
      true,
    )
    // A has not received B's uncommitted draft; B commits it with Enter and then A does.
    expect(await a.list.cellText(drafted.id, 'city')).toBe(draftedCityBefore)
    await b.list.cellInput(drafted.id, 'city').press('Enter')
    await eventually(() => a.list.cellText(drafted.id, 'city')).toBe(draft)
    expect(await b.list.cellText(drafted.id, 'city')).toBe(draft)
    expect(await a.list.cellText(edited.id, 'city')).toBe(city)
  })

  it('the Contacts list renders, and a contact created with the new-row form in A appears in B', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const account = await nthAccount(a.user, 4)
    await Promise.all([a.list.open('contacts'), b.list.open('contacts')])
    const total = Number((await b.list.countText()).split(' ')[0])
    expect(await b.list.countText()).toBe(`${total} contacts`)
    expect((await b.list.rowIds('contacts')).length).toBeGreaterThan(0)
    // B narrows its list to a name nobody has yet; the new contact must show up in that filtered view.
    const lastName = 'Quillfeather'
    await b.list.search(lastName)
    await eventually(() => b.list.countText()).toBe(`0 of ${total} contacts`)

    await a.list.createRow({
      firstName: 'Odalys',
      lastName,
      email: 'odalys.quillfeather@example.com',
      accountId: account.id,
    })

    expect(await a.user.page.getByTestId('new-row-error').count()).toBe(0)
    await eventually(() => a.list.countText()).toBe(`${total + 1} contacts`)
    await eventually(() => b.list.countText()).toBe(`1 of ${total + 1} contacts`)
    const [contactId] = await b.list.rowIds('contacts')
    if (!contactId) throw new Error('the new contact is not rendered in B')
    expect(await b.list.cellText(contactId, 'name')).toBe(`Odalys ${lastName}`)
    expect(await b.list.cellText(contactId, 'email')).toBe('odalys.quillfeather@example.com')
    expect(await b.list.cellText(contactId, 'accountId')).toBe(account.name)
  })

  it('the command palette finds an account by name and Enter opens its account room', async () => {
    const a = await signIn('sales')
    const account = await nthAccount(a.user, 5)
    await a.list.open('accounts')
    const { page } = a.user

    await page.keyboard.press('Control+k')
    await page.getByTestId('palette').waitFor()
    const input = page.getByTestId('palette-input')
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true)
    await input.pressSequentially(account.name)

    const item = page.getByTestId(`palette-item-account-${account.id}`)
    await item.waitFor()
    await eventually(() => item.getAttribute('aria-selected')).toBe('true')
    await input.press('Enter')

    await page.getByTestId('account-room').waitFor()
    expect(await page.getByTestId('palette').count()).toBe(0)
    expect(new URL(page.url()).hash).toBe(`#/accounts/${account.id}`)
    await eventually(() => page.getByTestId('field-name').inputValue()).toBe(account.name)
  })
})
