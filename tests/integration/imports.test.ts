import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'
import { TEST_WORKSPACE, type TestMember, testAdmin } from './helpers/testWorkspace.ts'

interface ImportStatus {
  id: string
  status: string
  total: number | null
  processed: number
  created: number
  updated: number
  skipped: number
  failed: number
  error?: string
  undo?: { state: string; archived: number; reverted: number; kept: number; message?: string }
}
interface Uploaded extends ImportStatus {
  separator: string
  columns: string[]
  suggestedMapping: Record<string, string | null>
  sample: Array<Record<string, string>>
  rowCount: number
}
interface PreviewRow {
  row: number
  values: Record<string, unknown>
  errors: Array<{ field: string; message: string }>
  duplicateOf: { id: string; label: string } | null
}
interface Contact {
  id: string
  firstName: string
  lastName: string
  email: string
  phone: string
  archived: boolean
  accountId: string | null
  customFields: Record<string, unknown>
}

let s: StartedServer
let admin: TestMember

beforeAll(async () => {
  s = await startServer()
  admin = await testAdmin(s.server, s.url)
})
afterAll(async () => {
  await s?.stop()
})

async function upload(
  body: string | Uint8Array,
  kind = 'contacts',
  cookie = admin.cookie,
): Promise<{ status: number; body: Uploaded & { error?: { code: string; message: string } } }> {
  const response = await fetch(`${s.url}/api/imports?kind=${kind}&fileName=test.csv`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body: body as BodyInit,
  })
  return { status: response.status, body: (await response.json()) as never }
}

const settings = (
  mapping: Record<string, string | null>,
  policy: 'skip' | 'update' | 'create' = 'skip',
  matchOn: 'email' | 'domain' | 'name' | 'column' = 'email',
  column?: string,
) => ({ mapping, duplicates: { policy, matchOn, ...(column ? { column } : {}) } })

async function runImport(id: string, body: unknown): Promise<ImportStatus> {
  const started = await api<ImportStatus>(s.url, `/api/imports/${id}/start`, { cookie: admin.cookie, body })
  expect(started.status, JSON.stringify(started.body)).toBe(202)
  return finished(id)
}

async function finished(id: string, statuses = ['done', 'cancelled', 'failed']): Promise<ImportStatus> {
  let last: ImportStatus | null = null
  await vi.waitFor(
    async () => {
      last = (await api<ImportStatus>(s.url, `/api/imports/${id}`, { cookie: admin.cookie })).body
      expect(statuses).toContain(last.status)
    },
    { timeout: 60_000, interval: 50 },
  )
  return last as unknown as ImportStatus
}

async function contactsByEmail(email: string): Promise<Contact[]> {
  const all: Contact[] = []
  const page = await api<{ items: Contact[] }>(
    s.url,
    `/api/contacts?limit=200&archived=all&q=${encodeURIComponent(email)}`,
    {
      cookie: admin.cookie,
    },
  )
  for (const c of page.body.items) if (c.email.toLowerCase() === email.toLowerCase()) all.push(c)
  return all
}

const MAP = { First: 'firstName', Last: 'lastName', 'E-mail': 'email' }

describe('CSV import: parsing', () => {
  it('reads `,` with a BOM and quoted newlines, and suggests a mapping from the headers', async () => {
    const csv =
      '\ufeffFirst,Last,E-mail,Company,Notes\r\nAda,Lovelace,ada@parse.test,,"line one\nline two"\r\nAlan,Turing,alan@parse.test,,x\r\n'
    const { status, body } = await upload(csv)
    expect(status, JSON.stringify(body)).toBe(201)
    expect(body).toMatchObject({ status: 'uploaded', separator: ',', rowCount: 2, kind: 'contacts' })
    expect(body.columns).toEqual(['First', 'Last', 'E-mail', 'Company', 'Notes'])
    expect(body.suggestedMapping).toEqual({
      First: 'firstName',
      Last: 'lastName',
      'E-mail': 'email',
      Company: 'accountName',
      Notes: null,
    })
    expect(body.sample[0]).toEqual({
      First: 'Ada',
      Last: 'Lovelace',
      'E-mail': 'ada@parse.test',
      Company: '',
      Notes: 'line one\nline two',
    })
  })

  it('sniffs `;` and maps "Email address"', async () => {
    const { status, body } = await upload(
      'Vorname;Nachname;Email address\nGrace;"Hopper; Jr";grace@parse.test\n',
    )
    expect(status).toBe(201)
    expect(body.separator).toBe(';')
    expect(body.suggestedMapping).toEqual({
      Vorname: 'firstName',
      Nachname: 'lastName',
      'Email address': 'email',
    })
    expect(body.sample).toEqual([
      { Vorname: 'Grace', Nachname: 'Hopper; Jr', 'Email address': 'grace@parse.test' },
    ])
  })

  it('refuses a file that is not UTF-8 text, binary data and broken quotes in plain words', async () => {
    const latin1 = new Uint8Array([...Buffer.from('First,Last\nJos'), 0xe9, ...Buffer.from(',M\n')])
    const bad = await upload(latin1)
    expect(bad.status).toBe(400)
    expect(bad.body.error?.message).toMatch(/not UTF-8 text/)
    const binary = await upload(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]))
    expect(binary.status).toBe(400)
    expect(binary.body.error?.message).toMatch(/not a CSV file/)
    const quotes = await upload('First,Last\n"Ada,Lovelace\n')
    expect(quotes.status).toBe(400)
    expect(quotes.body.error?.message).toMatch(/quoted value is never closed/)
    const empty = await upload('')
    expect(empty.status).toBe(400)
  })
})

describe('CSV import: mapping, preview and the job', () => {
  it('maps custom fields and accounts by name; the preview names errors in plain words', async () => {
    const field = await api<{ id: string }>(s.url, '/api/settings/custom-fields', {
      cookie: admin.cookie,
      body: { label: 'Seats', entity: 'contact', type: 'number' },
    })
    expect(field.status).toBe(201)
    const account = await api<{ id: string }>(s.url, '/api/accounts', {
      cookie: admin.cookie,
      body: { name: 'Analytical Engines', domain: 'engines.test' },
    })
    expect(account.status).toBe(201)
    const fields = await api<{ fields: Array<{ key: string; label: string; type: string }> }>(
      s.url,
      '/api/imports/fields?kind=contacts',
      { cookie: admin.cookie },
    )
    expect(fields.body.fields).toContainEqual(
      expect.objectContaining({ key: `cf.${field.body.id}`, label: 'Seats', type: 'number' }),
    )
    expect(fields.body.fields.map((f) => f.key)).toEqual(
      expect.arrayContaining(['email', 'accountName', 'accountDomain']),
    )

    const csv = [
      'First,Last,E-mail,Company,Seats',
      'Charles,Babbage,charles@map.test,analytical engines,12',
      'Bad,Mail,not-an-email,,3',
      ',,nobody@map.test,,',
      'Nora,Seats,nora@map.test,,many',
      'Ghost,Firm,ghost@map.test,No Such Firm,',
    ].join('\n')
    const { body } = await upload(csv)
    expect(body.suggestedMapping.Seats).toBe(`cf.${field.body.id}`)
    const body2 = settings(body.suggestedMapping)
    const preview = await api<{ rows: PreviewRow[] }>(s.url, `/api/imports/${body.id}/preview`, {
      cookie: admin.cookie,
      body: body2,
    })
    expect(preview.status).toBe(200)
    const rows = preview.body.rows
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5])
    expect(rows[0]).toMatchObject({
      errors: [],
      values: { firstName: 'Charles', [`cf.${field.body.id}`]: 12 },
    })
    expect(rows[1]?.errors).toEqual([{ field: 'email', message: 'Email is not an email address.' }])
    expect(rows[2]?.errors).toEqual([{ field: '', message: 'A first or last name is required.' }])
    expect(rows[3]?.errors).toEqual([
      { field: `cf.${field.body.id}`, message: 'Seats must be a number, not "many".' },
    ])
    expect(rows[4]?.errors[0]?.message).toMatch(/No account named "No Such Firm" exists/)

    const result = await runImport(body.id, body2)
    expect(result).toMatchObject({
      status: 'done',
      total: 5,
      processed: 5,
      created: 1,
      failed: 4,
      skipped: 0,
    })
    const [charles] = await contactsByEmail('charles@map.test')
    expect(charles).toMatchObject({
      firstName: 'Charles',
      accountId: account.body.id,
      customFields: { [field.body.id]: 12 },
    })

    // The failed rows, with their original columns and the reason.
    const failed = await fetch(`${s.url}/api/imports/${body.id}/failed.csv`, {
      headers: { cookie: admin.cookie },
    })
    expect(failed.status).toBe(200)
    expect(failed.headers.get('content-type')).toMatch(/text\/csv/)
    const lines = (await failed.text())
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe('First,Last,E-mail,Company,Seats,reason')
    expect(lines).toHaveLength(5)
    expect(lines[1]).toBe('Bad,Mail,not-an-email,,3,Email is not an email address.')
    expect(lines[3]).toBe('Nora,Seats,nora@map.test,,many,"Seats must be a number, not ""many""."')
  })

  it('each duplicate policy: skip, update (and undo restores), create; rows earlier in the file count', async () => {
    const seed = await upload(
      'First,Last,E-mail,Phone\nDup,One,dup1@policy.test,111\nDup,Two,DUP2@policy.test,222\n',
    )
    expect((await runImport(seed.body.id, settings({ ...MAP, Phone: 'phone' }, 'create'))).created).toBe(2)

    const csv =
      'First,Last,E-mail,Phone\nDup,Uno,Dup1@Policy.test,999\nNew,Person,new@policy.test,333\nNew,Again,NEW@policy.test,444\n'
    const skip = await upload(csv)
    const preview = await api<{ rows: PreviewRow[] }>(s.url, `/api/imports/${skip.body.id}/preview`, {
      cookie: admin.cookie,
      body: settings({ ...MAP, Phone: 'phone' }, 'skip'),
    })
    expect(preview.body.rows[0]?.duplicateOf).toMatchObject({ label: 'Dup One' })
    expect(preview.body.rows[1]?.duplicateOf).toBeNull()
    expect(preview.body.rows[2]?.duplicateOf).toMatchObject({ label: 'New Person' })
    const skipped = await runImport(skip.body.id, settings({ ...MAP, Phone: 'phone' }, 'skip'))
    expect(skipped).toMatchObject({ created: 1, skipped: 2, updated: 0, failed: 0 })
    expect(await contactsByEmail('new@policy.test')).toHaveLength(1)
    expect((await contactsByEmail('dup1@policy.test'))[0]?.phone).toBe('111')

    const update = await upload(
      'First,Last,E-mail,Phone\nDup,Uno,dup1@policy.test,999\nDup,Two,DUP2@policy.test,222\n',
    )
    const updated = await runImport(update.body.id, settings({ ...MAP, Phone: 'phone' }, 'update'))
    // Row 2 has nothing new: counted as skipped.
    expect(updated).toMatchObject({ created: 0, updated: 1, skipped: 1 })
    const dup1 = (await contactsByEmail('dup1@policy.test'))[0] as Contact
    expect(dup1).toMatchObject({ lastName: 'Uno', phone: '999' })
    // Someone changes the phone after the import: undo keeps it and reverts the last name.
    expect(
      (
        await api(s.url, `/api/contacts/${dup1.id}`, {
          method: 'PATCH',
          cookie: admin.cookie,
          body: { phone: '555' },
        })
      ).status,
    ).toBe(200)
    const undone = await api<ImportStatus>(s.url, `/api/imports/${update.body.id}/undo`, {
      method: 'POST',
      cookie: admin.cookie,
    })
    expect(undone.status).toBe(202)
    const after = await finished(update.body.id, ['undone'])
    expect(after.undo).toMatchObject({ state: 'done', archived: 0, reverted: 1, kept: 1 })
    expect(after.undo?.message).toMatch(/changed by someone after the import and kept/)
    expect((await contactsByEmail('dup1@policy.test'))[0]).toMatchObject({ lastName: 'One', phone: '555' })

    const create = await upload('First,Last,E-mail\nDup,Three,dup1@policy.test\n')
    expect(await runImport(create.body.id, settings(MAP, 'create'))).toMatchObject({ created: 1 })
    expect(await contactsByEmail('dup1@policy.test')).toHaveLength(2)

    // Accounts by domain, by name, and by a chosen column.
    const accounts = await upload(
      'Company,Domain,City\nAcme,acme.test,Paris\nAcme Two,ACME.test,Rome\nAcme,other.test,Oslo\n',
      'accounts',
    )
    expect(accounts.body.suggestedMapping).toEqual({ Company: 'name', Domain: 'domain', City: 'city' })
    expect(
      await runImport(accounts.body.id, settings(accounts.body.suggestedMapping, 'skip', 'domain')),
    ).toMatchObject({
      created: 2,
      skipped: 1,
    })
    const byName = await upload('Company,City\nacme,Lyon\n', 'accounts')
    expect(
      await runImport(byName.body.id, settings(byName.body.suggestedMapping, 'skip', 'name')),
    ).toMatchObject({ skipped: 1 })
    const byColumn = await upload('Company,City\nZeta,oslo\n', 'accounts')
    expect(
      await runImport(byColumn.body.id, settings(byColumn.body.suggestedMapping, 'skip', 'column', 'city')),
    ).toMatchObject({ skipped: 1, created: 0 })
    const wrong = await api<{ error: { message: string } }>(
      s.url,
      `/api/imports/${byColumn.body.id}/preview`,
      {
        cookie: admin.cookie,
        body: settings(byColumn.body.suggestedMapping, 'skip', 'email'),
      },
    )
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.message).toBe('Only contacts can be matched on email; choose name or a column.')
  })

  it('deals by pipeline and stage name, tickets with their contact by email', async () => {
    const pipeline = await api<{ id: string; stages: Array<{ id: string; name: string }> }>(
      s.url,
      '/api/settings/pipelines',
      {
        cookie: admin.cookie,
        body: { name: 'Imported pipe' },
      },
    )
    expect(pipeline.status).toBe(201)
    const won = pipeline.body.stages.find((st) => st.name === 'Won')
    const deals = await upload(
      'Deal name,Value,Pipeline,Stage\nBig one,"1,250.50",imported PIPE,won\nNo stage,5,Imported pipe,Nowhere\n',
      'deals',
    )
    expect(deals.body.suggestedMapping).toEqual({
      'Deal name': 'title',
      Value: 'amount',
      Pipeline: 'pipeline',
      Stage: 'stage',
    })
    const result = await runImport(deals.body.id, settings(deals.body.suggestedMapping, 'skip', 'name'))
    expect(result).toMatchObject({ created: 1, failed: 1 })
    const listed = await api<{
      items: Array<{ title: string; amount: number; position: { column: string } }>
    }>(s.url, `/api/deals?pipelineId=${pipeline.body.id}`, { cookie: admin.cookie })
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        title: 'Big one',
        amount: 1250.5,
        position: expect.objectContaining({ column: won?.id }),
      }),
    ])

    const contact = await api<{ id: string }>(s.url, '/api/contacts', {
      cookie: admin.cookie,
      body: { firstName: 'Req', lastName: 'Uester', email: 'requester@tickets.test' },
    })
    const tickets = await upload(
      'Subject;Priority;Requester\nPrinter on fire;URGENT;Requester@Tickets.test\nNobody;low;ghost@tickets.test\n',
      'tickets',
    )
    expect(tickets.body.suggestedMapping).toEqual({
      Subject: 'subject',
      Priority: 'priority',
      Requester: 'contactEmail',
    })
    expect(
      await runImport(tickets.body.id, settings(tickets.body.suggestedMapping, 'create', 'name')),
    ).toMatchObject({
      created: 1,
      failed: 1,
    })
    const found = await api<{ items: Array<{ subject: string; priority: string; contactId: string }> }>(
      s.url,
      `/api/tickets?contactId=${contact.body.id}`,
      { cookie: admin.cookie },
    )
    expect(found.body.items).toEqual([
      expect.objectContaining({ subject: 'Printer on fire', priority: 'urgent' }),
    ])
  })

  it('undo archives what the import created', async () => {
    const up = await upload('First,Last,E-mail\nUndo,One,u1@undo.test\nUndo,Two,u2@undo.test\n')
    expect(await runImport(up.body.id, settings(MAP, 'skip'))).toMatchObject({ created: 2 })
    await api(s.url, `/api/imports/${up.body.id}/undo`, { method: 'POST', cookie: admin.cookie })
    expect((await finished(up.body.id, ['undone'])).undo).toMatchObject({ archived: 2 })
    const archived = await api<{ items: Contact[] }>(s.url, '/api/contacts?archived=true&limit=200', {
      cookie: admin.cookie,
    })
    expect(archived.body.items.map((c) => c.email)).toEqual(
      expect.arrayContaining(['u1@undo.test', 'u2@undo.test']),
    )
    expect(await contactsByEmail('u1@undo.test')).toEqual([])
    const history = await api<{ imports: ImportStatus[] }>(s.url, '/api/imports', { cookie: admin.cookie })
    expect(history.body.imports[0]).toMatchObject({ id: up.body.id, status: 'undone' })
  })

  it('cancel stops after the current batch with its counts', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Cancel,P${i},c${i}@cancel.test`)
    const up = await upload(`First,Last,E-mail\n${rows.join('\n')}\n`)
    await api(s.url, `/api/imports/${up.body.id}/start`, { cookie: admin.cookie, body: settings(MAP) })
    await vi.waitFor(
      async () => {
        const now = (await api<ImportStatus>(s.url, `/api/imports/${up.body.id}`, { cookie: admin.cookie }))
          .body
        expect(now.processed).toBeGreaterThan(0)
      },
      { timeout: 30_000, interval: 10 },
    )
    const cancel = await api<ImportStatus>(s.url, `/api/imports/${up.body.id}/cancel`, {
      method: 'POST',
      cookie: admin.cookie,
    })
    expect([202, 409]).toContain(cancel.status)
    const result = await finished(up.body.id)
    if (cancel.status === 202) {
      expect(result.status).toBe('cancelled')
      expect(result.processed).toBeLessThan(3000)
      expect(result.processed % 200).toBe(0)
    }
    expect(result.created).toBe(result.processed)
  })

  it('only members who may create the kind import, only in their workspace', async () => {
    const viewer = await seedMember(s.server, {
      workspaceId: TEST_WORKSPACE,
      email: 'viewer@imports.test',
      role: 'viewer',
    })
    const { cookie } = await signIn(s.url, viewer)
    const refused = await upload('First\nX\n', 'contacts', cookie)
    expect(refused.status).toBe(403)
    const other = await seedMember(s.server, {
      workspaceId: 'ws_other_imports',
      email: 'admin@other-imports.test',
      role: 'admin',
    })
    const otherCookie = (await signIn(s.url, other)).cookie
    const mine = await upload('First,Last,E-mail\nMine,Only,mine@ws.test\n')
    expect((await api(s.url, `/api/imports/${mine.body.id}`, { cookie: otherCookie })).status).toBe(404)
    expect(
      (await api(s.url, `/api/imports/${mine.body.id}/start`, { cookie: otherCookie, body: settings(MAP) }))
        .status,
    ).toBe(404)
    expect(
      (await api<{ imports: unknown[] }>(s.url, '/api/imports', { cookie: otherCookie })).body.imports,
    ).toEqual([])
    await runImport(mine.body.id, settings(MAP))
    const theirs = await api<{ total: number }>(s.url, '/api/contacts?limit=1', { cookie: otherCookie })
    expect(theirs.body.total).toBe(0)
  })
})
