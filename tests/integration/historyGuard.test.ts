import {
  addChecklistItem,
  appendActivity,
  CHECKLIST,
  collectionMap,
  createHandoff,
  createTask,
  docName,
  HANDOFFS,
  NOTES_FIELD,
  setHandoffStatus,
  TASKS,
  TIMELINE,
} from '@rapport/model'
import { createLogger } from '@rapport/server'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import {
  api,
  type ConnectedProvider,
  destroyProviders,
  openProvider,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import { serverRead as readOnServer, type StartedServer, startServer } from './helpers/startServer.ts'

// Item 5 of issue #10: the timeline and the handoffs' server fields are written by the server only. A client's
// write to them is undone by the server in the next transaction, which every client receives, and is logged.

const WS = 'ws_history'
const REVERTED = 'reverted a client write to server-written history'

interface Member {
  id: string
  cookie: string
  token: () => Promise<string>
}

let started: StartedServer
let sales: Member
let support: Member
let counter = 0
const logLines: Record<string, unknown>[] = []

const roomDoc = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)

/** The server-written parts of a room, as plain JSON. */
const history = (doc: Y.Doc) => ({
  timeline: doc.getMap(TIMELINE.name).toJSON(),
  handoffs: doc.getMap(HANDOFFS.name).toJSON(),
})

interface Room {
  accountId: string
  name: string
  entryIds: string[]
  draftId: string
  sentId: string
}

/**
 * A room with three timeline entries, a draft handoff and a sent one, written by the server in one direct write
 * (not audited: nothing else lands on the timeline afterwards).
 */
async function newRoom(): Promise<Room> {
  counter += 1
  const accountId = `acc_hist${counter}`
  const name = roomDoc(accountId)
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  const entryIds: string[] = []
  const draftId = `hof_draft${counter}`
  const sentId = `hof_sent${counter}`
  await connection.transact((doc) => {
    doc.transact(() => {
      for (const id of [draftId, sentId]) {
        createHandoff(doc, { id, accountId, fromUserId: sales.id, toTeam: 'support' }, 'setup')
      }
      setHandoffStatus(doc, sentId, 'sent', 'setup')
      for (const type of ['call', 'email', 'meeting'] as const) {
        const entry = appendActivity(
          doc,
          { type, actorId: sales.id, subject: { kind: 'account', id: accountId }, text: `${type} log` },
          'setup',
        )
        entryIds.push(entry.id)
      }
    }, 'setup')
  })
  await connection.disconnect()
  return { accountId, name, entryIds, draftId, sentId }
}

async function open(member: Member, name: string): Promise<ConnectedProvider> {
  return openProvider({ wsUrl: started.wsUrl, name, token: member.token })
}

const reverts = () => logLines.filter((line) => line.msg === REVERTED)

/**
 * `write` runs on the sales user's replica; then the server logs the revert, and the server, the writer and a
 * second client (support) all hold `expected` (by default, the history before the write).
 */
async function expectReverted(
  room: Room,
  write: (doc: Y.Doc) => void,
  expected?: ReturnType<typeof history>,
): Promise<Record<string, unknown>> {
  const writer = await open(sales, room.name)
  const other = await open(support, room.name)
  const before = expected ?? (await serverRead(room.name, history))
  const seen = reverts().length
  writer.doc.transact(() => write(writer.doc), 'client')
  await vi.waitFor(() => expect(reverts().length).toBeGreaterThan(seen), { timeout: 5000 })
  expect(await serverRead(room.name, history)).toEqual(before)
  const serverVector = await serverRead(room.name, (doc) => Y.encodeStateVector(doc))
  for (const client of [writer, other]) {
    await vi.waitFor(
      () => {
        expect(Y.encodeStateVector(client.doc)).toEqual(serverVector)
        expect(history(client.doc)).toEqual(before)
      },
      { timeout: 5000 },
    )
  }
  await vi.waitFor(() => expect(writer.provider.unsyncedChanges).toBe(0))
  const line = reverts().at(-1) as Record<string, unknown>
  expect(line).toMatchObject({ level: 'warn', userId: sales.id, docName: room.name })
  return line
}

const entry = (doc: Y.Doc, id: string) => doc.getMap(TIMELINE.name).get(id) as Y.Map<unknown>
const handoff = (doc: Y.Doc, id: string) => doc.getMap(HANDOFFS.name).get(id) as Y.Map<unknown>

beforeAll(async () => {
  started = await startServer({
    logger: createLogger({
      level: 'warn',
      format: 'json',
      write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>),
    }),
  })
  const seed = async (email: string, role: 'sales' | 'support') => {
    const user = await seedMember(started.server, { workspaceId: WS, email, role, team: role })
    return { id: user.id, ...(await signIn(started.url, user)) }
  }
  sales = await seed('sales@history.test', 'sales')
  support = await seed('support@history.test', 'support')
})

afterEach(() => destroyProviders())
afterAll(async () => {
  await started?.stop()
})

describe('timeline entries are written by the server only', () => {
  it('a deleted entry comes back with the same id and content', async () => {
    const room = await newRoom()
    const line = await expectReverted(room, (doc) =>
      doc.getMap(TIMELINE.name).delete(room.entryIds[0] as string),
    )
    expect(line).toMatchObject({ collection: 'timeline', restored: [room.entryIds[0]] })
  })

  it('an edited entry gets its fields back, a field the client added is removed', async () => {
    const room = await newRoom()
    const line = await expectReverted(room, (doc) => {
      const target = entry(doc, room.entryIds[1] as string)
      target.set('text', 'we never promised a discount')
      target.set('actorId', support.id)
      target.delete('changes')
      target.set('forged', true)
    })
    expect(line.fields).toEqual(
      expect.arrayContaining([
        `${room.entryIds[1]}.text`,
        `${room.entryIds[1]}.changes`,
        `${room.entryIds[1]}.forged`,
      ]),
    )
  })

  it('a fake entry is removed, an entry replaced under its id is restored', async () => {
    const room = await newRoom()
    const line = await expectReverted(room, (doc) => {
      appendActivity(
        doc,
        {
          id: 'act_fake',
          type: 'call',
          actorId: support.id,
          subject: { kind: 'account', id: room.accountId },
          text: 'fake',
        },
        'client',
      )
      const replacement = new Y.Map<unknown>()
      replacement.set('text', 'rewritten')
      doc.getMap(TIMELINE.name).set(room.entryIds[2] as string, replacement)
    })
    expect(line).toMatchObject({ removed: ['act_fake'], restored: [room.entryIds[2]] })
  })

  it('an entry edited and then deleted in one transaction comes back as it was', async () => {
    const room = await newRoom()
    await expectReverted(room, (doc) => {
      entry(doc, room.entryIds[0] as string).set('text', 'edited first')
      doc.getMap(TIMELINE.name).delete(room.entryIds[0] as string)
    })
  })
})

describe('handoff status and server fields are written by REST actions only', () => {
  it('a status set directly is restored with its timestamps', async () => {
    const room = await newRoom()
    const line = await expectReverted(room, (doc) => {
      const draft = handoff(doc, room.draftId)
      draft.set('status', 'accepted')
      draft.set('acceptedAt', 1)
      draft.set('fromUserId', support.id)
    })
    expect(line).toMatchObject({ collection: 'handoffs' })
  })

  it('a deleted handoff comes back, a handoff created by a client is removed', async () => {
    const room = await newRoom()
    const line = await expectReverted(room, (doc) => {
      const handoffs = doc.getMap(HANDOFFS.name)
      handoffs.delete(room.draftId)
      const fake = new Y.Map<unknown>()
      for (const [key, value] of Object.entries(handoff(doc, room.sentId).toJSON()))
        fake.set(key, key === 'id' ? 'hof_fake' : value)
      fake.set('status', 'accepted')
      handoffs.set('hof_fake', fake)
    })
    expect(line).toMatchObject({ removed: ['hof_fake'], restored: [room.draftId] })
  })

  it('the receiver of a sent handoff cannot be changed by a client', async () => {
    const room = await newRoom()
    await expectReverted(room, (doc) => {
      handoff(doc, room.sentId).set('toUserId', sales.id)
      handoff(doc, room.sentId).set('toTeam', 'sales')
    })
  })

  it('in one transaction, the status is reverted and the draft’s receiver and team are kept', async () => {
    const room = await newRoom()
    const before = await serverRead(room.name, history)
    const draft = before.handoffs[room.draftId] as Record<string, unknown>
    const expected = {
      ...before,
      handoffs: { ...before.handoffs, [room.draftId]: { ...draft, toUserId: support.id, toTeam: 'success' } },
    }
    const line = await expectReverted(
      room,
      (doc) => {
        handoff(doc, room.draftId).set('status', 'sent')
        handoff(doc, room.draftId).set('toUserId', support.id)
        handoff(doc, room.draftId).set('toTeam', 'success')
      },
      expected,
    )
    expect(line.fields).toEqual([`${room.draftId}.status`])
  })
})

describe('what clients may write still passes', () => {
  it('notes, tasks, a brief, a checklist item and a draft handoff’s receiver are kept and logged as nothing', async () => {
    const room = await newRoom()
    const writer = await open(sales, room.name)
    const other = await open(support, room.name)
    const seen = reverts().length
    writer.doc.transact(() => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('call notes')])
      writer.doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
      const brief = writer.doc.getXmlFragment(`brief:${room.draftId}`)
      brief.insert(brief.length, [new Y.XmlText('risk: renewal')])
      createTask(writer.doc, { id: 'tsk_kept', title: 'Send the contract' }, 'client')
      addChecklistItem(writer.doc, { id: 'chk_kept', handoffId: room.draftId, text: 'Intro call' }, 'client')
      handoff(writer.doc, room.draftId).set('toUserId', support.id)
      handoff(writer.doc, room.draftId).set('updatedAt', 123)
    }, 'client')
    const kept = (doc: Y.Doc) => ({
      notes: doc.getXmlFragment(NOTES_FIELD).toString(),
      brief: doc.getXmlFragment(`brief:${room.draftId}`).toString().includes('risk: renewal'),
      task: collectionMap(doc, TASKS).has('tsk_kept'),
      checklist: collectionMap(doc, CHECKLIST).has('chk_kept'),
      toUserId: handoff(doc, room.draftId).get('toUserId'),
    })
    const expected = {
      notes: '<paragraph>call notes</paragraph>',
      brief: true,
      task: true,
      checklist: true,
      toUserId: support.id,
    }
    await vi.waitFor(async () => expect(await serverRead(room.name, kept)).toEqual(expected), {
      timeout: 5000,
    })
    await vi.waitFor(() => expect(kept(other.doc)).toEqual(expected), { timeout: 5000 })
    await vi.waitFor(() => expect(writer.provider.unsyncedChanges).toBe(0))
    expect(kept(writer.doc)).toEqual(expected)
    expect(reverts().length).toBe(seen)
  })

  it('REST handoff actions and the server’s own timeline entries are not reverted', async () => {
    const room = await newRoom()
    const seen = reverts().length
    const accepted = await api<{ status: string }>(
      started.url,
      `/api/accounts/${room.accountId}/handoffs/${room.sentId}/accept`,
      { cookie: support.cookie, method: 'POST' },
    )
    expect(accepted.status).toBe(200)
    const state = await serverRead(room.name, history)
    expect((state.handoffs[room.sentId] as { status: string }).status).toBe('accepted')
    const entries = Object.values(state.timeline) as Array<{ type: string; text: string }>
    expect(entries.filter((e) => e.type === 'handoff').map((e) => e.text)).toEqual([
      expect.stringMatching(/^accepted the handoff/),
    ])
    expect(reverts().length).toBe(seen)
  })
})

describe('the restored history is stored', () => {
  it('after a flush, the stored document holds the original entry', async () => {
    const room = await newRoom()
    const target = room.entryIds[0] as string
    await expectReverted(room, (doc) => doc.getMap(TIMELINE.name).delete(target))
    await started.server.persistence.flushAll()
    const stored = await started.server.documentStore.load(room.name)
    const doc = new Y.Doc()
    if (stored) Y.applyUpdate(doc, stored)
    expect(entry(doc, target)?.get('text')).toBe('call log')
  })
})
