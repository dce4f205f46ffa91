import { randomBytes } from 'node:crypto'
import {
  AUTHORS_MAP,
  authorAt,
  docName,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  notesTextToDoc,
  readAuthors,
  SETTINGS_FORMAT,
  settingsFormat,
} from '@rapport/model'
import { createLogger } from '@rapport/server'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import {
  type ConnectedProvider,
  collabToken,
  destroyProviders,
  openProvider,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import {
  newDataDir,
  serverRead as readOnServer,
  type StartedServer,
  startServer,
} from './helpers/startServer.ts'

// Issue #10, design 2 switched on: the server moves every room's notes from the y-prosemirror fragment (`notes`,
// `brief:<id>`) to notes text v2 (`notesText`, `briefText:<id>`, docs/schema.md §3.5.1) when the room loads, and
// when a client writes a fragment whose text is still empty; nothing is lost and who wrote what is kept.

const WS = 'ws_notesmig'
// One secret across restarts: the session cookie stays valid.
const SECRET = randomBytes(32).toString('base64url')
const MIGRATED = 'migrated notes to notes text v2'
const IGNORED = 'a client wrote a notes fragment the notes text replaced (a tab from before the upgrade?)'

interface Member {
  id: string
  token: () => Promise<string>
}

let dataDir: string
let started: StartedServer
let sales: Member
let counter = 0
const logLines: Record<string, unknown>[] = []

const roomName = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })

async function start(): Promise<StartedServer> {
  return startServer({
    dataDir,
    secrets: { session: SECRET },
    logger: createLogger({
      level: 'info',
      format: 'json',
      write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>),
    }),
  })
}

const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)

/** Notes as y-prosemirror writes them: a heading, a paragraph with bold text and a mention, a bullet list. */
function writeFragmentNotes(doc: Y.Doc, field = NOTES_FIELD): void {
  const heading = new Y.XmlElement('heading')
  heading.setAttribute('level', 2 as unknown as string)
  heading.insert(0, [new Y.XmlText('Call notes')])
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  const mention = new Y.XmlElement('mention')
  mention.setAttribute('id', sales.id)
  mention.setAttribute('label', 'Sam Sales')
  paragraph.insert(0, [text, mention])
  const list = new Y.XmlElement('bulletList')
  const item = new Y.XmlElement('listItem')
  const itemParagraph = new Y.XmlElement('paragraph')
  itemParagraph.insert(0, [new Y.XmlText('follow up')])
  item.insert(0, [itemParagraph])
  list.insert(0, [item])
  doc.getXmlFragment(field).insert(0, [heading, paragraph, list])
  text.insert(0, 'Budget is ')
  text.insert(10, 'approved', { bold: {} })
  text.insert(18, ' by ', {})
}

const EXPECTED_CONTENT = [
  { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Call notes' }] },
  {
    type: 'paragraph',
    content: [
      { type: 'text', text: 'Budget is ' },
      { type: 'text', marks: [{ type: 'bold' }], text: 'approved' },
      { type: 'text', text: ' by ' },
      { type: 'mention', attrs: expect.objectContaining({ id: expect.any(String), label: 'Sam Sales' }) },
    ],
  },
  {
    type: 'bulletList',
    content: [
      { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'follow up' }] }] },
    ],
  },
]

const textDoc = (doc: Y.Doc, field = NOTES_TEXT_FIELD) => notesTextToDoc(doc.getText(field)).content
const migrations = (name: string) =>
  logLines.filter((line) => line.msg === MIGRATED && line.documentName === name)

async function open(name: string): Promise<ConnectedProvider> {
  return openProvider({ wsUrl: started.wsUrl, name, token: sales.token })
}

beforeAll(async () => {
  dataDir = await newDataDir()
  started = await start()
  const user = await seedMember(started.server, {
    workspaceId: WS,
    email: 'sales@notesmig.test',
    role: 'sales',
  })
  const { cookie } = await signIn(started.url, user)
  // The port changes with each restart: ask the running server.
  sales = { id: user.id, token: () => collabToken(started.url, cookie) }
})

afterEach(() => destroyProviders())
afterAll(async () => {
  await started?.stop()
})

describe('notes move from the fragment to notes text v2', () => {
  it('a room stored with fragment notes (and a brief) holds them as text when it loads; the fragment stays', async () => {
    counter += 1
    const name = roomName(`acc_mig${counter}`)
    // Written as a data directory from before the switch holds it: the fragment only.
    const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
    await connection.transact((doc) => {
      writeFragmentNotes(doc)
      writeFragmentNotes(doc, 'brief:hof_old1')
    })
    await connection.disconnect()
    // The direct write is the server's: nothing migrated it while the room stayed loaded.
    expect(migrations(name)).toHaveLength(0)
    await started.stop({ keep: true })
    started = await start()

    const client = await open(name)
    expect(textDoc(client.doc)).toEqual(EXPECTED_CONTENT)
    expect(textDoc(client.doc, 'briefText:hof_old1')).toEqual(EXPECTED_CONTENT)
    expect(client.doc.getXmlFragment(NOTES_FIELD).length).toBe(3)
    expect(migrations(name)).toEqual([
      expect.objectContaining({ when: 'load', fields: ['notes', 'brief:hof_old1'] }),
    ])
    // Once: the next load finds the text and writes nothing.
    await started.stop({ keep: true })
    started = await start()
    expect(await serverRead(name, (doc) => textDoc(doc))).toEqual(EXPECTED_CONTENT)
    expect(migrations(name)).toHaveLength(1)
  })

  it('a client writing the first notes into a fragment: the server moves them to the text, attributed to the writer', async () => {
    counter += 1
    const name = roomName(`acc_mig${counter}`)
    const writer = await open(name)
    const other = await open(name)
    writer.doc.transact(() => writeFragmentNotes(writer.doc), 'client')

    for (const client of [writer, other])
      await vi.waitFor(() => expect(textDoc(client.doc)).toEqual(EXPECTED_CONTENT), { timeout: 5000 })
    expect(migrations(name)).toEqual([expect.objectContaining({ when: 'update', fields: ['notes'] })])

    // Every migrated character reads as the writer's (the server relays its copy to the original author).
    const authors = readAuthors(other.doc.getMap(AUTHORS_MAP))
    const text = other.doc.getText(NOTES_TEXT_FIELD)
    let characters = 0
    for (let item = text._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue
      const entry = authors.get(item.id.client)
      for (let i = 0; i < item.length; i++) {
        expect(entry && authorAt(entry, item.id.clock + i).userId).toBe(sales.id)
        characters++
      }
    }
    expect(characters).toBe('Call notesBudget is approved by follow up'.length)
  })

  it('a write to the fragment after the move is ignored and logged; the text stays as it was', async () => {
    counter += 1
    const name = roomName(`acc_mig${counter}`)
    const writer = await open(name)
    writer.doc.transact(() => writeFragmentNotes(writer.doc), 'client')
    await vi.waitFor(() => expect(textDoc(writer.doc)).toEqual(EXPECTED_CONTENT), { timeout: 5000 })

    const seen = logLines.filter((line) => line.msg === IGNORED).length
    writer.doc.transact(() => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('typed in an old tab')])
      writer.doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    }, 'client')
    await vi.waitFor(() => expect(logLines.filter((line) => line.msg === IGNORED).length).toBe(seen + 1), {
      timeout: 5000,
    })
    expect(logLines.filter((line) => line.msg === IGNORED).at(-1)).toMatchObject({
      level: 'warn',
      documentName: name,
      userId: sales.id,
      fields: ['notes'],
    })
    expect(await serverRead(name, (doc) => textDoc(doc))).toEqual(EXPECTED_CONTENT)
    expect(migrations(name)).toHaveLength(1)
  })

  it('the workspace document says format 4, so a tab from before the switch shows "Rapport was updated"', async () => {
    expect(SETTINGS_FORMAT).toBe(4)
    const workspace = await open(docName({ workspaceId: WS, kind: 'workspace' }))
    await vi.waitFor(() => expect(settingsFormat(workspace.doc)).toBe(4))
  })
})
