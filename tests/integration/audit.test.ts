import {
  ACCOUNTS,
  type Activity,
  DEALS,
  defaultPipelines,
  docName,
  initWorkspace,
  moveDeal,
  NOTES_TEXT_FIELD,
  notesPlainText,
  type Pipeline,
  TIMELINE,
  writeDocToText,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_audit'

interface Member {
  id: string
  cookie: string
  token: () => Promise<string>
}

let started: StartedServer
let alice: Member
let bob: Member
let pipeline: Pipeline

const member = async (email: string, role: 'sales' | 'admin'): Promise<Member> => {
  const user = await seedMember(started.server, { workspaceId: WS, email, role, name: email.split('@')[0] })
  return { id: user.id, ...(await signIn(started.url, user)) }
}

beforeAll(async () => {
  started = await startServer()
  alice = await member('alice@audit.test', 'sales')
  bob = await member('bob@audit.test', 'admin')
  const connection = await started.server.hocuspocus.openDirectConnection(
    docName({ workspaceId: WS, kind: 'workspace' }),
    {
      system: true,
    },
  )
  await connection.transact((doc) => {
    pipeline = initWorkspace(doc, { name: 'Audit', pipelines: defaultPipelines() }, 'setup')
      .pipelines[0] as Pipeline
  })
  await connection.disconnect()
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

const timelineOf = async (accountId: string, who: Member) => {
  const room = await openProvider({
    wsUrl: started.wsUrl,
    name: docName({ workspaceId: WS, kind: 'account', accountId }),
    token: who.token,
  })
  return () => Object.values(room.doc.getMap(TIMELINE.name).toJSON()) as Activity[]
}

describe('audit and attribution', () => {
  it('attributes a provider edit to the connection user, never to a field the client wrote', async () => {
    const created = await api<{ id: string }>(started.url, '/api/accounts', {
      cookie: bob.cookie,
      body: { name: 'Attributed Inc', industry: 'Retail' },
    })
    expect(created.status).toBe(201)
    const accountId = created.body.id
    const accounts = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId }),
      token: alice.token,
    })
    await expect.poll(() => accounts.doc.getMap(ACCOUNTS.name).has(accountId)).toBe(true)
    const fields = accounts.doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown>
    accounts.doc.transact(() => {
      fields.set('industry', 'Energy')
      fields.set('updatedBy', bob.id)
    })
    const timeline = await timelineOf(accountId, alice)
    await expect
      .poll(() => timeline().find((a) => a.changes.some((c) => c.field === 'industry')))
      .toMatchObject({
        type: 'field_change',
        actorId: alice.id,
        subject: { kind: 'account', id: accountId },
        changes: [{ field: 'industry', before: 'Retail', after: 'Energy' }],
      })
    expect(timeline().find((a) => a.text.includes('created'))?.actorId).toBe(bob.id)
    expect(timeline().some((a) => a.changes.some((c) => c.field === 'updatedBy'))).toBe(false)
    await expect.poll(() => fields.has('updatedBy')).toBe(false)
  })

  it("coalesces a user's consecutive edits of one field into one activity: first before, last after", async () => {
    const created = await api<{ id: string }>(started.url, '/api/accounts', {
      cookie: bob.cookie,
      body: { name: 'Typed Co', industry: 'Retail' },
    })
    const accountId = created.body.id
    const accounts = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId }),
      token: alice.token,
    })
    await expect.poll(() => accounts.doc.getMap(ACCOUNTS.name).has(accountId)).toBe(true)
    const fields = accounts.doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown>
    // One transaction (one update) per keystroke, as an editor sends them.
    for (const value of ['E', 'En', 'Ene', 'Ener']) accounts.doc.transact(() => fields.set('industry', value))
    const timeline = await timelineOf(accountId, alice)
    const industryEdits = () => timeline().filter((a) => a.changes.some((c) => c.field === 'industry'))
    await expect.poll(() => industryEdits().length).toBeGreaterThan(0)
    expect(industryEdits()).toEqual([
      expect.objectContaining({
        type: 'field_change',
        actorId: alice.id,
        subject: { kind: 'account', id: accountId },
        changes: [{ field: 'industry', before: 'Retail', after: 'Ener' }],
      }),
    ])
  })

  it("records a deal's stage move in its account's timeline", async () => {
    const account = await api<{ id: string }>(started.url, '/api/accounts', {
      cookie: bob.cookie,
      body: { name: 'Staged Ltd' },
    })
    const [lead, qualified] = pipeline.stages
    const deal = await api<{ id: string }>(started.url, '/api/deals', {
      cookie: bob.cookie,
      body: { pipelineId: pipeline.id, title: 'Staged deal', stageId: lead?.id, accountId: account.body.id },
    })
    expect(deal.status).toBe(201)
    const board = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'deal', dealId: deal.body.id }),
      token: alice.token,
    })
    moveDeal(board.doc, deal.body.id, { column: qualified?.id ?? '', key: 'a5' }, 'local', {
      stages: pipeline.stages,
    })
    const timeline = await timelineOf(account.body.id, alice)
    await expect
      .poll(() => timeline().find((a) => a.type === 'stage_change'))
      .toMatchObject({
        actorId: alice.id,
        subject: { kind: 'deal', id: deal.body.id },
        changes: [{ field: 'stage', before: lead?.id, after: qualified?.id }],
      })
    expect(timeline().find((a) => a.type === 'stage_change')?.text).toContain('Qualified')
    expect(board.doc.getMap(DEALS.name).size).toBeGreaterThan(0)
  })

  it('coalesces note edits into one activity per user', async () => {
    const account = await api<{ id: string }>(started.url, '/api/accounts', {
      cookie: bob.cookie,
      body: { name: 'Noted GmbH' },
    })
    const name = docName({ workspaceId: WS, kind: 'account', accountId: account.body.id })
    const a = await openProvider({ wsUrl: started.wsUrl, name, token: alice.token })
    const b = await openProvider({ wsUrl: started.wsUrl, name, token: bob.token })
    // Notes text v2 (docs/schema.md §3.5.1): a paragraph marker, then text typed with its (no) marks.
    const text = a.doc.getText(NOTES_TEXT_FIELD)
    writeDocToText(text, { type: 'doc', content: [{ type: 'paragraph' }] })
    for (const ch of 'hello') text.insert(text.length, ch, {})
    const notesBy = (doc: Y.Doc, userId: string) =>
      (Object.values(doc.getMap(TIMELINE.name).toJSON()) as Activity[]).filter(
        (x) => x.type === 'note' && x.actorId === userId,
      ).length
    await expect.poll(() => notesBy(a.doc, alice.id)).toBe(1)
    const bText = b.doc.getText(NOTES_TEXT_FIELD)
    await expect.poll(() => notesPlainText(bText)).toBe('hello')
    bText.insert(bText.length, ' world', {})
    await expect.poll(() => notesBy(a.doc, bob.id)).toBe(1)
    for (const ch of '!!!') text.insert(text.length, ch, {})
    await expect.poll(() => notesPlainText(text)).toBe('hello world!!!')
    await expect
      .poll(
        async () =>
          (
            await api<{ items: Array<{ kind: string; id: string }> }>(started.url, '/api/search?q=hello', {
              cookie: bob.cookie,
            })
          ).body.items,
      )
      .toContainEqual(expect.objectContaining({ kind: 'notes', id: account.body.id }))
    expect(notesBy(a.doc, alice.id)).toBe(1)
  })
})
