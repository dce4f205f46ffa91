import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NOTES_TEXT_FIELD, notesPlainText } from '@rapport/model'
import { CURRENT_FORMAT, sqliteStore } from '@rapport/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, collabToken, login } from './helpers/clients.ts'
import { openDoc, openSyncedDoc } from './helpers/collabClient.ts'
import {
  buildFormatOneDataDir,
  DEMO_ADMIN,
  type FormatOneDataDir,
  recordCounts,
} from './helpers/formatOneDataDir.ts'
import { newDataDir, type ServerProcess, startServerProcess } from './helpers/startServer.ts'

const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The state as a fresh replica encodes it (the same bytes for the same Yjs content). */
const normalized = (state: Uint8Array): Uint8Array => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return Y.encodeStateAsUpdate(doc)
}

const filesUnder = async (dir: string, prefix = ''): Promise<string[]> => {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`
    if (entry.isDirectory()) out.push(...(await filesUnder(join(dir, entry.name), `${path}/`)))
    else out.push(path)
  }
  return out.sort()
}

/** Documents a later format step split into per-record documents (they are checked record by record). */
const isSplit = (name: string): boolean =>
  ['pipeline', 'contacts', 'support', 'accounts'].includes(name.split('/')[1] ?? '')

/** Every ticket of the fixture's support documents with its messages: ticket id → fields and messages (JSON). */
const fixtureTickets = (
  documents: Map<string, Uint8Array>,
): Map<string, { fields: Record<string, unknown>; messages: Record<string, Record<string, unknown>> }> => {
  const out = new Map<
    string,
    { fields: Record<string, unknown>; messages: Record<string, Record<string, unknown>> }
  >()
  for (const [name, state] of documents) {
    if (name.split('/')[1] !== 'support') continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state)
    for (const [id, fields] of Object.entries(doc.getMap('tickets').toJSON()))
      out.set(id, { fields: fields as Record<string, unknown>, messages: {} })
    for (const [id, message] of Object.entries(
      doc.getMap('ticketMessages').toJSON() as Record<string, Record<string, unknown>>,
    )) {
      const ticket = out.get(String(message.ticketId))
      if (ticket) ticket.messages[id] = message
    }
    doc.destroy()
  }
  return out
}

/** An account room: the accounts step merges the account's entry into it (checked: it keeps all it held). */
const isRoom = (name: string): boolean => name.split('/')[1] === 'account'

/** Every account of the fixture's accounts documents: account id → fields (JSON). */
const fixtureAccounts = (documents: Map<string, Uint8Array>): Map<string, Record<string, unknown>> => {
  const out = new Map<string, Record<string, unknown>>()
  for (const [name, state] of documents) {
    if (name.split('/')[1] !== 'accounts') continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state)
    for (const [id, fields] of Object.entries(doc.getMap('accounts').toJSON()))
      out.set(id, fields as Record<string, unknown>)
    doc.destroy()
  }
  return out
}

/** Every contact of the fixture's contacts documents: contact id → fields (JSON). */
const fixtureContacts = (documents: Map<string, Uint8Array>): Map<string, Record<string, unknown>> => {
  const out = new Map<string, Record<string, unknown>>()
  for (const [name, state] of documents) {
    if (name.split('/')[1] !== 'contacts') continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state)
    for (const [id, fields] of Object.entries(doc.getMap('contacts').toJSON()))
      out.set(id, fields as Record<string, unknown>)
    doc.destroy()
  }
  return out
}

/** Every deal of the fixture's pipeline documents: name of its pipeline document → deal id → fields (JSON). */
const fixtureDeals = (
  documents: Map<string, Uint8Array>,
): Map<string, Map<string, Record<string, unknown>>> => {
  const out = new Map<string, Map<string, Record<string, unknown>>>()
  for (const [name, state] of documents) {
    if (name.split('/')[1] !== 'pipeline') continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state)
    out.set(
      name,
      new Map(Object.entries(doc.getMap('deals').toJSON() as Record<string, Record<string, unknown>>)),
    )
    doc.destroy()
  }
  return out
}

const backupsIn = async (dataDir: string): Promise<string[]> =>
  (await readdir(dataDir)).filter((name) => name.startsWith('backup-v'))

describe('data directory migration, format 1 → 2 (lowdb files → documents.sqlite)', () => {
  let fixture: FormatOneDataDir
  let filesBefore: string[]
  let docFilesBefore: Map<string, Buffer>
  let proc: ServerProcess | null = null

  beforeAll(async () => {
    fixture = await buildFormatOneDataDir()
    cleanups.push(() => rm(fixture.dataDir, { recursive: true, force: true }))
    filesBefore = await filesUnder(fixture.dataDir)
    docFilesBefore = new Map()
    for (const file of filesBefore.filter((path) => path.startsWith('docs/'))) {
      docFilesBefore.set(file, await readFile(join(fixture.dataDir, file)))
    }
  }, 60_000)

  it('the fixture is today’s layout: documents as lowdb files, no format.json', async () => {
    expect(filesBefore).not.toContain('format.json')
    expect(filesBefore.some((file) => /^docs\/.+\.json$/.test(file))).toBe(true)
    expect(filesBefore).toContain('meta.json')
    expect(fixture.documents.size).toBeGreaterThan(60)
  })

  it('the first start migrates: a new client finds every document byte for byte and every record', async () => {
    const { dataDir, facts } = fixture
    proc = await startServerProcess(dataDir, { LOG_LEVEL: 'info' })
    cleanups.push(async () => proc?.kill('SIGKILL'))
    expect(proc.output()).toMatch(/backed up the data directory before migrating it/)
    expect(proc.output()).toMatch(/moved the documents into documents\.sqlite/)
    expect(JSON.parse(await readFile(join(dataDir, 'format.json'), 'utf8'))).toEqual({
      version: CURRENT_FORMAT,
    })
    const after = await readdir(dataDir)
    expect(after).toContain('documents.sqlite')
    expect(after).not.toContain('docs')
    expect(after).not.toContain('migrating.json')

    // The backup holds the old files, unchanged.
    const [backup] = await backupsIn(dataDir)
    expect(backup).toMatch(/^backup-v1-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/)
    const backupDir = join(dataDir, backup as string)
    expect(await filesUnder(backupDir)).toEqual(filesBefore)
    for (const [file, bytes] of docFilesBefore) {
      expect((await readFile(join(backupDir, file))).equals(bytes), file).toBe(true)
    }

    // A brand-new client of each document gets exactly the content the old store held.
    const cookie = await login(proc.url, DEMO_ADMIN.email, DEMO_ADMIN.password)
    const members = (
      await api<{ members: Array<{ userId: string; email: string }> }>(proc.url, '/api/members', { cookie })
    ).body.members
    const cookies = new Map<string, string>()
    const cookieFor = async (name: string): Promise<string> => {
      const inbox = /^[^/]+\/inbox\/(.+)$/.exec(name)?.[1]
      const email = inbox ? members.find((member) => member.userId === inbox)?.email : DEMO_ADMIN.email
      if (!email) throw new Error(`no member for ${name}`)
      let found = cookies.get(email)
      if (!found) {
        found = await login(proc?.url ?? '', email, DEMO_ADMIN.password)
        cookies.set(email, found)
      }
      return found
    }
    for (const [name, state] of fixture.documents) {
      // Split by a later step (checked record by record below).
      if (isSplit(name)) continue
      const owner = await cookieFor(name)
      const client = await openSyncedDoc({
        wsUrl: proc.wsUrl,
        name,
        token: () => collabToken(proc?.url ?? '', owner),
      })
      try {
        if (isRoom(name)) {
          // Everything the room held is still there (the step only added the account's entry).
          const missing = Y.decodeUpdate(Y.diffUpdate(state, Y.encodeStateVector(client.doc)))
          expect(missing.structs, name).toEqual([])
        } else
          expect(
            Buffer.from(Y.encodeStateAsUpdate(client.doc)).equals(Buffer.from(normalized(state))),
            name,
          ).toBe(true)
        if (name === `${facts.workspaceId}/account/${facts.accountId}`) {
          // The fragment of format 1 is kept as it was, and its notes are now the room's notes text (v2).
          expect(client.doc.getXmlFragment('notes').toString()).toContain(facts.noteText)
          expect(notesPlainText(client.doc.getText(NOTES_TEXT_FIELD))).toContain(facts.noteText)
        }
      } finally {
        client.destroy()
      }
    }

    // And through REST: every record, the timeline entry, the handoff, the ticket reply, the task, the custom field.
    const { url } = proc
    expect(await recordCounts(url, cookie)).toEqual(facts.counts)
    const account = await api<{ customFields: Record<string, unknown> }>(
      url,
      `/api/accounts/${facts.accountId}`,
      {
        cookie,
      },
    )
    expect(account.body.customFields[facts.customFieldId]).toBe(facts.customFieldValue)
    const timeline = await api<{ items: Array<{ id: string; text?: string }> }>(
      url,
      `/api/accounts/${facts.accountId}/timeline?limit=200`,
      { cookie },
    )
    expect(timeline.body.items.find((entry) => entry.id === facts.activityId)).toMatchObject({
      text: facts.activityOutcome,
    })
    const handoffs = await api<{ items: Array<{ id: string; status: string }> }>(
      url,
      `/api/accounts/${facts.accountId}/handoffs`,
      { cookie },
    )
    expect(handoffs.body.items.find((handoff) => handoff.id === facts.handoffId)).toMatchObject({
      status: 'sent',
    })
    const messages = await api<{ items: Array<{ id: string; body: string }> }>(
      url,
      `/api/tickets/${facts.ticketId}/messages`,
      { cookie },
    )
    expect(messages.body.items.find((message) => message.id === facts.ticketMessageId)).toMatchObject({
      body: facts.ticketReply,
    })
    const task = await api<{ title: string }>(url, `/api/tasks/${facts.taskId}`, { cookie })
    expect(task.body.title).toBe(facts.taskTitle)
    const archived = await api<{ archived: boolean }>(url, `/api/contacts/${facts.archivedContactId}`, {
      cookie,
    })
    expect(archived.body.archived).toBe(true)
    const search = await api<{ items: Array<{ kind: string }> }>(url, '/api/search?q=migration', { cookie })
    expect(search.body.items.some((hit) => hit.kind === 'notes')).toBe(true)

    // Deals (format step splitDeals): every deal of every pipeline document, field by field (custom-field entries
    // included), alone in its own document W/deal/D, in REST, and on its pipeline's board; the pipeline document is
    // retired (refused with document-retired).
    const pipelines = fixtureDeals(fixture.documents)
    expect(pipelines.size).toBeGreaterThan(0)
    let dealCount = 0
    for (const [pipelineDoc, deals] of pipelines) {
      const pipelineId = pipelineDoc.split('/')[2] as string
      const board = await openSyncedDoc({
        wsUrl: proc.wsUrl,
        name: `${facts.workspaceId}/board/${pipelineId}`,
        token: () => collabToken(url, cookie),
      })
      try {
        for (const [dealId, fields] of deals) {
          dealCount += 1
          const client = await openSyncedDoc({
            wsUrl: proc.wsUrl,
            name: `${facts.workspaceId}/deal/${dealId}`,
            token: () => collabToken(url, cookie),
          })
          try {
            const own = client.doc.getMap('deals').toJSON() as Record<string, Record<string, unknown>>
            expect(Object.keys(own), dealId).toEqual([dealId])
            expect(own[dealId], dealId).toEqual({ ...fields, pipelineId })
          } finally {
            client.destroy()
          }
          const rest = await api<Record<string, unknown>>(url, `/api/deals/${dealId}`, { cookie })
          expect(rest.status, dealId).toBe(200)
          for (const field of ['title', 'amount', 'currency', 'status', 'lostReason', 'position', 'ownerId'])
            expect(rest.body[field], `${dealId}.${field}`).toEqual(fields[field])
          const card = board.doc.getMap('pos').get(dealId) as unknown[] | undefined
          const position = fields.position as { column: string; key: string }
          if (fields.archived !== true && fields.status === 'open')
            expect(card?.slice(0, 3), dealId).toEqual([position.column, position.key, 'o'])
        }
      } finally {
        board.destroy()
      }
    }
    expect(dealCount).toBe(facts.counts.deals)
    const deal = await api<{ customFields: Record<string, unknown> }>(url, `/api/deals/${facts.dealId}`, {
      cookie,
    })
    expect(deal.body.customFields[facts.dealCustomFieldId]).toBe(facts.dealCustomFieldValue)
    const retired = openDoc({
      wsUrl: proc.wsUrl,
      name: [...pipelines.keys()][0] as string,
      token: () => collabToken(url, cookie),
    })
    const reason = await new Promise<string>((resolve) =>
      retired.provider.on('close', ({ event }: { event: { reason: string } }) => resolve(event.reason)),
    )
    retired.destroy()
    expect(reason).toBe('document-retired')
    expect(retired.doc.getMap('deals').size).toBe(0)

    // Contacts (format step splitContacts): every contact of W/contacts, field by field (custom-field entries
    // included), alone in its own document W/contact/C and in REST; W/contacts is retired.
    const contacts = fixtureContacts(fixture.documents)
    expect(contacts.size).toBe(facts.counts.contacts)
    for (const [contactId, fields] of contacts) {
      const client = await openSyncedDoc({
        wsUrl: proc.wsUrl,
        name: `${facts.workspaceId}/contact/${contactId}`,
        token: () => collabToken(url, cookie),
      })
      try {
        expect(client.doc.getMap('contacts').toJSON(), contactId).toEqual({ [contactId]: fields })
      } finally {
        client.destroy()
      }
      const rest = await api<Record<string, unknown>>(url, `/api/contacts/${contactId}`, { cookie })
      expect(rest.status, contactId).toBe(200)
      for (const field of Object.keys(fields).filter((key) => !key.startsWith('cf:')))
        expect(rest.body[field], `${contactId}.${field}`).toEqual(fields[field])
    }
    const badge = await api<{ customFields: Record<string, unknown>; archived: boolean }>(
      url,
      `/api/contacts/${facts.archivedContactId}`,
      { cookie },
    )
    expect(badge.body.customFields[facts.contactCustomFieldId]).toBe(facts.contactCustomFieldValue)
    expect(badge.body.archived).toBe(true)
    const retiredContacts = openDoc({
      wsUrl: proc.wsUrl,
      name: `${facts.workspaceId}/contacts`,
      token: () => collabToken(url, cookie),
    })
    const contactsReason = await new Promise<string>((resolve) =>
      retiredContacts.provider.on('close', ({ event }: { event: { reason: string } }) =>
        resolve(event.reason),
      ),
    )
    retiredContacts.destroy()
    expect(contactsReason).toBe('document-retired')
    expect(retiredContacts.doc.getMap('contacts').size).toBe(0)

    // Tickets (format step splitTickets): every ticket of W/support, field by field (custom-field entries included),
    // alone in its own document W/ticket/T with every message of it, field by field, and in REST; W/support is
    // retired.
    const tickets = fixtureTickets(fixture.documents)
    expect(tickets.size).toBe(facts.counts.tickets)
    const fixtureMessages = [...tickets.values()].flatMap(({ messages }) => Object.keys(messages))
    expect(fixtureMessages).toEqual(expect.arrayContaining([facts.ticketMessageId, facts.ticketNoteId]))
    for (const [ticketId, { fields, messages }] of tickets) {
      const client = await openSyncedDoc({
        wsUrl: proc.wsUrl,
        name: `${facts.workspaceId}/ticket/${ticketId}`,
        token: () => collabToken(url, cookie),
      })
      try {
        expect(client.doc.getMap('tickets').toJSON(), ticketId).toEqual({ [ticketId]: fields })
        expect(client.doc.getMap('ticketMessages').toJSON(), ticketId).toEqual(messages)
      } finally {
        client.destroy()
      }
      const rest = await api<Record<string, unknown>>(url, `/api/tickets/${ticketId}`, { cookie })
      expect(rest.status, ticketId).toBe(200)
      for (const field of Object.keys(fields).filter((key) => !key.startsWith('cf:')))
        expect(rest.body[field], `${ticketId}.${field}`).toEqual(fields[field])
      const thread = await api<{ items: Array<Record<string, unknown>> }>(
        url,
        `/api/tickets/${ticketId}/messages`,
        { cookie },
      )
      expect(thread.status, ticketId).toBe(200)
      expect(thread.body.items.map((message) => message.id).sort(), ticketId).toEqual(
        Object.keys(messages).sort(),
      )
      for (const message of thread.body.items) {
        const stored = messages[String(message.id)] ?? {}
        for (const field of Object.keys(stored))
          expect(message[field], `${ticketId}/${String(message.id)}.${field}`).toEqual(stored[field])
      }
    }
    const coded = await api<{ customFields: Record<string, unknown> }>(
      url,
      `/api/tickets/${facts.ticketId}`,
      {
        cookie,
      },
    )
    expect(coded.body.customFields[facts.ticketCustomFieldId]).toBe(facts.ticketCustomFieldValue)
    const retiredSupport = openDoc({
      wsUrl: proc.wsUrl,
      name: `${facts.workspaceId}/support`,
      token: () => collabToken(url, cookie),
    })
    const supportReason = await new Promise<string>((resolve) =>
      retiredSupport.provider.on('close', ({ event }: { event: { reason: string } }) =>
        resolve(event.reason),
      ),
    )
    retiredSupport.destroy()
    expect(supportReason).toBe('document-retired')
    expect(retiredSupport.doc.getMap('tickets').size).toBe(0)
    expect(retiredSupport.doc.getMap('ticketMessages').size).toBe(0)
    // Accounts (format step splitAccounts): every account of W/accounts, field by field (custom-field entries
    // included), alone in the accounts map of its room W/account/A and in REST; W/accounts is retired.
    const accounts = fixtureAccounts(fixture.documents)
    expect(accounts.size).toBe(facts.counts.accounts)
    for (const [accountId, fields] of accounts) {
      const client = await openSyncedDoc({
        wsUrl: proc.wsUrl,
        name: `${facts.workspaceId}/account/${accountId}`,
        token: () => collabToken(url, cookie),
      })
      try {
        expect(client.doc.getMap('accounts').toJSON(), accountId).toEqual({ [accountId]: fields })
      } finally {
        client.destroy()
      }
      const rest = await api<Record<string, unknown>>(url, `/api/accounts/${accountId}`, { cookie })
      expect(rest.status, accountId).toBe(200)
      for (const field of Object.keys(fields).filter((key) => !key.startsWith('cf:')))
        expect(rest.body[field], `${accountId}.${field}`).toEqual(fields[field])
    }
    const retiredAccounts = openDoc({
      wsUrl: proc.wsUrl,
      name: `${facts.workspaceId}/accounts`,
      token: () => collabToken(url, cookie),
    })
    const accountsReason = await new Promise<string>((resolve) =>
      retiredAccounts.provider.on('close', ({ event }: { event: { reason: string } }) =>
        resolve(event.reason),
      ),
    )
    retiredAccounts.destroy()
    expect(accountsReason).toBe('document-retired')
    expect(retiredAccounts.doc.getMap('accounts').size).toBe(0)
    expect(await proc.kill('SIGTERM'), proc.output()).toBe(0)
    proc = null
  }, 120_000)

  it('the second start does not migrate again, and the documents are in documents.sqlite', async () => {
    const { dataDir } = fixture
    const store = sqliteStore({ file: join(dataDir, 'documents.sqlite') })
    const stored = await store.list()
    await store.close()
    // Every document that was not split, and for the split ones their per-record documents (and the boards).
    const kept = [...fixture.documents.keys()].filter((name) => !isSplit(name))
    const deals = [...fixtureDeals(fixture.documents).values()].flatMap((byId) => [...byId.keys()])
    expect(stored.filter((name) => !/^[^/]+\/(deal|board|contact|ticket)\//.test(name))).toEqual(kept.sort())
    expect(stored.filter((name) => name.split('/')[1] === 'deal')).toEqual(
      deals.map((id) => `${fixture.facts.workspaceId}/deal/${id}`).sort(),
    )
    expect(stored.filter((name) => name.split('/')[1] === 'contact')).toEqual(
      [...fixtureContacts(fixture.documents).keys()]
        .map((id) => `${fixture.facts.workspaceId}/contact/${id}`)
        .sort(),
    )
    expect(stored.filter((name) => name.split('/')[1] === 'ticket')).toEqual(
      [...fixtureTickets(fixture.documents).keys()]
        .map((id) => `${fixture.facts.workspaceId}/ticket/${id}`)
        .sort(),
    )
    expect(stored.some((name) => isSplit(name))).toBe(false)
    // Every account has its room (most had one already; one missing is created).
    for (const id of fixtureAccounts(fixture.documents).keys())
      expect(stored).toContain(`${fixture.facts.workspaceId}/account/${id}`)
    proc = await startServerProcess(dataDir, { LOG_LEVEL: 'info' })
    // The migration's own log lines (storage/format.ts), not the `started` line's `startMs.migrate` timing, which
    // every start logs — right after the listening line this waits for, so it may or may not be read yet.
    expect(proc.output()).not.toMatch(
      /migrating the data directory|migrated the data directory|backed up the data/,
    )
    expect(await backupsIn(dataDir)).toHaveLength(1)
    expect(await proc.kill('SIGTERM'), proc.output()).toBe(0)
    proc = null
  }, 60_000)

  it('STORE=lowdb refuses a migrated directory instead of starting empty', async () => {
    await expect(startServerProcess(fixture.dataDir, { STORE: 'lowdb' })).rejects.toThrow(
      /format version \d+: its documents are in documents\.sqlite, which STORE=lowdb cannot read/,
    )
  }, 30_000)
})

describe('data format version', () => {
  it('a data directory claiming a newer version is refused with a plain message and left untouched', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    await writeFile(join(dataDir, 'format.json'), '{ "version": 99 }\n')
    const before = await filesUnder(dataDir)
    const refused = startServerProcess(dataDir)
    await expect(refused).rejects.toThrow(
      new RegExp(`format version 99, written by a newer Rapport; this version reads up to ${CURRENT_FORMAT}`),
    )
    await expect(refused).rejects.not.toThrow(/at .*\.ts:\d+/)
    expect(await filesUnder(dataDir)).toEqual(before)
  }, 30_000)

  it('a damaged format.json is refused, not overwritten', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    await writeFile(join(dataDir, 'format.json'), 'not json')
    await expect(startServerProcess(dataDir)).rejects.toThrow(/format\.json is damaged/)
    expect(await readFile(join(dataDir, 'format.json'), 'utf8')).toBe('not json')
  }, 30_000)
})
