import { afterAll, beforeAll, expect, it } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/*
 * REST list sorts beyond the records' own fields (issue #11/#12), on the real server and its record index: by the
 * account's name (following a rename), by the owner's display name, by a custom field as its definition types it.
 */

let s: StartedServer
let admin: string
const ids: { zoe: string; al: string } = { zoe: '', al: '' }

beforeAll(async () => {
  s = await startServer()
  const zoe = await seedMember(s.server, {
    workspaceId: 'ws_sort',
    email: 'zoe@sort.test',
    role: 'admin',
    name: 'zoë',
  })
  const al = await seedMember(s.server, {
    workspaceId: 'ws_sort',
    email: 'al@sort.test',
    role: 'sales',
    name: 'Al',
  })
  ids.zoe = zoe.id
  ids.al = al.id
  admin = (await signIn(s.url, zoe)).cookie
})
afterAll(async () => {
  await s.stop()
})

type Page = { items: Array<{ id: string }>; total: number }
const post = async (path: string, body: unknown) => {
  const res = await api<{ id: string }>(s.url, path, { cookie: admin, body })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}
const order = async (path: string) => {
  const res = await api<Page>(s.url, path, { cookie: admin })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.items.map((r) => r.id)
}

it('contacts sort by their account name, and follow a rename of the account', async () => {
  const beta = await post('/api/accounts', { name: 'beta' })
  const alpha = await post('/api/accounts', { name: 'Alpha' })
  const c1 = await post('/api/contacts', { firstName: 'A', lastName: 'One', accountId: beta })
  const c2 = await post('/api/contacts', { firstName: 'B', lastName: 'Two', accountId: alpha })
  const c3 = await post('/api/contacts', { firstName: 'C', lastName: 'Three' })
  expect(await order('/api/contacts?sort=accountName')).toEqual([c2, c1, c3])
  expect(await order('/api/contacts?sort=-accountName')).toEqual([c3, c1, c2])
  const renamed = await api(s.url, `/api/accounts/${alpha}`, {
    cookie: admin,
    method: 'PATCH',
    body: { name: 'Gamma' },
  })
  expect(renamed.status).toBe(200)
  expect(await order('/api/contacts?sort=accountName')).toEqual([c1, c2, c3])
})

it('accounts sort by the owner display name (not the id); no owner last', async () => {
  const mine = await post('/api/accounts', { name: 'Owned by Zoë', ownerId: ids.zoe })
  const his = await post('/api/accounts', { name: 'Owned by Al', ownerId: ids.al })
  const nobody = await post('/api/accounts', { name: 'Owned by nobody', ownerId: null })
  const sorted = (await order('/api/accounts?sort=owner&limit=200')).filter((id) =>
    [mine, his, nobody].includes(id),
  )
  expect(sorted).toEqual([his, mine, nobody])
})

it('contacts sort by a number custom field numerically, a text one by text; unknown fields are refused', async () => {
  const field = async (label: string, type: string) => {
    const res = await api<{ id: string }>(s.url, '/api/settings/custom-fields', {
      cookie: admin,
      body: { label, entity: 'contact', type },
    })
    expect(res.status).toBe(201)
    return res.body.id
  }
  const seats = await field('Seats', 'number')
  const code = await field('Code', 'text')
  const d1 = await post('/api/contacts', {
    firstName: 'one',
    customFields: { [seats]: 10, [code]: 'item 10' },
  })
  const d2 = await post('/api/contacts', { firstName: 'two', customFields: { [seats]: 9, [code]: 'Item 9' } })
  const d3 = await post('/api/contacts', { firstName: 'three' })
  const these = async (sort: string) =>
    (await order(`/api/contacts?limit=200&sort=${sort}`)).filter((id) => [d1, d2, d3].includes(id))
  expect(await these(`cf.${seats}`)).toEqual([d2, d1, d3])
  expect(await these(`-cf.${seats}`)).toEqual([d3, d1, d2])
  expect(await these(`cf.${code}`)).toEqual([d2, d1, d3])
  const unknown = await api<{ error: { message: string } }>(s.url, '/api/contacts?sort=cf.cf_nothing', {
    cookie: admin,
  })
  expect(unknown.status).toBe(400)
  expect(unknown.body.error.message).toMatch(/contacts have no custom field cf_nothing/)
})
