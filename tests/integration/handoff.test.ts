import {
  ACCOUNTS,
  Account,
  Activity,
  briefTextField,
  collectionMap,
  createAccount,
  createDeal,
  createTicket,
  DEALS,
  defaultPipelines,
  docName,
  endOfColumn,
  HANDOFFS,
  Handoff,
  initWorkspace,
  inlineEmbed,
  moveDeal,
  NOTES_TEXT_FIELD,
  NOTIFICATIONS,
  Notification,
  notesPlainText,
  type Pipeline,
  readRecords,
  type Stage,
  TICKETS,
  TIMELINE,
  updateTicket,
  writeDocToText,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { api, destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { serverRead as readOnServer, type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_handoff'

interface Member {
  id: string
  cookie: string
  token: () => Promise<string>
}

let started: StartedServer
let sales: Member
let sales2: Member
let support: Member
let pipeline: Pipeline
let openStage: Stage
let wonStage: Stage
let counter = 0

const dealDoc = (dealId: string) => docName({ workspaceId: WS, kind: 'deal', dealId })
const roomDoc = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })
const inboxDoc = (userId: string) => docName({ workspaceId: WS, kind: 'inbox', userId })

/** Reads the server's copy of a document. */
const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)
async function serverWrite(name: string, write: (doc: Y.Doc) => void): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  await connection.transact((doc) => write(doc))
  await connection.disconnect()
}

const handoffsOf = (accountId: string) =>
  serverRead(roomDoc(accountId), (doc) => readRecords(collectionMap(doc, HANDOFFS), Handoff).records)
const timelineOf = (accountId: string) =>
  serverRead(roomDoc(accountId), (doc) =>
    readRecords(collectionMap(doc, TIMELINE), Activity).records.sort((a, b) => a.at - b.at),
  )
const inboxOf = (userId: string) =>
  serverRead(inboxDoc(userId), (doc) => readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records)

/** An account owned by `sales` with an open deal on it. */
async function accountWithDeal(): Promise<{ accountId: string; dealId: string }> {
  counter += 1
  const accountId = `acc_h${counter}`
  const dealId = `deal_h${counter}`
  await serverWrite(docName({ workspaceId: WS, kind: 'account', accountId }), (doc) => {
    createAccount(doc, { id: accountId, name: `Handoff Co ${counter}`, ownerId: sales.id }, 'setup')
  })
  await serverWrite(dealDoc(dealId), (doc) => {
    createDeal(
      doc,
      {
        id: dealId,
        pipelineId: pipeline.id,
        title: `Deal ${counter}`,
        stageId: openStage.id,
        accountId,
        ownerId: sales.id,
      },
      'setup',
      { stages: pipeline.stages },
    )
  })
  return { accountId, dealId }
}

const endOf = (doc: Y.Doc, stageId: string) => endOfColumn(collectionMap(doc, DEALS), stageId)

async function dealStatus(dealId: string): Promise<unknown> {
  return started.server.projection.workspace(WS).records.deals.get(dealId)?.status
}

beforeAll(async () => {
  started = await startServer()
  const { server, url } = started
  const seed = async (email: string, role: 'sales' | 'support', team: 'sales' | 'support') => {
    const user = await seedMember(server, { workspaceId: WS, email, role, team, name: email.split('@')[0] })
    return { id: user.id, ...(await signIn(url, user)) }
  }
  sales = await seed('sales@handoff.test', 'sales', 'sales')
  sales2 = await seed('sales2@handoff.test', 'sales', 'sales')
  support = await seed('support@handoff.test', 'support', 'support')
  await serverWrite(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
    const settings = initWorkspace(doc, { name: 'Handoff', pipelines: defaultPipelines() }, 'setup')
    pipeline = settings.pipelines[0] as Pipeline
  })
  openStage = pipeline.stages.find((s) => s.outcome === 'open') as Stage
  wonStage = pipeline.stages.find((s) => s.outcome === 'won') as Stage
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

describe('won deal → handoff draft', () => {
  it('creates exactly one handoff when two users move the same deal to Won at once', async () => {
    const { accountId, dealId } = await accountWithDeal()
    const a = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: sales.token })
    const b = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: sales2.token })
    // Both move in the same tick: neither has seen the other's update.
    moveDeal(a.doc, dealId, endOf(a.doc, wonStage.id), 'local', { stages: pipeline.stages })
    moveDeal(b.doc, dealId, endOf(b.doc, wonStage.id), 'local', { stages: pipeline.stages })
    await expect.poll(() => dealStatus(dealId)).toBe('won')
    await expect.poll(async () => (await handoffsOf(accountId)).length).toBe(1)
    await started.server.automation.idle()

    const [handoff] = await handoffsOf(accountId)
    expect(handoff).toMatchObject({
      id: `hof_won_${dealId}`,
      dealId,
      accountId,
      status: 'draft',
      toTeam: 'support',
    })
    expect([sales.id, sales2.id]).toContain(handoff?.fromUserId)
    const briefText = await serverRead(roomDoc(accountId), (doc) =>
      notesPlainText(doc.getText(briefTextField(handoff?.id ?? ''))),
    )
    expect(briefText).toContain('Promises made')
    const entries = (await timelineOf(accountId)).filter((e) => e.type === 'handoff')
    expect(entries).toHaveLength(1)
    const notices = [...(await inboxOf(sales.id)), ...(await inboxOf(sales2.id))].filter(
      (n) => n.link.handoffId === handoff?.id,
    )
    // The owner (sales) hears of it only when the other user won it: nobody is told of their own move.
    expect(notices.map((n) => n.link.handoffId)).toEqual(
      handoff?.fromUserId === sales.id ? [] : [handoff?.id],
    )
  })

  it('does not create a second handoff when the deal goes Won → Open → Won', async () => {
    const { accountId, dealId } = await accountWithDeal()
    const a = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: sales.token })
    for (const stage of [wonStage, openStage, wonStage]) {
      moveDeal(a.doc, dealId, endOf(a.doc, stage.id), 'local', { stages: pipeline.stages })
      await expect.poll(() => dealStatus(dealId)).toBe(stage.outcome)
      await started.server.automation.idle()
    }
    expect((await handoffsOf(accountId)).map((h) => h.id)).toEqual([`hof_won_${dealId}`])
    expect((await timelineOf(accountId)).filter((e) => e.type === 'handoff')).toHaveLength(1)
  })

  it('ignores deals without an account and moves that are not into a won stage', async () => {
    const { accountId, dealId } = await accountWithDeal()
    const a = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: sales.token })
    const next = pipeline.stages.filter((s) => s.outcome === 'open')[1] as Stage
    moveDeal(a.doc, dealId, endOf(a.doc, next.id), 'local', { stages: pipeline.stages })
    await expect
      .poll(async () => started.server.projection.workspace(WS).records.deals.get(dealId)?.position)
      .toMatchObject({ column: next.id })
    await started.server.automation.idle()
    expect(await handoffsOf(accountId)).toEqual([])
  })
})

describe('handoff steps', () => {
  it('send → notify receiver → accept changes owner and team, all on the timeline', async () => {
    const { accountId, dealId } = await accountWithDeal()
    const a = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: sales.token })
    moveDeal(a.doc, dealId, endOf(a.doc, wonStage.id), 'local', { stages: pipeline.stages })
    const handoffId = `hof_won_${dealId}`
    await expect.poll(async () => (await handoffsOf(accountId)).length).toBe(1)

    const base = `/api/accounts/${accountId}/handoffs/${handoffId}`
    const sent = await api<Handoff>(started.url, `${base}/send`, {
      cookie: sales.cookie,
      body: { toUserId: support.id },
    })
    expect(sent.status).toBe(200)
    expect(sent.body).toMatchObject({ status: 'sent', toUserId: support.id })
    await expect
      .poll(async () => (await inboxOf(support.id)).filter((n) => n.link.handoffId === handoffId).length)
      .toBe(1)

    const stranger = await api(started.url, `${base}/accept`, { method: 'POST', cookie: sales2.cookie })
    expect(stranger.status).toBe(403)

    const accepted = await api<Handoff>(started.url, `${base}/accept`, {
      method: 'POST',
      cookie: support.cookie,
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body.status).toBe('accepted')
    const account = await serverRead(docName({ workspaceId: WS, kind: 'account', accountId }), (doc) =>
      readRecords(collectionMap(doc, ACCOUNTS), Account).records.find((r) => r.id === accountId),
    )
    expect(account).toMatchObject({ ownerId: support.id, team: 'support' })
    const texts = (await timelineOf(accountId)).map((e) => e.text)
    expect(texts.some((t) => t.includes('handoff draft created'))).toBe(true)
    expect(texts.some((t) => t.startsWith('sent the handoff to'))).toBe(true)
    expect(texts.some((t) => t.includes('accepted the handoff'))).toBe(true)
    await expect
      .poll(async () => (await inboxOf(sales.id)).some((n) => n.text.includes('accepted the handoff')))
      .toBe(true)

    const again = await api(started.url, `${base}/accept`, { method: 'POST', cookie: support.cookie })
    expect(again.status).toBe(409)
  })

  it('the receiver can send it back with a comment; the sender can re-send', async () => {
    const { accountId } = await accountWithDeal()
    const created = await api<Handoff>(started.url, `/api/accounts/${accountId}/handoffs`, {
      cookie: sales.cookie,
      body: { toUserId: support.id, toTeam: 'success' },
    })
    expect(created.status).toBe(201)
    const base = `/api/accounts/${accountId}/handoffs/${created.body.id}`
    await api(started.url, `${base}/send`, { method: 'POST', cookie: sales.cookie })
    const noComment = await api(started.url, `${base}/return`, {
      cookie: support.cookie,
      body: { comment: ' ' },
    })
    expect(noComment.status).toBe(400)
    const back = await api<Handoff>(started.url, `${base}/return`, {
      cookie: support.cookie,
      body: { comment: 'Missing the renewal date' },
    })
    expect(back.body).toMatchObject({ status: 'returned', returnComment: 'Missing the renewal date' })
    await expect
      .poll(async () => (await inboxOf(sales.id)).some((n) => n.text.includes('Missing the renewal date')))
      .toBe(true)
    const resent = await api<Handoff>(started.url, `${base}/send`, { method: 'POST', cookie: sales.cookie })
    expect(resent.body).toMatchObject({ status: 'sent', returnComment: null })
  })
})

describe('notifications', () => {
  it('notes text v2: notifies a mention in notesText and in a briefText once each, with the brief linked', async () => {
    const { accountId } = await accountWithDeal()
    const room = await openProvider({ wsUrl: started.wsUrl, name: roomDoc(accountId), token: sales.token })
    const mentionOf = (text: string) => ({
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text },
            { type: 'mention', attrs: { id: support.id, label: 'support' } },
          ],
        },
      ],
    })
    const notes = room.doc.getText(NOTES_TEXT_FIELD)
    writeDocToText(notes, mentionOf('ping '))
    const mentions = async () =>
      (await inboxOf(support.id)).filter((n) => n.type === 'mention' && n.link.accountId === accountId)
    await expect.poll(async () => (await mentions()).length).toBe(1)
    expect((await mentions())[0]?.link.handoffId).toBeUndefined()
    notes.insert(1, 'again ', {})
    writeDocToText(room.doc.getText(briefTextField('hof_v2')), mentionOf('brief '))
    await expect.poll(async () => (await mentions()).length).toBe(2)
    expect((await mentions()).map((n) => n.link.handoffId ?? null).sort()).toEqual(['hof_v2', null])
    // A new mention embed in the notes text notifies again; editing around the old one never did.
    notes.insertEmbed(notes.length, inlineEmbed('mention', { id: support.id, label: 'support' }))
    await expect.poll(async () => (await mentions()).length).toBe(3)
    await started.server.automation.idle()
    expect(await mentions()).toHaveLength(3)
  })

  it('notifies the assignee of a ticket', async () => {
    const ticketId = 'tkt_login_broken'
    const desk = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'ticket', ticketId }),
      token: support.token,
    })
    const ticket = createTicket(desk.doc, { id: ticketId, subject: 'Login broken' }, 'local')
    updateTicket(desk.doc, ticket.id, { assigneeId: sales2.id }, 'local')
    await expect
      .poll(
        async () =>
          (await inboxOf(sales2.id)).filter((n) => n.type === 'assignment' && n.link.ticketId === ticket.id)
            .length,
      )
      .toBe(1)
    expect(collectionMap(desk.doc, TICKETS).has(ticket.id)).toBe(true)
  })
})
