import {
  COLLECTION,
  collectionMap,
  createNotification,
  docName,
  markNotificationRead,
  NOTIFICATIONS,
  Notification,
  readRecords,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { destroyProviders, openProvider, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/** Issue #11: an inbox's notifications are server-written; their owner may only mark them read or unread. */
const WS = 'ws_inboxguard'

let started: StartedServer
let owner = { id: '', token: async () => '' }
let inbox = ''

const serverWrite = async (write: (doc: Y.Doc) => void): Promise<void> => {
  const connection = await started.server.hocuspocus.openDirectConnection(inbox, { system: true })
  try {
    await connection.transact(write)
  } finally {
    await connection.disconnect()
  }
}
const fields = (doc: Y.Doc, id: string) =>
  doc.getMap(COLLECTION.notifications).get(id) as Y.Map<unknown> | undefined
const serverCopy = async (): Promise<Notification[]> => {
  let records: Notification[] = []
  await serverWrite((doc) => {
    records = readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records
  })
  return records
}

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  const member = await seedMember(started.server, {
    workspaceId: WS,
    email: 'owner@inbox.test',
    role: 'sales',
  })
  const signedIn = await signIn(started.url, member)
  owner = { id: member.id, token: signedIn.token }
  inbox = docName({ workspaceId: WS, kind: 'inbox', userId: member.id })
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

describe('the inbox guard', () => {
  it('lets the owner mark a notification read and unread', async () => {
    await serverWrite((doc) =>
      createNotification(doc, { id: 'ntf_read', type: 'mention', actorId: null, text: 'Read me' }, 'server'),
    )
    const client = await openProvider({ wsUrl: started.wsUrl, name: inbox, token: owner.token })
    await expect.poll(() => fields(client.doc, 'ntf_read')?.get('read')).toBe(false)
    markNotificationRead(client.doc, 'ntf_read', true, 'browser')
    await expect.poll(async () => (await serverCopy()).find((n) => n.id === 'ntf_read')?.read).toBe(true)
    markNotificationRead(client.doc, 'ntf_read', false, 'browser')
    await expect.poll(async () => (await serverCopy()).find((n) => n.id === 'ntf_read')?.read).toBe(false)
    expect(fields(client.doc, 'ntf_read')?.get('text')).toBe('Read me')
  })

  it('undoes every other write: a changed text or link, a forged, deleted or replaced notification, a bad read value', async () => {
    await serverWrite((doc) => {
      createNotification(
        doc,
        { id: 'ntf_keep', type: 'assignment', actorId: null, text: 'Original' },
        'server',
      )
      createNotification(
        doc,
        { id: 'ntf_gone', type: 'reminder', actorId: null, text: 'Do not delete' },
        'server',
      )
    })
    const client = await openProvider({ wsUrl: started.wsUrl, name: inbox, token: owner.token })
    const map = client.doc.getMap<unknown>(COLLECTION.notifications)
    await expect.poll(() => map.has('ntf_gone')).toBe(true)

    const keep = fields(client.doc, 'ntf_keep')
    client.doc.transact(() => {
      keep?.set('text', 'Forged text')
      keep?.set('link', { accountId: 'acc_elsewhere' })
      keep?.set('type', 'handoff')
    })
    await expect.poll(() => fields(client.doc, 'ntf_keep')?.get('text')).toBe('Original')
    expect(fields(client.doc, 'ntf_keep')?.get('type')).toBe('assignment')
    expect(fields(client.doc, 'ntf_keep')?.get('link')).toEqual({})

    const forged = new Y.Map<unknown>()
    for (const [key, value] of Object.entries({
      id: 'ntf_forged',
      type: 'mention',
      at: 1,
      actorId: null,
      text: 'A notice nobody sent',
      link: {},
      read: false,
      createdAt: 1,
      updatedAt: 1,
      archived: false,
    }))
      forged.set(key, value)
    map.set('ntf_forged', forged)
    map.delete('ntf_gone')
    fields(client.doc, 'ntf_keep')?.set('read', 'yes')
    await expect.poll(() => map.has('ntf_forged')).toBe(false)
    await expect.poll(() => fields(client.doc, 'ntf_gone')?.get('text')).toBe('Do not delete')
    await expect.poll(() => fields(client.doc, 'ntf_keep')?.get('read')).toBe(false)

    const onServer = await serverCopy()
    expect(onServer.map((n) => n.id).sort()).toEqual(['ntf_gone', 'ntf_keep', 'ntf_read'])
    expect(onServer.find((n) => n.id === 'ntf_keep')).toMatchObject({ text: 'Original', read: false })
  })
})
