import { afterAll, beforeAll, expect, it } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

let s: StartedServer
let cookie: string

beforeAll(async () => {
  s = await startServer()
  const sales = await seedMember(s.server, {
    workspaceId: 'ws_rows',
    email: 'sales@rows.test',
    role: 'sales',
  })
  cookie = (await signIn(s.url, sales)).cookie
})
afterAll(async () => {
  await s.stop()
})

type Page = {
  items: Array<{ id: string; accountName?: string | null; ownerId?: string | null }>
  total: number
}
const post = async (path: string, body: unknown) => {
  const res = await api<{ id: string }>(s.url, path, { cookie, body })
  expect(res.status).toBe(201)
  return res.body
}

it('contact rows name their account, and an empty filter value asks for records without one', async () => {
  const account = await post('/api/accounts', { name: 'Rowland Ltd' })
  const withAccount = await post('/api/contacts', {
    firstName: 'Ann',
    lastName: 'Row',
    accountId: account.id,
  })
  const without = await post('/api/contacts', { firstName: 'Bo', lastName: 'Row' })

  const all = (await api<Page>(s.url, '/api/contacts?sort=firstName', { cookie })).body
  expect(all.items.map((c) => [c.id, c.accountName])).toEqual([
    [withAccount.id, 'Rowland Ltd'],
    [without.id, null],
  ])
  const none = (await api<Page>(s.url, '/api/contacts?accountId=', { cookie })).body
  expect(none.items.map((c) => c.id)).toEqual([without.id])
  const ofAccount = (await api<Page>(s.url, `/api/contacts?accountId=${account.id}`, { cookie })).body
  expect(ofAccount.items.map((c) => c.id)).toEqual([withAccount.id])

  await post('/api/accounts', { name: 'Nobody owns me', ownerId: null })
  const unowned = (await api<Page>(s.url, '/api/accounts?ownerId=', { cookie })).body
  expect(unowned.items.length).toBeGreaterThan(0)
  expect(unowned.items.every((a) => a.ownerId === null)).toBe(true)
  // Renaming the account shows in the contact rows at once.
  expect(
    (
      await api(s.url, `/api/accounts/${account.id}`, {
        cookie,
        method: 'PATCH',
        body: { name: 'Rowland plc' },
      })
    ).status,
  ).toBe(200)
  const renamed = (await api<Page>(s.url, `/api/contacts?accountId=${account.id}`, { cookie })).body
  expect(renamed.items[0]?.accountName).toBe('Rowland plc')
})
