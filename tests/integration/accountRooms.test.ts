import { ACCOUNTS, type Account, createAccount, createTask, docName, initWorkspace } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openDoc, openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #12 (accounts slice, server groundwork): an account living in its own room `W/account/A` (getMap('accounts'),
 * the one entry A — as every account will once `W/accounts` is split) is projected and indexed beside the room's
 * tasks, found through the record index by REST patch and archive, its name follows on contact and task rows, and a
 * foreign account written into the room is never listed.
 */
const WS = 'ws_accountrooms'
const room = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

let started: StartedServer
let admin = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

const open = async (name: string): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
  clients.push(client)
  return client
}

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  admin = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: WS, email: 'admin@accountrooms.test', role: 'admin' }),
  )
  const connection = await started.server.hocuspocus.openDirectConnection(
    docName({ workspaceId: WS, kind: 'workspace' }),
    { system: true },
  )
  await connection.transact((doc) => initWorkspace(doc, { name: 'Rooms', pipelines: [] }, 'setup'))
  await connection.disconnect()
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

const get = async (id: string) => api<Account>(started.url, `/api/accounts/${id}`, { cookie: admin.cookie })
const fields = (client: CollabClient, id: string) =>
  client.doc.getMap(ACCOUNTS.name).get(id) as Y.Map<unknown> | undefined

/** An account created by a client in its own room (as the web app will), once the index has it. */
const ownAccount = async (id: string, name: string): Promise<CollabClient> => {
  const client = await open(room(id))
  createAccount(client.doc, { id, name }, 'browser')
  await expect.poll(async () => (await get(id)).body?.name).toBe(name)
  return client
}

describe('accounts in their rooms W/account/A', () => {
  it('lists and searches the account, REST patch and archive write the room, W/accounts is retired', async () => {
    const client = await ownAccount('acc_roomzephyr', 'Zephyrine Holdings')
    const list = await api<{ items: Array<{ id: string }> }>(started.url, '/api/accounts?q=zephyrine', {
      cookie: admin.cookie,
    })
    expect(list.body.items.map((a) => a.id)).toEqual(['acc_roomzephyr'])
    const patched = await api<Account>(started.url, '/api/accounts/acc_roomzephyr', {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { city: 'Porto' },
    })
    expect(patched.status).toBe(200)
    expect(patched.body.city).toBe('Porto')
    await expect.poll(() => fields(client, 'acc_roomzephyr')?.get('city')).toBe('Porto')
    const archived = await api<Account>(started.url, '/api/accounts/acc_roomzephyr/archive', {
      method: 'POST',
      cookie: admin.cookie,
    })
    expect(archived.status).toBe(200)
    await expect.poll(() => fields(client, 'acc_roomzephyr')?.get('archived')).toBe(true)
    // W/accounts is retired: a connection to it is closed with document-retired and gets nothing.
    const accounts = openDoc({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'accounts' }),
      token: admin.token,
    })
    clients.push(accounts)
    const reason = await new Promise<string>((resolve) =>
      accounts.provider.on('close', ({ event }: { event: { reason: string } }) => resolve(event.reason)),
    )
    expect(reason).toBe('document-retired')
    expect(accounts.doc.getMap(ACCOUNTS.name).has('acc_roomzephyr')).toBe(false)
  })

  it('the room’s tasks and contacts name the account, and follow its rename', async () => {
    const client = await ownAccount('acc_roomnames', 'Namesake Ltd')
    createTask(client.doc, { id: 'tsk_roomnames', title: 'Call the namesake' }, 'browser')
    const contact = await api<{ id: string }>(started.url, '/api/contacts', {
      cookie: admin.cookie,
      body: { firstName: 'Nia', lastName: 'Same', accountId: 'acc_roomnames' },
    })
    expect(contact.status).toBe(201)
    const taskName = async () => {
      const tasks = await api<{ items: Array<{ id: string; accountName: string | null }> }>(
        started.url,
        '/api/tasks?accountId=acc_roomnames',
        { cookie: admin.cookie },
      )
      return tasks.body.items?.find((t) => t.id === 'tsk_roomnames')?.accountName
    }
    const contactName = async () =>
      (
        await api<{ items: Array<{ accountName: string | null }> }>(
          started.url,
          '/api/contacts?accountId=acc_roomnames',
          { cookie: admin.cookie },
        )
      ).body.items[0]?.accountName
    await expect.poll(taskName).toBe('Namesake Ltd')
    expect(await contactName()).toBe('Namesake Ltd')
    const renamed = await api(started.url, '/api/accounts/acc_roomnames', {
      method: 'PATCH',
      cookie: admin.cookie,
      body: { name: 'Namesake plc' },
    })
    expect(renamed.status).toBe(200)
    expect(await contactName()).toBe('Namesake plc')
    await expect.poll(taskName).toBe('Namesake plc')
  })

  it('a foreign account written into a room is dropped by the server and never listed', async () => {
    const client = await ownAccount('acc_roomhost', 'Host Room')
    createAccount(client.doc, { id: 'acc_roomguest', name: 'Guest In The Wrong Room' }, 'browser')
    await expect.poll(() => fields(client, 'acc_roomguest')).toBeUndefined()
    expect((await get('acc_roomguest')).status).toBe(404)
    expect((await get('acc_roomhost')).body.name).toBe('Host Room')
  })
})
