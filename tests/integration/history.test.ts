import {
  ACCOUNTS,
  type Activity,
  AUTHORS_MAP,
  appendDocToText,
  authorTimeAt,
  blockMarkers,
  createTask,
  docName,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesPlainText,
  readAuthors,
  TASKS,
  TIMELINE,
  writeDocToText,
} from '@rapport/model'
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
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_history'
const OTHER_WS = 'ws_history_other'

interface Member {
  id: string
  cookie: string
  token: () => Promise<string>
}

interface VersionSummary {
  id: string
  at: number
  reason: string
  editors: string[]
}
interface RoomState {
  notes: { json: { type: string; content?: unknown[] }; text: string }
  fields: Record<string, unknown> | null
}

let started: StartedServer
/** The server's clock: real time, moved forward by tests that need "later". */
let clock = Date.now()
let alice: Member
let bob: Member
let viewer: Member
let outsider: Member

const member = async (email: string, role: 'sales' | 'viewer', workspaceId = WS): Promise<Member> => {
  const user = await seedMember(started.server, { workspaceId, email, role, name: email.split('@')[0] })
  return { id: user.id, ...(await signIn(started.url, user)) }
}

beforeAll(async () => {
  // Waits for conditions (never sleeps); a busy shared machine gets 10 s instead of Vitest's 1 s.
  vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 25 } } })
  started = await startServer({ historyTiming: { pauseMs: 60, everyMs: 60_000 }, now: () => clock })
  alice = await member('alice@history.test', 'sales')
  bob = await member('bob@history.test', 'sales')
  viewer = await member('viewer@history.test', 'viewer')
  outsider = await member('outsider@history.test', 'sales', OTHER_WS)
})
afterEach(() => destroyProviders())
afterAll(() => started.stop())

const newAccount = async (name: string): Promise<string> => {
  const created = await api<{ id: string }>(started.url, '/api/accounts', {
    cookie: alice.cookie,
    body: { name },
  })
  expect(created.status).toBe(201)
  return created.body.id
}
const roomName = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })
const openRoom = (accountId: string, who: Member, document?: Y.Doc) =>
  openProvider({ wsUrl: started.wsUrl, name: roomName(accountId), token: who.token, document })

/** Appends a paragraph with `text` to the notes text (v2, docs/schema.md §3.5.1), as the web editor writes it. */
const writeParagraph = (doc: Y.Doc, text: string): void => {
  doc.transact(() =>
    appendDocToText(doc.getText(NOTES_TEXT_FIELD), {
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
    }),
  )
}
/** The notes, one block per line. */
const notesText = (doc: Y.Doc): string => notesPlainText(doc.getText(NOTES_TEXT_FIELD))
/** The author of each text run of the notes: [text, clientID]. */
const runs = (doc: Y.Doc): Array<[string, number]> => {
  const out: Array<[string, number]> = []
  for (let item = doc.getText(NOTES_TEXT_FIELD)._start; item; item = item.right)
    if (!item.deleted && item.content instanceof Y.ContentString) out.push([item.content.str, item.id.client])
  return out
}
/** The first item of the run `text` of the notes. */
const runItem = (doc: Y.Doc, text: string): Y.Item | null => {
  for (let item = doc.getText(NOTES_TEXT_FIELD)._start; item; item = item.right)
    if (!item.deleted && item.content instanceof Y.ContentString && item.content.str === text) return item
  return null
}
/** Deletes the `index`-th block (its marker and its text) of the notes. */
const deleteBlock = (doc: Y.Doc, index: number): void => {
  const text = doc.getText(NOTES_TEXT_FIELD)
  const markers = blockMarkers(text)
  const from = markers[index]?.index ?? 0
  doc.transact(() => text.delete(from, (markers[index + 1]?.index ?? text.length) - from))
}
const serverDoc = (accountId: string) => started.server.hocuspocus.documents.get(roomName(accountId))
const authorOf = (doc: Y.Doc, client: number) => readAuthors(doc.getMap(AUTHORS_MAP)).get(client)?.userId

const history = (accountId: string, who: Member) =>
  api<{ items: VersionSummary[] }>(started.url, `/api/accounts/${accountId}/history`, { cookie: who.cookie })
const versionOf = (accountId: string, versionId: string, who: Member) =>
  api<RoomState & { version: VersionSummary; current: RoomState }>(
    started.url,
    `/api/accounts/${accountId}/history/${versionId}`,
    { cookie: who.cookie },
  )

describe('who wrote what in the account room', () => {
  it("attributes each user's notes to the user of the connection that sent them", async () => {
    const accountId = await newAccount('Attributed Notes Inc')
    const a = await openRoom(accountId, alice)
    const b = await openRoom(accountId, bob)
    writeParagraph(a.doc, 'Alice wrote this.')
    writeParagraph(b.doc, 'Bob wrote that.')
    await expect.poll(() => authorOf(a.doc, a.doc.clientID)).toBe(alice.id)
    await expect.poll(() => authorOf(a.doc, b.doc.clientID)).toBe(bob.id)
    await expect.poll(() => runs(a.doc).length).toBe(2)
    const byText = Object.fromEntries(runs(a.doc).map(([text, client]) => [text, authorOf(a.doc, client)]))
    expect(byText).toEqual({ 'Alice wrote this.': alice.id, 'Bob wrote that.': bob.id })
    const entry = readAuthors(a.doc.getMap(AUTHORS_MAP)).get(b.doc.clientID)
    expect(entry?.at).toBeGreaterThan(Date.now() - 60_000)
    expect(entry?.marks[0]?.[0]).toBe(0)
  })

  it('records when: text written minutes later carries the later time', async () => {
    const accountId = await newAccount('Timed Notes Inc')
    const a = await openRoom(accountId, alice)
    const startedAt = clock
    writeParagraph(a.doc, 'Early words.')
    await expect.poll(() => authorOf(a.doc, a.doc.clientID)).toBe(alice.id)
    clock += 3 * 60_000
    writeParagraph(a.doc, 'Later words.')
    const timeOf = (text: string) => {
      const item = runItem(a.doc, text)
      const entry = item ? readAuthors(a.doc.getMap(AUTHORS_MAP)).get(item.id.client) : undefined
      return entry && item ? authorTimeAt(entry, item.id.clock) : null
    }
    await expect.poll(() => timeOf('Later words.')).toBe(startedAt + 3 * 60_000)
    expect(timeOf('Early words.')).toBe(startedAt)
  })

  it("refuses an update that writes under another user's clientID, and keeps the attribution", async () => {
    const accountId = await newAccount('Spoofed Notes Inc')
    const a = await openRoom(accountId, alice)
    writeParagraph(a.doc, 'Genuine words by Alice.')
    await expect.poll(() => authorOf(a.doc, a.doc.clientID)).toBe(alice.id)
    const b = await openRoom(accountId, bob)
    await expect.poll(() => notesText(b.doc)).toContain('Genuine words')
    expect(serverDoc(accountId)?.getConnections().length).toBe(2)
    // Bob's replica claims Alice's clientID and appends new content under it.
    b.doc.clientID = a.doc.clientID
    writeParagraph(b.doc, 'Forged words in Alice’s name.')
    await expect.poll(() => serverDoc(accountId)?.getConnections().length).toBe(1)
    const server = serverDoc(accountId) as Y.Doc
    expect(notesText(server)).not.toContain('Forged')
    expect(authorOf(server, a.doc.clientID)).toBe(alice.id)
    // Alice's own connection is untouched: her next words arrive and stay hers.
    writeParagraph(a.doc, 'Alice goes on.')
    await expect.poll(() => notesText(server)).toContain('Alice goes on.')
    expect(notesText(server)).not.toContain('Forged')
    expect(authorOf(server, a.doc.clientID)).toBe(alice.id)
  })

  it('reverts a client write to the authors map', async () => {
    const accountId = await newAccount('Authors Guard Inc')
    const b = await openRoom(accountId, bob)
    writeParagraph(b.doc, 'Bob types first.')
    await expect.poll(() => authorOf(b.doc, b.doc.clientID)).toBe(bob.id)
    b.doc.transact(() => {
      b.doc.getMap(AUTHORS_MAP).set('424242', { userId: alice.id, at: 1, marks: [[0, 1]] })
      b.doc.getMap(AUTHORS_MAP).set(String(b.doc.clientID), { userId: alice.id, at: 1, marks: [[0, 1]] })
    })
    await expect.poll(() => b.doc.getMap(AUTHORS_MAP).has('424242')).toBe(false)
    await expect.poll(() => authorOf(b.doc, b.doc.clientID)).toBe(bob.id)
  })
})

describe('versions of the account room', () => {
  it('saves versions when editing pauses and serves them to readers of the room only', async () => {
    const accountId = await newAccount('Versioned Inc')
    const a = await openRoom(accountId, alice)
    writeParagraph(a.doc, 'First draft of the plan.')
    await expect
      .poll(async () => (await history(accountId, alice)).body.items.find((v) => v.reason === 'pause'))
      .toMatchObject({ editors: [alice.id] })
    const [latest] = (await history(accountId, viewer)).body.items
    expect(latest).toBeDefined()
    const detail = await versionOf(accountId, latest?.id ?? '', viewer)
    expect(detail.status).toBe(200)
    expect(detail.body.notes.text).toBe('First draft of the plan.')
    expect(detail.body.notes.json.content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'First draft of the plan.' }] },
    ])
    expect(detail.body.fields).toMatchObject({ id: accountId, name: 'Versioned Inc' })
    // Another workspace never sees this room's versions.
    expect((await history(accountId, outsider)).body.items).toEqual([])
    expect((await versionOf(accountId, latest?.id ?? '', outsider)).status).toBe(404)
    // Unchanged room: no new version.
    const count = (await history(accountId, alice)).body.items.length
    await started.server.history.saveNow(roomName(accountId), 'pause')
    expect((await history(accountId, alice)).body.items).toHaveLength(count)
  })

  it('restore keeps the paragraphs both versions share, with their authors and a concurrent edit inside them', async () => {
    const accountId = await newAccount('Partly Restored Inc')
    const a = await openRoom(accountId, alice)
    writeParagraph(a.doc, 'Shared plan.')
    writeParagraph(a.doc, 'Old risk.')
    await expect
      .poll(async () => (await history(accountId, alice)).body.items.find((v) => v.reason === 'pause'))
      .toBeDefined()
    const [v1] = (await history(accountId, alice)).body.items as [VersionSummary]
    deleteBlock(a.doc, 1)
    writeParagraph(a.doc, 'New risk.')
    const b = await openRoom(accountId, bob)
    await expect.poll(() => notesText(b.doc)).toBe('Shared plan.\nNew risk.')
    // Sasha's offline replica adds to the shared paragraph while the restore runs; it syncs afterwards.
    const offline = new Y.Doc()
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(b.doc))
    const shared = offline.getText(NOTES_TEXT_FIELD)
    shared.insert(blockMarkers(shared)[1]?.index ?? shared.length, ' Agreed.', {})
    const restore = await api(started.url, `/api/accounts/${accountId}/history/${v1.id}/restore`, {
      method: 'POST',
      cookie: bob.cookie,
    })
    expect(restore.status).toBe(200)
    await expect.poll(() => notesText(a.doc)).toBe('Shared plan.\nOld risk.')
    await openRoom(accountId, bob, offline)
    await expect.poll(() => notesText(a.doc)).toBe('Shared plan. Agreed.\nOld risk.')
    const byText = new Map(runs(a.doc))
    expect(byText.get('Shared plan.')).toBe(a.doc.clientID)
    // Only what differs is written: "Old" (the rest of "New risk." keeps Alice's items).
    const restoredBy = byText.get('Old') ?? -1
    expect(restoredBy).not.toBe(a.doc.clientID)
    await expect.poll(() => authorOf(a.doc, restoredBy)).toBe(bob.id)
    expect(authorOf(a.doc, a.doc.clientID)).toBe(alice.id)
  })

  it('restores old notes as a new edit: a concurrent field edit and the rest of the room stay', async () => {
    const accountId = await newAccount('Restored Inc')
    const a = await openRoom(accountId, alice)
    writeParagraph(a.doc, 'Version one.')
    await expect
      .poll(async () => (await history(accountId, alice)).body.items.find((v) => v.reason === 'pause'))
      .toBeDefined()
    const v1 = (await history(accountId, alice)).body.items[0] as VersionSummary
    a.doc.transact(() => {
      const notes = a.doc.getText(NOTES_TEXT_FIELD)
      notes.delete(0, notes.length)
    })
    writeParagraph(a.doc, 'Version two, later.')
    const b = await openRoom(accountId, bob)
    await expect.poll(() => notesText(b.doc)).toBe('Version two, later.')
    const accounts: ConnectedProvider = await openProvider({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'account', accountId }),
      token: bob.token,
    })
    await expect.poll(() => accounts.doc.getMap(ACCOUNTS.name).has(accountId)).toBe(true)
    // Bob edits a field and adds a task while Alice restores.
    const fields = accounts.doc.getMap(ACCOUNTS.name).get(accountId) as Y.Map<unknown>
    accounts.doc.transact(() => fields.set('industry', 'Energy'))
    createTask(b.doc, { title: 'Call back' }, 'bob')
    expect(
      (
        await api(started.url, `/api/accounts/${accountId}/history/${v1.id}/restore`, {
          method: 'POST',
          cookie: viewer.cookie,
        })
      ).status,
    ).toBe(403)
    const restore = await api<{ restored: VersionSummary; before: VersionSummary | null }>(
      started.url,
      `/api/accounts/${accountId}/history/${v1.id}/restore`,
      { method: 'POST', cookie: alice.cookie },
    )
    expect(restore.status).toBe(200)
    await expect.poll(() => notesText(b.doc)).toBe('Version one.')
    await expect.poll(() => b.doc.getMap(TASKS.name).size).toBe(1)
    await expect.poll(() => (fields.toJSON() as { industry?: string }).industry).toBe('Energy')
    await expect
      .poll(
        async () =>
          (
            await api<{ industry: string }>(started.url, `/api/accounts/${accountId}`, {
              cookie: alice.cookie,
            })
          ).body.industry,
      )
      .toBe('Energy')
    // The restored text is a new edit attributed to Alice; the pre-restore state is a version; the timeline says so.
    // Only what differs is written (a character diff: "Version " and a few letters stay Alice's items).
    const [, client] = runs(b.doc).find(([, c]) => c !== a.doc.clientID) ?? [null, -1]
    expect(client).not.toBe(-1)
    await expect.poll(() => authorOf(b.doc, client)).toBe(alice.id)
    // The state before the restore is a version: the restore saves it ('before-restore') unless the pause timer
    // already saved exactly that state (a loaded machine can be slower than the 60 ms pause).
    if (restore.body.before) expect(restore.body.before.reason).toBe('before-restore')
    const texts: string[] = []
    for (const v of (await history(accountId, alice)).body.items) {
      texts.push((await versionOf(accountId, v.id, alice)).body.notes.text)
    }
    expect(texts).toContain('Version two, later.')
    await expect
      .poll(() =>
        (Object.values(b.doc.getMap(TIMELINE.name).toJSON()) as Activity[]).find((e) =>
          e.text.startsWith('restored'),
        ),
      )
      .toMatchObject({ type: 'note', actorId: alice.id, subject: { kind: 'notes', id: accountId } })
  })
})

describe('versions of a room holding notes text v2', () => {
  const paragraphs = (...lines: string[]): NotesNode => ({
    type: 'doc',
    content: lines.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
  })
  const textOf = (doc: Y.Doc): string => notesPlainText(doc.getText(NOTES_TEXT_FIELD))
  /** Which client wrote each kept character run of the text: [run, clientID]. */
  const textRuns = (doc: Y.Doc): Array<[string, number]> => {
    const out: Array<[string, number]> = []
    for (let item = doc.getText(NOTES_TEXT_FIELD)._start; item; item = item.right)
      if (!item.deleted && item.content instanceof Y.ContentString)
        out.push([item.content.str, item.id.client])
    return out
  }

  it('the version shows the v2 text (it wins over a stale fragment); restore edits only what differs', async () => {
    const accountId = await newAccount('Text Versioned Inc')
    const a = await openRoom(accountId, alice)
    // A fragment the text replaced (written by the server: a client's first fragment write would be migrated).
    const direct = await started.server.hocuspocus.openDirectConnection(roomName(accountId), { system: true })
    await direct.transact((doc) => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('Stale fragment text.')])
      doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    })
    await direct.disconnect()
    await expect.poll(() => a.doc.getXmlFragment(NOTES_FIELD).length).toBe(1)
    a.doc.transact(() =>
      writeDocToText(a.doc.getText(NOTES_TEXT_FIELD), paragraphs('Shared plan.', 'Old risk.')),
    )
    await expect
      .poll(async () => {
        const [latest] = (await history(accountId, alice)).body.items
        return latest ? (await versionOf(accountId, latest.id, alice)).body.notes.text : null
      })
      .toBe('Shared plan.\nOld risk.')
    const [v1] = (await history(accountId, alice)).body.items as [VersionSummary]
    expect((await versionOf(accountId, v1.id, alice)).body.notes.json).toEqual(
      paragraphs('Shared plan.', 'Old risk.'),
    )
    // Alice replaces "Old" by "New" in place.
    const text = a.doc.getText(NOTES_TEXT_FIELD)
    const at = textOf(a.doc).indexOf('Old risk.') + 1 // the first marker (the second stands where the line break is)
    a.doc.transact(() => {
      text.delete(at, 3)
      text.insert(at, 'New', {})
    })
    const b = await openRoom(accountId, bob)
    await expect.poll(() => textOf(b.doc)).toBe('Shared plan.\nNew risk.')
    const restore = await api(started.url, `/api/accounts/${accountId}/history/${v1.id}/restore`, {
      method: 'POST',
      cookie: bob.cookie,
    })
    expect(restore.status).toBe(200)
    await expect.poll(() => textOf(a.doc)).toBe('Shared plan.\nOld risk.')
    // Only "Old" is new text, by a server replica attributed to Bob; the rest keeps Alice's items.
    const byRun = textRuns(a.doc)
    const restoredBy = byRun.find(([run]) => run === 'Old')?.[1] ?? -1
    expect(restoredBy).not.toBe(a.doc.clientID)
    expect(
      byRun
        .filter(([, client]) => client === a.doc.clientID)
        .map(([run]) => run)
        .join(''),
    ).toBe('Shared plan. risk.')
    await expect.poll(() => authorOf(a.doc, restoredBy)).toBe(bob.id)
    // The fragment was not touched.
    expect(a.doc.getXmlFragment(NOTES_FIELD).toString()).toBe('<paragraph>Stale fragment text.</paragraph>')
  })
})
