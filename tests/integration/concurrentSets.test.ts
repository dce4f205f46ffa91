import { ACCOUNTS, type Activity, docName, TIMELINE } from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_concurrent'

interface Member {
  id: string
  name: string
  cookie: string
  token: () => Promise<string>
}

let started: StartedServer
let alice: Member
let bob: Member

const member = async (email: string, name: string): Promise<Member> => {
  const user = await seedMember(started.server, { workspaceId: WS, email, role: 'sales', name })
  return { id: user.id, name, ...(await signIn(started.url, user)) }
}

beforeAll(async () => {
  started = await startServer()
  alice = await member('alice@concurrent.test', 'Alice Ames')
  bob = await member('bob@concurrent.test', 'Bob Bell')
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

/** The room of the account: its fields are its `accounts` entry (issue #12). */
const roomOf = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

/** A replica of the accounts document with a fixed Yjs client id (concurrent sets of a field: the higher id is kept). */
const replica = (clientID: number): Y.Doc => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  return doc
}

/** Opens `doc` for `who` until the account is there; returns the provider (its doc keeps the state when closed). */
const connect = async (who: Member, doc: Y.Doc, accountId: string) => {
  const connected = await openProvider({
    wsUrl: started.wsUrl,
    name: roomOf(accountId),
    token: who.token,
    document: doc,
  })
  await expect.poll(() => doc.getMap(ACCOUNTS.name).has(accountId)).toBe(true)
  return connected
}

const setIndustry = (doc: Y.Doc, accountId: string, value: string): void => {
  const fields = doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown>
  doc.transact(() => {
    fields.set('industry', value)
    fields.set('updatedAt', Date.now())
  })
}
const industryOf = (doc: Y.Doc, accountId: string): unknown =>
  (doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown>).get('industry')

const industryEntries = async (accountId: string) => {
  const room = await openProvider({
    wsUrl: started.wsUrl,
    name: docName({ workspaceId: WS, kind: 'account', accountId }),
    token: alice.token,
  })
  return () =>
    (Object.values(room.doc.getMap(TIMELINE.name).toJSON()) as Activity[])
      .filter((a) => a.changes.some((c) => c.field === 'industry'))
      .sort((a, b) => a.at - b.at)
}

const newAccount = async (name: string): Promise<string> => {
  const created = await api<{ id: string }>(started.url, '/api/accounts', {
    cookie: bob.cookie,
    body: { name, industry: 'Software' },
  })
  expect(created.status).toBe(201)
  return created.body.id
}

describe('two users set the same field at the same time', () => {
  it('the set that arrives second and loses is still audited, with the kept value and its author', async () => {
    const accountId = await newAccount('Loser Arrives Second Ltd')
    const aliceDoc = replica(1)
    const bobDoc = replica(2)
    // Alice has an offline copy: she sets Industry without seeing Bob's concurrent set.
    ;(await connect(alice, aliceDoc, accountId)).destroy()
    setIndustry(aliceDoc, accountId, 'Fintech')
    const bobProvider = await connect(bob, bobDoc, accountId)
    setIndustry(bobDoc, accountId, 'Retail')
    await expect.poll(() => bobProvider.provider.unsyncedChanges).toBe(0)

    // Alice comes back: her set reaches the server after Bob's and loses (Bob's client id is higher).
    await connect(alice, aliceDoc, accountId)
    await expect.poll(() => industryOf(aliceDoc, accountId)).toBe('Retail')
    const entries = await industryEntries(accountId)
    await expect.poll(() => entries().length).toBe(2)
    const [bobs, alices] = entries()
    expect(bobs).toMatchObject({
      actorId: bob.id,
      changes: [{ field: 'industry', before: 'Software', after: 'Retail' }],
    })
    expect(alices).toMatchObject({
      type: 'field_change',
      actorId: alice.id,
      subject: { kind: 'account', id: accountId },
      changes: [
        {
          field: 'industry',
          before: 'Retail',
          after: 'Fintech',
          overruledBy: { actorId: bob.id, value: 'Retail' },
        },
      ],
    })
    expect(alices?.text).toBe(
      'set industry of Loser Arrives Second Ltd to "Fintech" at the same time as Bob Bell set it to "Retail", which was kept',
    )
  })

  it('when the losing set arrives first, both sets are audited as changes by their authors', async () => {
    const accountId = await newAccount('Loser Arrives First Ltd')
    // Ids unused in the shared document so far (Yjs renames a replica whose id it sees in others' updates).
    const aliceDoc = replica(3)
    const bobDoc = replica(4)
    ;(await connect(bob, bobDoc, accountId)).destroy()
    setIndustry(bobDoc, accountId, 'Retail')
    const aliceProvider = await connect(alice, aliceDoc, accountId)
    setIndustry(aliceDoc, accountId, 'Fintech')
    await expect.poll(() => aliceProvider.provider.unsyncedChanges).toBe(0)

    await connect(bob, bobDoc, accountId)
    await expect.poll(() => industryOf(aliceDoc, accountId)).toBe('Retail')
    const entries = await industryEntries(accountId)
    await expect.poll(() => entries().length).toBe(2)
    expect(entries().map((a) => [a.actorId, a.changes])).toEqual([
      [alice.id, [{ field: 'industry', before: 'Software', after: 'Fintech' }]],
      [bob.id, [{ field: 'industry', before: 'Fintech', after: 'Retail' }]],
    ])
  })
})
