import {
  defaultPipelines,
  docName,
  initWorkspace,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type Pipeline,
  writeDocToText,
} from '@rapport/model'
import { parse } from 'csv-parse/sync'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_export'
const OTHER = 'ws_export_other'

let started: StartedServer
let pipeline: Pipeline
const cookies: Record<string, string> = {}

beforeAll(async () => {
  started = await startServer()
  for (const [key, workspaceId, role] of [
    ['admin', WS, 'admin'],
    ['sales', WS, 'sales'],
    ['support', WS, 'support'],
    ['outsider', OTHER, 'admin'],
  ] as const) {
    const user = await seedMember(started.server, {
      workspaceId,
      email: `${key}@export.test`,
      role,
      name: key,
    })
    cookies[key] = (await signIn(started.url, user)).cookie
  }
  for (const ws of [WS, OTHER]) {
    const connection = await started.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: ws, kind: 'workspace' }),
      { system: true },
    )
    await connection.transact((doc) => {
      const settings = initWorkspace(
        doc,
        { name: `Workspace ${ws}`, pipelines: defaultPipelines() },
        'test-setup',
      )
      if (ws === WS) pipeline = settings.pipelines[0] as Pipeline
    })
    await connection.disconnect()
  }
})
afterAll(() => started.stop())

type Json = Record<string, unknown> & { id: string }
type Answer = Json & { error?: { code: string; message: string } }
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
const download = (path: string, who: string) =>
  fetch(`${started.url}${path}`, { headers: { cookie: cookies[who] ?? '' } })
const rowsOf = (text: string): Array<Record<string, string>> => parse(text, { columns: true, bom: true })

/** Every item of a list route, page after page. */
async function listAll(path: string, who: string): Promise<Json[]> {
  const items: Json[] = []
  let cursor: string | null = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page: { body: { items: Json[]; nextCursor: string | null } } = await api(
      started.url,
      `${path}${sep}limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      { cookie: cookies[who] },
    )
    items.push(...page.body.items)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}

let acme: Json
let seats: string

describe('GET /api/<kind>/export.csv', () => {
  it('gives every row of the filtered, sorted list (beyond one page) with custom fields by their labels', async () => {
    const field = await send('/api/settings/custom-fields', 'admin', {
      label: 'Seats',
      entity: 'contact',
      type: 'number',
      options: [],
    })
    expect(field.status, JSON.stringify(field.body)).toBe(201)
    seats = field.body.id
    acme = await created('/api/accounts', 'sales', { name: 'Acme, "the" rockets', domain: 'acme.example' })
    for (let i = 0; i < 64; i++) {
      await created('/api/contacts', 'sales', {
        firstName: `Person ${String(i).padStart(2, '0')}`,
        lastName: i % 2 === 0 ? 'Even' : 'Odd, Jr.',
        email: `p${i}@acme.example`,
        leadStatus: i % 3 === 0 ? 'qualified' : 'new',
        accountId: i < 10 ? acme.id : null,
        title: i === 5 ? '=HYPERLINK("x")' : 'Line one\nline two',
        customFields: { [seats]: i },
      })
    }
    const query = 'leadStatus=new&sort=-firstName'
    const list = await listAll(`/api/contacts?${query}`, 'sales')
    expect(list.length).toBeGreaterThan(40)
    const response = await download(`/api/contacts/export.csv?${query}&limit=5&offset=3`, 'sales')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/,
    )
    const text = await response.text()
    const rows = rowsOf(text)
    expect(rows.map((r) => r.id)).toEqual(list.map((c) => c.id))
    const first = rows[0] as Record<string, string>
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining(['id', 'firstName', 'lastName', 'email', 'accountName', 'Seats']),
    )
    for (const row of rows) {
      const item = list.find((c) => c.id === row.id) as Json
      expect(row.lastName).toBe(item.lastName)
      expect(row.Seats).toBe(String((item.customFields as Record<string, number>)[seats]))
      expect(row.createdAt).toBe(new Date(item.createdAt as number).toISOString())
      expect(row.accountName).toBe(item.accountId ? 'Acme, "the" rockets' : '')
    }
    // Quoted line breaks survive; a formula is written as text.
    expect(rows.find((r) => r.firstName === 'Person 07')?.title).toBe('Line one\nline two')
    const formula = await download('/api/contacts/export.csv?q=Person 05', 'sales')
    expect(rowsOf(await formula.text()).map((r) => r.title)).toEqual([`'=HYPERLINK("x")`])
  })

  it('exports deals, tickets and tasks with their list filters, and answers bad queries in words', async () => {
    const stage = pipeline.stages[1]?.id as string
    const deal = await created('/api/deals', 'sales', {
      title: 'Rocket fuel',
      pipelineId: pipeline.id,
      stageId: stage,
      accountId: acme.id,
      amount: 5000,
      currency: 'EUR',
    })
    await created('/api/tickets', 'support', { subject: 'Leaky valve', accountId: acme.id, priority: 'high' })
    await created('/api/tasks', 'sales', { accountId: acme.id, title: 'Ship the fuel', dealId: deal.id })
    const deals = rowsOf(await (await download(`/api/deals/export.csv?stage=${stage}`, 'sales')).text())
    expect(deals.map((d) => [d.title, d.stage, d.amount, d.currency])).toEqual([
      ['Rocket fuel', stage, '5000', 'EUR'],
    ])
    const tickets = rowsOf(await (await download('/api/tickets/export.csv?priority=high', 'support')).text())
    expect(tickets.map((t) => [t.subject, t.status])).toEqual([['Leaky valve', 'new']])
    const tasks = rowsOf(await (await download(`/api/tasks/export.csv?dealId=${deal.id}`, 'sales')).text())
    expect(tasks.map((t) => [t.title, t.accountId])).toEqual([['Ship the fuel', acme.id]])

    const bad = await download('/api/contacts/export.csv?sort=password', 'sales')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as Answer).error?.code).toBe('invalid_input')
    expect((await fetch(`${started.url}/api/contacts/export.csv`)).status).toBe(401)
    const other = rowsOf(await (await download('/api/contacts/export.csv', 'outsider')).text())
    expect(other).toEqual([])
  })
})

describe('GET /api/export', () => {
  it('zips the workspace: every record, members without secrets, timeline, notes and one CSV per kind', async () => {
    const connection = await started.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: WS, kind: 'account', accountId: acme.id }),
      { system: true },
    )
    await connection.transact((doc) => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('Acme prefers calls on Tuesdays.')])
      doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
    })
    await connection.disconnect()
    expect((await download('/api/export', 'sales')).status).toBe(403)

    const response = await download('/api/export', 'admin')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()))
    expect(Object.keys(files).sort()).toEqual(
      [
        'workspace.json',
        'timeline.json',
        `notes/${acme.id}.txt`,
        'accounts.csv',
        'contacts.csv',
        'deals.csv',
        'tickets.csv',
        'tasks.csv',
      ].sort(),
    )
    const text = (name: string) => new TextDecoder().decode(files[name])
    const workspace = JSON.parse(text('workspace.json'))
    expect(workspace.workspace).toEqual({ id: WS, name: `Workspace ${WS}` })
    expect(workspace.records.contacts).toHaveLength(64)
    expect(workspace.records.accounts.map((a: Json) => a.id)).toEqual([acme.id])
    expect(workspace.records.deals).toHaveLength(1)
    expect(workspace.records.tickets).toHaveLength(1)
    expect(workspace.records.tasks).toHaveLength(1)
    expect(workspace.settings.customFields.map((f: Json) => f.label)).toEqual(['Seats'])
    expect(workspace.members.map((m: Json) => m.name).sort()).toEqual(['admin', 'sales', 'support'])
    expect(JSON.stringify(workspace.members)).not.toMatch(/password|hash|token/i)
    const timeline = JSON.parse(text('timeline.json'))
    expect(Object.keys(timeline)).toEqual([acme.id])
    expect(timeline[acme.id].map((e: { text: string }) => e.text)).toEqual(
      expect.arrayContaining([expect.stringContaining('Rocket fuel')]),
    )
    expect(text(`notes/${acme.id}.txt`)).toBe('Acme prefers calls on Tuesdays.')
    expect(rowsOf(text('contacts.csv'))).toHaveLength(64)
    expect(JSON.stringify(workspace)).not.toContain(OTHER)
  })
})

describe('GET /api/export, notes text v2', () => {
  it("a room's notes text v2 is exported (it wins over the fragment the room still holds)", async () => {
    const connection = await started.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: WS, kind: 'account', accountId: acme.id }),
      { system: true },
    )
    await connection.transact((doc) => {
      if (doc.getXmlFragment(NOTES_FIELD).length === 0) {
        const paragraph = new Y.XmlElement('paragraph')
        paragraph.insert(0, [new Y.XmlText('Old fragment notes.')])
        doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
      }
      writeDocToText(doc.getText(NOTES_TEXT_FIELD), {
        type: 'doc',
        content: [
          { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Call plan' }] },
          {
            type: 'paragraph',
            content: [
              { type: 'text', text: 'Ask ' },
              { type: 'mention', attrs: { id: 'usr_x', label: 'Dana' } },
              { type: 'text', text: ' on Tuesdays.', marks: [{ type: 'bold' }] },
            ],
          },
        ],
      })
    })
    await connection.disconnect()
    const response = await download('/api/export', 'admin')
    expect(response.status).toBe(200)
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()))
    expect(new TextDecoder().decode(files[`notes/${acme.id}.txt`])).toBe('Call plan\nAsk @Dana on Tuesdays.')
  })
})

describe('contact export and erasure', () => {
  it('exports everything about a contact, then erases it: links cleared, timeline without personal data', async () => {
    const jane = await created('/api/contacts', 'sales', {
      firstName: 'Jane',
      lastName: 'Privacy',
      email: 'jane.privacy@acme.example',
      phone: '+49 30 1234567',
      accountId: acme.id,
    })
    const deal = await created('/api/deals', 'sales', {
      title: 'Jane deal',
      pipelineId: pipeline.id,
      stageId: pipeline.stages[0]?.id,
      accountId: acme.id,
      contactIds: [jane.id],
      amount: 10,
      currency: 'EUR',
    })
    const ticket = await created('/api/tickets', 'support', {
      subject: 'Jane asks',
      accountId: acme.id,
      contactId: jane.id,
    })
    expect(
      (await send(`/api/tickets/${ticket.id}/messages`, 'support', { kind: 'reply', body: 'Hello Jane' }))
        .status,
    ).toBe(201)
    const task = await created('/api/tasks', 'sales', {
      accountId: acme.id,
      title: 'Call Jane',
      contactId: jane.id,
    })
    const call = await created(`/api/accounts/${acme.id}/activities`, 'sales', {
      type: 'call',
      at: Date.now() - 1000,
      outcome: 'Jane wants a demo',
      contactIds: [jane.id],
    })
    await send(`/api/contacts/${jane.id}`, 'sales', { title: 'Data officer' }, 'PATCH')

    const exported = await send(`/api/contacts/${jane.id}/export`, 'sales')
    expect(exported.status).toBe(200)
    const body = exported.body as unknown as {
      contact: Json
      account: Json
      deals: Json[]
      tickets: Array<Json & { messages: Json[] }>
      tasks: Json[]
      timeline: Json[]
    }
    expect(body.contact).toMatchObject({
      id: jane.id,
      email: 'jane.privacy@acme.example',
      title: 'Data officer',
    })
    expect(body.account).toEqual({ id: acme.id, name: 'Acme, "the" rockets' })
    expect(body.deals.map((d) => d.id)).toEqual([deal.id])
    expect(body.tickets.map((t) => [t.id, t.messages.length])).toEqual([[ticket.id, 1]])
    expect(body.tasks.map((t) => t.id)).toEqual([task.id])
    expect(body.timeline.map((e) => e.id)).toContain(call.id)
    expect(JSON.stringify(body.timeline)).toContain('Data officer')
    expect((await send(`/api/contacts/${jane.id}/export`, 'outsider')).status).toBe(404)

    expect((await send(`/api/contacts/${jane.id}/erase`, 'sales', undefined, 'POST')).status).toBe(403)
    const erased = await send(`/api/contacts/${jane.id}/erase`, 'admin', undefined, 'POST')
    expect(erased.status, JSON.stringify(erased.body)).toBe(200)
    expect(erased.body).toMatchObject({
      erased: { id: jane.id },
      unlinked: { tickets: 1, deals: 1, tasks: 1 },
    })

    expect((await send(`/api/contacts/${jane.id}`, 'sales')).status).toBe(404)
    expect((await send(`/api/deals/${deal.id}`, 'sales')).body.contactIds).toEqual([])
    expect((await send(`/api/tickets/${ticket.id}`, 'support')).body.contactId).toBeNull()
    expect((await send(`/api/tasks/${task.id}`, 'sales')).body.contactId).toBeNull()
    const timeline = await api<{ items: Array<Json & { text: string; subject: Json }> }>(
      started.url,
      `/api/accounts/${acme.id}/timeline?limit=200`,
      { cookie: cookies.admin },
    )
    const all = JSON.stringify(timeline.body.items)
    for (const personal of ['jane.privacy', 'Privacy', '1234567', 'Data officer'])
      expect(all).not.toContain(personal)
    // Notes and logged activities keep their text; the erasure is recorded without personal data.
    expect(timeline.body.items.find((e) => e.id === call.id)?.text).toBe('Jane wants a demo')
    expect(timeline.body.items.map((e) => e.text)).toContain(
      'erased a contact on request: the record and its personal fields were removed',
    )
    expect((await send(`/api/contacts/${jane.id}/erase`, 'admin', undefined, 'POST')).status).toBe(404)
    const search = await api<{ items: Json[] }>(started.url, '/api/search?q=Privacy', {
      cookie: cookies.admin,
    })
    expect(search.body.items).toEqual([])
    const dupes = await send('/api/duplicates/check', 'admin', {
      kind: 'contacts',
      record: { email: 'jane.privacy@acme.example' },
    })
    expect(dupes.body.matches).toEqual([])
  })
})
