import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'

const Rows = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })

e2eDescribe('every list column sorts (issue #11/#12)', () => {
  const session = e2eSession()

  it('the Owner and Team headers sort accounts on the server, the Account and Source headers sort contacts', async () => {
    const { url } = session.env.server
    const a = await session.signIn('sales')
    const list = new ListPage(a.page, url)
    const firstIds = async (path: string) => (await a.api(path, Rows)).items.map((r) => r.id)

    await list.open('accounts')
    // The header is a sort button now (no "not sortable" marker), and a second click flips the direction.
    await a.page.getByTestId('sort-ownerId').click()
    const byOwner = await firstIds('/api/accounts?sort=owner&limit=5')
    await eventually(async () => (await list.rowIds('accounts')).slice(0, 5)).toEqual(byOwner)
    await a.page.getByTestId('sort-ownerId').click()
    const byOwnerDesc = await firstIds('/api/accounts?sort=-owner&limit=5')
    await eventually(async () => (await list.rowIds('accounts')).slice(0, 5)).toEqual(byOwnerDesc)
    await a.page.getByTestId('sort-team').click()
    const byTeam = await firstIds('/api/accounts?sort=team&limit=5')
    await eventually(async () => (await list.rowIds('accounts')).slice(0, 5)).toEqual(byTeam)

    await list.open('contacts')
    await a.page.getByTestId('sort-accountId').click()
    const byAccount = await firstIds('/api/contacts?sort=accountName&limit=5')
    await eventually(async () => (await list.rowIds('contacts')).slice(0, 5)).toEqual(byAccount)
    await a.page.getByTestId('sort-source').click()
    const bySource = await firstIds('/api/contacts?sort=source&limit=5')
    await eventually(async () => (await list.rowIds('contacts')).slice(0, 5)).toEqual(bySource)
    expect(await a.page.locator('.rtable__sort--off').count()).toBe(0)
  })
})
