import { expect, it } from 'vitest'
import { z } from 'zod'
import { ContactPage } from './support/ContactPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { downloadOf, readCsv, readZip } from './support/ImportPage.ts'
import { ListPage } from './support/ListPage.ts'

const Page = z.object({
  items: z.array(z.object({ id: z.string(), email: z.string() }).loose()),
  total: z.number(),
})

/** Every contact of a filtered REST list (all pages). */
async function allContacts(user: E2eUser, query: string) {
  const out: { id: string; email: string }[] = []
  for (let offset = 0; ; offset += 200) {
    const page = await user.api(`/api/contacts?${query}&offset=${offset}&limit=200`, Page)
    out.push(...page.items)
    if (out.length >= page.total || page.items.length === 0) return out
  }
}

e2eDescribe('exports', () => {
  const session = e2eSession()

  it('"Export CSV" of a filtered contacts list holds exactly the filtered rows', async () => {
    const user = await session.signIn('sales')
    const list = new ListPage(user.page, session.env.server.url)
    await list.open('contacts')
    await user.page.getByTestId('filter-leadStatus').selectOption('qualified')
    const expected = await allContacts(user, 'leadStatus=qualified')
    expect(expected.length).toBeGreaterThan(0)
    await eventually(() => list.countText()).toMatch(new RegExp(`^${expected.length} of \\d+ contacts$`))

    const file = await downloadOf(user.page, () => user.page.getByTestId('list-export').click())
    expect(file.fileName).toMatch(/\.csv$/)
    const rows = readCsv(file.bytes.toString('utf8'))
    expect(rows).toHaveLength(expected.length)
    const emailColumn = Object.keys(rows[0] ?? {}).find((k) => /^e-?mail$/i.test(k))
    if (!emailColumn) throw new Error(`no email column in ${Object.keys(rows[0] ?? {}).join(', ')}`)
    expect(rows.map((r) => r[emailColumn]).sort()).toEqual(expected.map((c) => c.email).sort())
    const statusColumn = Object.keys(rows[0] ?? {}).find((k) => /status/i.test(k))
    if (statusColumn) for (const r of rows) expect(r[statusColumn]?.toLowerCase()).toBe('qualified')
  })

  it('an admin exports the workspace as a zip; a contact’s data as JSON; erasing asks for the name typed', async () => {
    const admin = await session.signIn('admin')
    const url = session.env.server.url
    await admin.page.goto(`${url}/#/settings/workspace`)
    const zip = await downloadOf(admin.page, () => admin.page.getByTestId('export-workspace').click())
    const entries = readZip(new Uint8Array(zip.bytes))
    expect(Object.keys(entries)).toContain('workspace.json')
    const workspace = JSON.parse(new TextDecoder().decode(entries['workspace.json']))
    expect(JSON.stringify(workspace)).not.toMatch(/passwordHash|"password"/)

    const marker = `Erase${Date.now().toString(36)}`
    const res = await admin.page.request.post(`${url}/api/contacts`, {
      data: { firstName: 'Rosalind', lastName: marker, email: `${marker.toLowerCase()}@example.test` },
    })
    const contact = z
      .object({ id: z.string() })
      .loose()
      .parse(await res.json())
    const page = new ContactPage(admin.page, url)
    await page.open(contact.id)

    const json = await downloadOf(admin.page, () => admin.page.getByTestId('contact-export').click())
    expect(json.fileName).toMatch(/\.json$/)
    expect(json.bytes.toString('utf8')).toContain(contact.id)

    await admin.page.getByTestId('contact-erase').click()
    const confirm = admin.page.getByTestId('erase-dialog-confirm')
    expect(await confirm.isDisabled()).toBe(true)
    await admin.page.getByTestId('erase-dialog-type').fill('Rosalind')
    expect(await confirm.isDisabled()).toBe(true)
    await admin.page.getByTestId('erase-dialog-type').fill(`Rosalind ${marker}`)
    await confirm.click()
    await eventually(() => admin.page.evaluate(() => window.location.hash)).toBe('#/contacts')
    await eventually(async () => (await admin.api(`/api/contacts?q=${marker}&limit=5`, Page)).total).toBe(0)
  })

  it('only an admin sees "Export workspace" and "Erase contact"', async () => {
    const sales = await session.signIn('sales')
    const url = session.env.server.url
    await sales.page.goto(`${url}/#/settings/workspace`)
    await sales.page.getByTestId('data-panel').waitFor()
    expect(await sales.page.getByTestId('export-workspace').count()).toBe(0)
    const contact = (await sales.api('/api/contacts?limit=1', Page)).items[0]
    if (!contact) throw new Error('the demo workspace needs a contact')
    await new ContactPage(sales.page, url).open(contact.id)
    await sales.page.getByTestId('contact-export').waitFor()
    expect(await sales.page.getByTestId('contact-erase').count()).toBe(0)
  })
})
