import {
  CONTACTS,
  Contact,
  collectionMap,
  defaultPipelines,
  docName,
  initWorkspace,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesTextToDoc,
  type Pipeline,
  readRecord,
  updateContact,
  writeDocToText,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { serverRead as readOnServer, type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_merge'
const OTHER = 'ws_merge_other'

let started: StartedServer
let pipeline: Pipeline
const cookies: Record<string, string> = {}
const tokens: Record<string, () => Promise<string>> = {}
const clients: CollabClient[] = []

beforeAll(async () => {
  started = await startServer()
  for (const [key, workspaceId, role] of [
    ['admin', WS, 'admin'],
    ['sales', WS, 'sales'],
    ['viewer', WS, 'viewer'],
    ['outsider', OTHER, 'admin'],
  ] as const) {
    const user = await seedMember(started.server, { workspaceId, email: `${key}@merge.test`, role })
    const signed = await signIn(started.url, user)
    cookies[key] = signed.cookie
    tokens[key] = signed.token
  }
  for (const ws of [WS, OTHER]) {
    const connection = await started.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: ws, kind: 'workspace' }),
      { system: true },
    )
    await connection.transact((doc) => {
      const settings = initWorkspace(doc, { name: ws, pipelines: defaultPipelines() }, 'test-setup')
      if (ws === WS) pipeline = settings.pipelines[0] as Pipeline
    })
    await connection.disconnect()
  }
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

type Json = Record<string, unknown> & { id: string }
type Answer = Json & { error?: { code: string; message: string }; survivor?: Json }
const send = (path: string, who: string, body?: unknown, method?: string) =>
  api<Answer>(started.url, path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    cookie: cookies[who],
    body,
  })
const created = async (path: string, who: string, body: unknown): Promise<Json> => {
  const response = await send(path, who, body)
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response.body
}

/** The server's copy of a document, read through a direct connection. */
const serverRead = <T>(name: string, read: (doc: Y.Doc) => T): Promise<T> => readOnServer(started, name, read)
const room = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })
const notesOf = (accountId: string) =>
  serverRead(room(accountId), (doc) => doc.getXmlFragment(NOTES_FIELD).toString())

async function writeNotes(accountId: string, text: string): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(room(accountId), { system: true })
  await connection.transact((doc) => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    const fragment = doc.getXmlFragment(NOTES_FIELD)
    fragment.insert(fragment.length, [paragraph])
  })
  await connection.disconnect()
}

/** Writes notes text v2 into an account room whose text is empty. */
async function writeNotesText(accountId: string, doc: NotesNode): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(room(accountId), { system: true })
  await connection.transact((d) => writeDocToText(d.getText(NOTES_TEXT_FIELD), doc))
  await connection.disconnect()
}
const paragraph = (text: string): NotesNode => ({ type: 'paragraph', content: [{ type: 'text', text }] })
const textDocOf = (accountId: string) =>
  serverRead(room(accountId), (doc) => notesTextToDoc(doc.getText(NOTES_TEXT_FIELD)))

describe('POST /api/merges — accounts with notes text v2', () => {
  const mergePair = async (survivorName: string, mergedName: string) => {
    const survivor = await created('/api/accounts', 'sales', { name: survivorName })
    const merged = await created('/api/accounts', 'sales', { name: mergedName })
    return { survivor, merged }
  }
  const merge = async (survivorId: unknown, mergedId: unknown) => {
    const answer = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId,
      mergedId,
      fields: { name: 'survivor' },
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  }
  const loserBlocks: NotesNode[] = [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Loser plan' }] },
    {
      type: 'bulletList',
      content: [
        {
          type: 'listItem',
          content: [
            { type: 'paragraph', content: [{ type: 'text', text: 'bold item', marks: [{ type: 'bold' }] }] },
          ],
        },
      ],
    },
  ]

  it("survivor on v2: the loser's blocks (v2 or fragment) are appended to its text as new blocks, its own text untouched", async () => {
    const one = await mergePair('Text Survivor', 'Text Loser')
    await writeNotesText(String(one.survivor.id), {
      type: 'doc',
      content: [paragraph('Survivor text stays first.')],
    })
    await writeNotesText(String(one.merged.id), { type: 'doc', content: loserBlocks })
    const before = await serverRead(room(String(one.survivor.id)), (doc) =>
      doc.getText(NOTES_TEXT_FIELD).toDelta(),
    )
    await merge(one.survivor.id, one.merged.id)
    const doc = await textDocOf(String(one.survivor.id))
    expect(doc.content).toEqual([
      paragraph('Survivor text stays first.'),
      paragraph('Notes merged from Text Loser:'),
      ...loserBlocks,
    ])
    const after = await serverRead(room(String(one.survivor.id)), (d) =>
      d.getText(NOTES_TEXT_FIELD).toDelta(),
    )
    expect(after.slice(0, before.length)).toEqual(before)
    // The survivor's fragment was not written (v2 wins).
    expect(await notesOf(String(one.survivor.id))).toBe('')

    const two = await mergePair('Text Survivor Two', 'Fragment Loser')
    await writeNotesText(String(two.survivor.id), { type: 'doc', content: [paragraph('Survivor text.')] })
    await writeNotes(String(two.merged.id), 'Fragment loser notes.')
    await merge(two.survivor.id, two.merged.id)
    expect((await textDocOf(String(two.survivor.id))).content).toEqual([
      paragraph('Survivor text.'),
      paragraph('Notes merged from Fragment Loser:'),
      paragraph('Fragment loser notes.'),
    ])
  })

  it("survivor with no notes at all: the loser's blocks go to its text (rooms hold notes as text now)", async () => {
    const { survivor, merged } = await mergePair('Empty Survivor', 'Text Loser Three')
    await writeNotesText(String(merged.id), { type: 'doc', content: loserBlocks })
    await merge(survivor.id, merged.id)
    expect((await textDocOf(String(survivor.id))).content).toEqual([
      paragraph('Notes merged from Text Loser Three:'),
      ...loserBlocks,
    ])
    expect(await notesOf(String(survivor.id))).toBe('')
  })

  it("survivor on the fragment, loser on v2: the loser's blocks become fragment elements", async () => {
    const { survivor, merged } = await mergePair('Fragment Survivor', 'Text Loser Two')
    await writeNotes(String(survivor.id), 'Survivor fragment notes.')
    await writeNotesText(String(merged.id), { type: 'doc', content: loserBlocks })
    await merge(survivor.id, merged.id)
    const notes = await notesOf(String(survivor.id))
    expect(notes).toBe(
      '<paragraph>Survivor fragment notes.</paragraph><paragraph>Notes merged from Text Loser Two:</paragraph>' +
        '<heading level="2">Loser plan</heading>' +
        '<bulletlist><listitem><paragraph><bold>bold item</bold></paragraph></listitem></bulletlist>',
    )
    // (toString lowercases names: the element is y-tiptap's `bulletList`.)
    expect(
      await serverRead(
        room(String(survivor.id)),
        (doc) => (doc.getXmlFragment(NOTES_FIELD).get(3) as Y.XmlElement).nodeName,
      ),
    ).toBe('bulletList')
    expect(await serverRead(room(String(survivor.id)), (doc) => doc.getText(NOTES_TEXT_FIELD).length)).toBe(0)
  })
})

describe('POST /api/merges — accounts', () => {
  it('moves contacts, deals, tickets, tasks, timeline and notes to the survivor and records the merge', async () => {
    const survivor = await created('/api/accounts', 'sales', {
      name: 'Northwind',
      website: 'northwind.example',
    })
    const merged = await created('/api/accounts', 'sales', {
      name: 'Northwind Traders',
      phone: '+1 206 555 0100',
      city: 'Seattle',
    })
    const contact = await created('/api/contacts', 'sales', {
      firstName: 'Nancy',
      lastName: 'Davolio',
      accountId: merged.id,
    })
    const stage = pipeline.stages[0]?.id as string
    const deal = await created('/api/deals', 'sales', {
      title: 'Chai order',
      pipelineId: pipeline.id,
      stageId: stage,
      accountId: merged.id,
      amount: 1200,
      currency: 'USD',
    })
    const ticket = await created('/api/tickets', 'admin', { subject: 'Late delivery', accountId: merged.id })
    const task = await created('/api/tasks', 'sales', { accountId: merged.id, title: 'Call Nancy back' })
    const call = await created(`/api/accounts/${merged.id}/activities`, 'sales', {
      type: 'call',
      at: Date.now() - 60_000,
      outcome: 'Talked about the chai order',
    })
    await writeNotes(survivor.id, 'Survivor notes stay first.')
    await writeNotes(merged.id, 'Merged notes: prefers email.')

    const answer = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId: survivor.id,
      mergedId: merged.id,
      fields: { name: 'survivor', phone: 'merged' },
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    // Chosen: phone from the merged account; not named and empty on the survivor: city is filled from it too.
    expect(answer.body.survivor).toMatchObject({
      id: survivor.id,
      name: 'Northwind',
      phone: '+1 206 555 0100',
      city: 'Seattle',
      website: 'northwind.example',
    })

    expect((await send(`/api/contacts/${contact.id}`, 'sales')).body.accountId).toBe(survivor.id)
    expect((await send(`/api/deals/${deal.id}`, 'sales')).body.accountId).toBe(survivor.id)
    expect((await send(`/api/tickets/${ticket.id}`, 'admin')).body.accountId).toBe(survivor.id)
    const tasks = await api<{ items: Json[] }>(started.url, `/api/tasks?accountId=${survivor.id}`, {
      cookie: cookies.sales,
    })
    expect(tasks.body.items.map((t) => t.title)).toEqual(['Call Nancy back'])
    const left = await api<{ items: Json[] }>(started.url, `/api/tasks?accountId=${merged.id}&archived=all`, {
      cookie: cookies.sales,
    })
    expect(left.body.items).toEqual([])
    expect((await send(`/api/tasks/${task.id}`, 'sales')).status).toBe(404)

    const timeline = await api<{ items: Array<Json & { text: string; type: string }> }>(
      started.url,
      `/api/accounts/${survivor.id}/timeline?limit=100`,
      { cookie: cookies.sales },
    )
    expect(timeline.body.items.map((e) => e.id)).toContain(call.id)
    const entry = timeline.body.items.find((e) => e.text.startsWith('Merged account'))
    expect(entry?.text).toBe(`Merged account Northwind Traders (${merged.id}) into Northwind`)
    expect(entry?.changes).toEqual(
      expect.arrayContaining([{ field: 'phone', before: '', after: '+1 206 555 0100' }]),
    )

    const notes = await notesOf(survivor.id)
    expect(notes.indexOf('Survivor notes stay first.')).toBeGreaterThanOrEqual(0)
    expect(notes.indexOf('Notes merged from Northwind Traders:')).toBeGreaterThan(
      notes.indexOf('Survivor notes'),
    )
    expect(notes.indexOf('Merged notes: prefers email.')).toBeGreaterThan(notes.indexOf('Notes merged from'))

    const gone = await send(`/api/accounts/${merged.id}`, 'sales')
    expect(gone.body.archived).toBe(true)
    const pointer = await send(`/api/merges/${merged.id}`, 'viewer')
    expect(pointer.body).toMatchObject({
      merge: { kind: 'accounts', mergedId: merged.id, mergedInto: survivor.id, survivorId: survivor.id },
    })
    expect((await send(`/api/merges/${survivor.id}`, 'sales')).status).toBe(404)
    expect((await send(`/api/merges/${merged.id}`, 'outsider')).status).toBe(404)
    const again = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId: survivor.id,
      mergedId: merged.id,
    })
    expect(again.status).toBe(409)
    expect(again.body.error?.message).toContain('already merged into')
    const reverse = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId: merged.id,
      mergedId: survivor.id,
    })
    expect(reverse.status).toBe(409)
  })

  it('refuses bad input, the wrong role, archived records and another workspace in plain words', async () => {
    const a = await created('/api/accounts', 'sales', { name: 'Alpha' })
    const b = await created('/api/accounts', 'sales', { name: 'Alpha Two' })
    // Two merges of one record at once (a double click): one runs, the other is refused in words.
    const c = await created('/api/accounts', 'sales', { name: 'Alpha Three' })
    const both = await Promise.all([
      send('/api/merges', 'sales', { kind: 'accounts', survivorId: a.id, mergedId: c.id }),
      send('/api/merges', 'sales', { kind: 'accounts', survivorId: a.id, mergedId: c.id }),
    ])
    expect(both.map((r) => r.status).sort()).toEqual([200, 409])
    const same = await send('/api/merges', 'sales', { kind: 'accounts', survivorId: a.id, mergedId: a.id })
    expect(same.status).toBe(400)
    const field = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId: a.id,
      mergedId: b.id,
      fields: { password: 'merged' },
    })
    expect(field.status).toBe(400)
    expect(field.body.error?.message).toContain('password is not a field of accounts')
    expect(
      (await send('/api/merges', 'viewer', { kind: 'accounts', survivorId: a.id, mergedId: b.id })).status,
    ).toBe(403)
    const foreign = await send('/api/merges', 'outsider', {
      kind: 'accounts',
      survivorId: a.id,
      mergedId: b.id,
    })
    expect(foreign.status).toBe(404)
    expect((await send(`/api/accounts/${b.id}/archive`, 'sales', undefined, 'POST')).status).toBe(200)
    const archived = await send('/api/merges', 'sales', {
      kind: 'accounts',
      survivorId: a.id,
      mergedId: b.id,
    })
    expect(archived.status).toBe(409)
    expect(archived.body.error?.message).toContain('is archived')
    expect((await send(`/api/accounts/${a.id}`, 'sales')).body.name).toBe('Alpha')
  })
})

describe('POST /api/merges — contacts while others edit', () => {
  it('keeps a survivor edit made during the merge and a merged-record edit made just before it', async () => {
    const account = await created('/api/accounts', 'sales', { name: 'Edit Race Ltd' })
    const s = await created('/api/contacts', 'sales', {
      firstName: 'Ann',
      lastName: 'Lee',
      email: 'ann@race.example',
      accountId: account.id,
    })
    const m = await created('/api/contacts', 'sales', {
      firstName: 'Ann',
      lastName: 'Lee',
      email: 'ann.lee@race.example',
    })
    const ticket = await created('/api/tickets', 'admin', { subject: 'Help', contactId: m.id })
    const task = await created('/api/tasks', 'sales', {
      accountId: account.id,
      title: 'Send Ann the deck',
      contactId: m.id,
    })

    const contactDoc = (id: string) => docName({ workspaceId: WS, kind: 'contact', contactId: id })
    const onSurvivor = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: contactDoc(s.id),
      token: tokens.sales,
    })
    const onMerged = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: contactDoc(m.id),
      token: tokens.sales,
    })
    clients.push(onSurvivor, onMerged)

    // The merged record gets a phone number just before the merge; the survivor a title while it runs.
    updateContact(onMerged.doc, m.id, { phone: '+1 555 0100' }, 'client')
    await waitForAcked(onMerged)
    const merging = send('/api/merges', 'sales', {
      kind: 'contacts',
      survivorId: s.id,
      mergedId: m.id,
      fields: { email: 'merged' },
    })
    updateContact(onSurvivor.doc, s.id, { title: 'CTO' }, 'client')
    const answer = await merging
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    await waitForAcked(onSurvivor)

    const expected = {
      title: 'CTO',
      email: 'ann.lee@race.example',
      phone: '+1 555 0100',
      accountId: account.id,
    }
    await vi.waitFor(async () =>
      expect((await send(`/api/contacts/${s.id}`, 'sales')).body).toMatchObject(expected),
    )
    // The editing client converges on the same record.
    await vi.waitFor(() =>
      expect(readRecord(collectionMap(onSurvivor.doc, CONTACTS), s.id, Contact)).toMatchObject(expected),
    )
    expect((await send(`/api/tickets/${ticket.id}`, 'admin')).body.contactId).toBe(s.id)
    expect((await send(`/api/tasks/${task.id}`, 'sales')).body.contactId).toBe(s.id)
    await vi.waitFor(() =>
      expect(readRecord(collectionMap(onMerged.doc, CONTACTS), m.id, Contact)?.archived).toBe(true),
    )

    // An edit reaching the merged record after the merge stays on the archived record; the survivor keeps its value.
    updateContact(onMerged.doc, m.id, { title: 'Late edit' }, 'client')
    await waitForAcked(onMerged)
    await vi.waitFor(async () =>
      expect((await send(`/api/contacts/${m.id}`, 'sales')).body).toMatchObject({
        archived: true,
        title: 'Late edit',
      }),
    )
    expect((await send(`/api/contacts/${s.id}`, 'sales')).body.title).toBe('CTO')

    const timeline = await api<{ items: Array<Json & { text: string }> }>(
      started.url,
      `/api/accounts/${account.id}/timeline?limit=100`,
      { cookie: cookies.sales },
    )
    expect(timeline.body.items.map((e) => e.text)).toContain(`Merged contact Ann Lee (${m.id}) into Ann Lee`)
    // Nothing of this workspace in the other one.
    const other = await api<{ items: Json[] }>(started.url, '/api/contacts', { cookie: cookies.outsider })
    expect(other.body.items).toEqual([])
  })
})
