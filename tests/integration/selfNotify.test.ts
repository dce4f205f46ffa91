import {
  collectionMap,
  createAccount,
  createDeal,
  createTicket,
  DEALS,
  defaultPipelines,
  docName,
  endOfColumn,
  HANDOFFS,
  initWorkspace,
  moveDeal,
  NOTES_TEXT_FIELD,
  NOTIFICATIONS,
  Notification,
  type Pipeline,
  readRecords,
  type Stage,
  updateTicket,
  writeDocToText,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { serverRead as readOnServer, type StartedServer, startServer } from './helpers/startServer.ts'

/** Nobody gets an inbox notification about their own action; the other person still does. */
const WS = 'ws_selfnotify'

interface Member {
  id: string
  name: string
  token: () => Promise<string>
}

let started: StartedServer
let sales: Member
let sales2: Member
let support: Member
let pipeline: Pipeline
let counter = 0

const dealDoc = (dealId: string) => docName({ workspaceId: WS, kind: 'deal', dealId })
const roomDoc = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)
async function serverWrite(name: string, write: (doc: Y.Doc) => void): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  await connection.transact((doc) => write(doc))
  await connection.disconnect()
}
const inboxOf = (userId: string) =>
  serverRead(
    docName({ workspaceId: WS, kind: 'inbox', userId }),
    (doc) => readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records,
  )

/** An account and an open deal, both owned by `sales`. */
async function ownDeal(): Promise<{ accountId: string; dealId: string }> {
  counter += 1
  const accountId = `acc_s${counter}`
  const dealId = `deal_s${counter}`
  await serverWrite(docName({ workspaceId: WS, kind: 'account', accountId }), (doc) => {
    createAccount(doc, { id: accountId, name: `Self Co ${counter}`, ownerId: sales.id }, 'setup')
  })
  const stageId = (pipeline.stages.find((s) => s.outcome === 'open') as Stage).id
  await serverWrite(dealDoc(dealId), (doc) => {
    createDeal(
      doc,
      {
        id: dealId,
        pipelineId: pipeline.id,
        title: `Deal ${counter}`,
        stageId,
        accountId,
        ownerId: sales.id,
      },
      'setup',
      { stages: pipeline.stages },
    )
  })
  return { accountId, dealId }
}

async function win(member: Member, dealId: string, accountId: string): Promise<void> {
  const won = pipeline.stages.find((s) => s.outcome === 'won') as Stage
  const client = await openProvider({ wsUrl: started.wsUrl, name: dealDoc(dealId), token: member.token })
  moveDeal(client.doc, dealId, endOfColumn(collectionMap(client.doc, DEALS), won.id), 'local', {
    stages: pipeline.stages,
  })
  await expect.poll(() => serverRead(roomDoc(accountId), (doc) => collectionMap(doc, HANDOFFS).size)).toBe(1)
  await started.server.automation.idle()
}

beforeAll(async () => {
  started = await startServer()
  const seed = async (email: string, role: 'sales' | 'support' = 'sales') => {
    const name = email.split('@')[0] as string
    const team = role
    const user = await seedMember(started.server, { workspaceId: WS, email, role, team, name })
    return { id: user.id, name, ...(await signIn(started.url, user)) }
  }
  sales = await seed('sales@self.test')
  sales2 = await seed('sales2@self.test')
  support = await seed('support@self.test', 'support')
  await serverWrite(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
    pipeline = initWorkspace(doc, { name: 'Self', pipelines: defaultPipelines() }, 'setup')
      .pipelines[0] as Pipeline
  })
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

describe('no notification about your own action', () => {
  it('winning your own deal does not notify you; winning a colleague’s deal notifies the owner only', async () => {
    const own = await ownDeal()
    await win(sales, own.dealId, own.accountId)
    expect((await inboxOf(sales.id)).filter((n) => n.link.dealId === own.dealId)).toEqual([])

    const theirs = await ownDeal()
    await win(sales2, theirs.dealId, theirs.accountId)
    const notices = (await inboxOf(sales.id)).filter((n) => n.link.dealId === theirs.dealId)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ type: 'handoff', actorId: sales2.id })
    expect(notices[0]?.text).toContain('sales2 won “Deal')
    expect((await inboxOf(sales2.id)).filter((n) => n.link.dealId === theirs.dealId)).toEqual([])
  })

  it('mentioning yourself notifies nobody; mentioning a colleague in the same note notifies them', async () => {
    const { accountId } = await ownDeal()
    const room = await openProvider({ wsUrl: started.wsUrl, name: roomDoc(accountId), token: sales.token })
    const mention = (id: string, label: string) => ({ type: 'mention', attrs: { id, label } })
    // Notes text v2 (docs/schema.md §3.5.1), as the web editor writes it.
    writeDocToText(room.doc.getText(NOTES_TEXT_FIELD), {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'note to ' },
            mention(sales.id, 'sales'),
            { type: 'text', text: ' and ' },
            mention(sales2.id, 'sales2'),
          ],
        },
      ],
    })
    const about = (list: Notification[]) =>
      list.filter((n) => n.type === 'mention' && n.link.accountId === accountId)
    await expect.poll(async () => about(await inboxOf(sales2.id)).length).toBe(1)
    await started.server.automation.idle()
    expect(about(await inboxOf(sales.id))).toEqual([])
  })

  it('assigning a ticket to yourself notifies nobody; assigning it to a colleague notifies them', async () => {
    // Each ticket in its own document `W/ticket/T`.
    const deskOf = (ticketId: string) =>
      openProvider({
        wsUrl: started.wsUrl,
        name: docName({ workspaceId: WS, kind: 'ticket', ticketId }),
        token: support.token,
      })
    const myDesk = await deskOf('tkt_self_mine')
    const mine = createTicket(myDesk.doc, { id: 'tkt_self_mine', subject: 'Mine' }, 'local')
    updateTicket(myDesk.doc, mine.id, { assigneeId: support.id }, 'local')
    const theirDesk = await deskOf('tkt_self_theirs')
    const theirs = createTicket(theirDesk.doc, { id: 'tkt_self_theirs', subject: 'Theirs' }, 'local')
    updateTicket(theirDesk.doc, theirs.id, { assigneeId: sales2.id }, 'local')
    await expect
      .poll(async () => (await inboxOf(sales2.id)).filter((n) => n.link.ticketId === theirs.id).length)
      .toBe(1)
    await started.server.automation.idle()
    expect((await inboxOf(support.id)).filter((n) => n.link.ticketId === mine.id)).toEqual([])
  })
})
