import { dropPostgresIndexSchema } from '@rapport/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { api } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'
import { type TestMember, testAdmin } from './helpers/testWorkspace.ts'

/*
 * Issue #14, an import's duplicate rules through the index: every rule (email, domain, name, a chosen column or
 * custom field) is looked up per batch — no rule reads every record of the kind — and a lookup finds exactly what
 * comparing the rule's key one record at a time finds: a domain without a dot or written as a web address, and a
 * value many records share. The same holds for the rows' links (an account by domain or name, a contact by email).
 */

interface ImportStatus {
  id: string
  status: string
  created: number
  updated: number
  skipped: number
  failed: number
}
interface PreviewRow {
  row: number
  duplicateOf: { id: string; label: string } | null
}

let s: StartedServer
let admin: TestMember
/**
 * The record kinds the index listed whole (`list` without a filter or text query) since the last reset: an import
 * must not read every record of its kind (a ticket import still reads its status column's last card, filtered).
 */
let listed: string[]

/** The server on `store`'s record index, its admin, and a spy on the index's `list` (see `listed`). */
function onStore(store: 'SQLite' | 'PostgreSQL'): void {
  const schema = `rapport_im_${process.pid}_${Date.now().toString(36)}`
  beforeAll(async () => {
    s = await startServer(store === 'PostgreSQL' ? { index: { kind: 'postgres', schema } } : {})
    admin = await testAdmin(s.server, s.url)
    listed = []
    const index = s.server.index.index
    const list = index.list.bind(index)
    vi.spyOn(index, 'list').mockImplementation((workspaceId, kind, query) => {
      if (!query.q && Object.values(query.filters ?? {}).every((v) => v === undefined)) listed.push(kind)
      return list(workspaceId, kind, query)
    })
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await s?.stop()
    if (store === 'PostgreSQL') await dropPostgresIndexSchema(schema)
  })
}

async function create(kind: string, body: Record<string, unknown>): Promise<string> {
  const created = await api<{ id: string }>(s.url, `/api/${kind}`, { cookie: admin.cookie, body })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return created.body.id
}

type Duplicates = { policy: 'skip' | 'update' | 'create'; matchOn: string; column?: string }

/** Uploads `csv`, previews it and runs it with `duplicates`: the preview's matches and the job's counts. */
async function importCsv(
  kind: string,
  csv: string,
  mapping: Record<string, string>,
  duplicates: Duplicates,
): Promise<{ preview: Array<string | null>; result: ImportStatus }> {
  const response = await fetch(`${s.url}/api/imports?kind=${kind}&fileName=match.csv`, {
    method: 'POST',
    headers: { cookie: admin.cookie, 'content-type': 'text/csv' },
    body: csv,
  })
  const uploaded = (await response.json()) as { id: string }
  expect(response.status, JSON.stringify(uploaded)).toBe(201)
  const settings = { mapping, duplicates }
  listed = []
  const preview = await api<{ rows: PreviewRow[] }>(s.url, `/api/imports/${uploaded.id}/preview`, {
    cookie: admin.cookie,
    body: settings,
  })
  expect(preview.status, JSON.stringify(preview.body)).toBe(200)
  const started = await api(s.url, `/api/imports/${uploaded.id}/start`, {
    cookie: admin.cookie,
    body: settings,
  })
  expect(started.status, JSON.stringify(started.body)).toBe(202)
  let result: ImportStatus | null = null
  await vi.waitFor(
    async () => {
      result = (await api<ImportStatus>(s.url, `/api/imports/${uploaded.id}`, { cookie: admin.cookie })).body
      expect(['done', 'failed', 'cancelled']).toContain(result.status)
    },
    { timeout: 60_000, interval: 50 },
  )
  return { preview: preview.body.rows.map((r) => r.duplicateOf?.id ?? null), result: result as never }
}

describe.each(['SQLite', 'PostgreSQL'] as const)(
  'import duplicate rules and links through the %s index',
  (store) => {
    onStore(store)

    it('domain: a dotless domain, a web address and a domain shared by 60 accounts all match', async () => {
      const acme = await create('accounts', { name: 'Acme', domain: 'ACME' })
      const globex = await create('accounts', { name: 'Globex', domain: 'https://www.Globex.com/' })
      const shops: string[] = []
      for (let i = 0; i < 60; i++)
        shops.push(await create('accounts', { name: `Shop ${i}`, domain: 'shops.example' }))
      await s.server.index.flush()
      const csv = [
        'Name,Domain',
        'Acme again, acme',
        'Globex again,GLOBEX.com',
        'Shop again,https://shops.example/about',
        'New Co,new-co.example',
      ].join('\n')
      const { preview, result } = await importCsv(
        'accounts',
        csv,
        { Name: 'name', Domain: 'domain' },
        {
          policy: 'skip',
          matchOn: 'domain',
        },
      )
      expect(preview.slice(0, 2)).toEqual([acme, globex])
      expect(shops).toContain(preview[2])
      expect(preview[3]).toBeNull()
      expect(result).toMatchObject({ status: 'done', skipped: 3, created: 1, failed: 0 })
      expect(listed).not.toContain('accounts')
    })

    it('name: contacts by first and last name, tickets by subject — without listing the kind', async () => {
      const ada = await create('contacts', {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@match.test',
      })
      await create('tickets', { subject: 'Printer on fire' })
      await s.server.index.flush()
      const contacts = await importCsv(
        'contacts',
        'First,Last,Phone\nADA,  lovelace,+44 1\nAlan,Turing,+44 2\n',
        { First: 'firstName', Last: 'lastName', Phone: 'phone' },
        { policy: 'update', matchOn: 'name' },
      )
      expect(contacts.preview).toEqual([ada, null])
      expect(contacts.result).toMatchObject({ status: 'done', updated: 1, created: 1, failed: 0 })
      expect(listed).not.toContain('contacts')
      const updated = await api<{ phone: string }>(s.url, `/api/contacts/${ada}`, { cookie: admin.cookie })
      expect(updated.body.phone).toBe('+44 1')

      const tickets = await importCsv(
        'tickets',
        'Subject\nPRINTER ON FIRE \nPaper jam\n',
        { Subject: 'subject' },
        { policy: 'skip', matchOn: 'name' },
      )
      expect(tickets.result).toMatchObject({ status: 'done', skipped: 1, created: 1, failed: 0 })
      expect(listed).not.toContain('tickets')
    })

    it('a chosen column: a record field and a custom field, case and spaces aside', async () => {
      const paris = await create('accounts', { name: 'Paris Office', city: 'Paris' })
      const field = await api<{ id: string }>(s.url, '/api/settings/custom-fields', {
        cookie: admin.cookie,
        body: { label: 'Member number', entity: 'contact', type: 'text' },
      })
      expect(field.status, JSON.stringify(field.body)).toBe(201)
      const member = await create('contacts', {
        firstName: 'Grace',
        lastName: 'Hopper',
        customFields: { [field.body.id]: 'M-007' },
      })
      await s.server.index.flush()
      const byCity = await importCsv(
        'accounts',
        'Name,City\nAnother office, PARIS\nLyon Office,Lyon\n',
        { Name: 'name', City: 'city' },
        { policy: 'skip', matchOn: 'column', column: 'city' },
      )
      expect(byCity.preview).toEqual([paris, null])
      expect(byCity.result).toMatchObject({ status: 'done', skipped: 1, created: 1, failed: 0 })
      expect(listed).not.toContain('accounts')

      const byMember = await importCsv(
        'contacts',
        'First,Last,Member\nG.,Hopper,m-007\nNew,Person,M-008\n',
        { First: 'firstName', Last: 'lastName', Member: `cf.${field.body.id}` },
        { policy: 'skip', matchOn: 'column', column: `cf.${field.body.id}` },
      )
      expect(byMember.preview).toEqual([member, null])
      expect(byMember.result).toMatchObject({ status: 'done', skipped: 1, created: 1, failed: 0 })
      expect(listed).not.toContain('contacts')
    })
    it('links rows to accounts by domain (as a host) or name and to contacts by email, without listing either', async () => {
      const initech = await create('accounts', { name: 'Initech', domain: 'initech.example' })
      // Two accounts of one name: a row naming it links to the one of smallest id (as a duplicate is matched).
      const twins = [
        await create('accounts', { name: 'Twin Co' }),
        await create('accounts', { name: 'Twin Co' }),
      ]
      const peter = await create('contacts', {
        firstName: 'Peter',
        lastName: 'Gibbons',
        email: 'peter@initech.example',
      })
      await s.server.index.flush()
      const contacts = await importCsv(
        'contacts',
        [
          'First,Last,Company,Company domain',
          'Bill,Lumbergh,,https://www.Initech.example/about',
          'Milton,Waddams, TWIN co ,',
          'Bob,Slydell,Nowhere Ltd,',
        ].join('\n'),
        { First: 'firstName', Last: 'lastName', Company: 'accountName', 'Company domain': 'accountDomain' },
        { policy: 'create', matchOn: 'email' },
      )
      expect(contacts.result).toMatchObject({ status: 'done', created: 2, failed: 1 })
      expect(listed).not.toContain('accounts')
      await s.server.index.flush()
      const linked = async (accountId: string) =>
        (
          await api<{ items: Array<{ firstName: string }> }>(s.url, `/api/contacts?accountId=${accountId}`, {
            cookie: admin.cookie,
          })
        ).body.items.map((c) => c.firstName)
      expect(await linked(initech)).toEqual(['Bill'])
      expect(await linked([...twins].sort()[0] as string)).toEqual(['Milton'])

      const tickets = await importCsv(
        'tickets',
        'Subject,Requester\nStapler gone, PETER@Initech.example\nWho am I,nobody@initech.example\n',
        { Subject: 'subject', Requester: 'contactEmail' },
        { policy: 'create', matchOn: 'name' },
      )
      expect(tickets.result).toMatchObject({ status: 'done', created: 1, failed: 1 })
      expect(listed).not.toContain('contacts')
      await s.server.index.flush()
      const ofPeter = await api<{ items: Array<{ subject: string }> }>(
        s.url,
        `/api/tickets?contactId=${peter}`,
        {
          cookie: admin.cookie,
        },
      )
      expect(ofPeter.body.items.map((t) => t.subject)).toEqual(['Stapler gone'])
    })
  },
)
