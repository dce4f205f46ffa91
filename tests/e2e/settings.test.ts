import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { CustomFieldsUi } from './support/CustomFieldsUi.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, type E2eEnv, type E2eUser, startE2e } from './support/e2eEnv.ts'
import { eventually } from './support/eventually.ts'
import { ListPage } from './support/ListPage.ts'
import { SettingsPage } from './support/SettingsPage.ts'
import { TicketPage } from './support/TicketPage.ts'

const Settings = z.object({
  pipelines: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      stages: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
  customFields: z.array(z.object({ id: z.string(), label: z.string() })),
})
const Deals = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      id: z.string(),
      amount: z.number(),
      currency: z.string(),
      position: z.object({ column: z.string() }),
    }),
  ),
})
const TicketRow = z.object({
  id: z.string(),
  priority: z.string(),
  createdAt: z.number(),
  slaDueAt: z.number().nullable(),
})

const settingsOf = (user: E2eUser) => user.api('/api/settings', Settings)
/**
 * What `pick` finds in the settings once the server has it: the settings pages write through the workspace document,
 * so a REST read right after a click may not see the change yet.
 */
async function stored<T>(
  user: E2eUser,
  pick: (settings: z.infer<typeof Settings>) => T | undefined,
): Promise<T> {
  let found: T | undefined
  await eventually(async () => {
    found = pick(await settingsOf(user))
    return found !== undefined
  }).toBe(true)
  return found as T
}
const salesPipeline = async (user: E2eUser) => {
  const pipeline = (await settingsOf(user)).pipelines.find((p) => p.name === 'Sales')
  if (!pipeline) throw new Error('the demo workspace needs the Sales pipeline')
  return pipeline
}

e2eDescribe('workspace settings, live for everyone (#11 item 3)', () => {
  let env: E2eEnv

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    await env?.close()
  })

  it('an admin adds a stage and a custom field; a second browser sees the new column and field at once', async () => {
    const admin = await env.signIn('admin')
    const sales = await env.signIn('sales')
    const settings = new SettingsPage(admin.page, env.server.url)
    const pipeline = await salesPipeline(admin)
    await Promise.all([settings.open('pipelines'), sales.board.open(pipeline.id)])
    await settings.choosePipeline(pipeline.id)

    await settings.addStage({ name: '', probability: '120' })
    expect(await settings.addStageError()).toBe('Give the stage a name.')
    await settings.addStage({ name: 'Security review', probability: '60', rotAfterDays: '10' })
    await eventually(async () => (await settings.stageNames()).includes('Security review')).toBe(true)
    const added = (await salesPipeline(admin)).stages.find((s) => s.name === 'Security review')
    if (!added) throw new Error('the stage was not stored')
    // The salesperson's board grows the column without a reload, before Won.
    await sales.board.column(added.id).waitFor()
    const order = await sales.board.stageIds()
    expect(order.indexOf(added.id)).toBe(order.length - 3)
    // A long unbroken stage name wraps inside its column on the other board.
    const longName = 'Contract'.repeat(12)
    await settings.renameStage(added.id, longName)
    const header = sales.board.column(added.id).locator('.column__header')
    await eventually(() => header.innerText()).toContain(longName.slice(0, 20))
    const overflow = await header.evaluate((el) => el.scrollWidth - el.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await env.screenshot(sales.page, 'board-long-stage-name-1440')
    await settings.renameStage(added.id, 'Security review')
    await env.screenshot(admin.page, 'settings-pipelines-1440')
    await admin.page.setViewportSize({ width: 390, height: 844 })
    await env.screenshot(admin.page, 'settings-pipelines-390')
    await admin.page.setViewportSize({ width: 1440, height: 900 })

    const [accountId] = await accountIds(sales, 1)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await sales.room.open(accountId)
    await settings.open('fields')
    await settings.addCustomField({ label: 'Renewal date', entity: 'account', type: 'date' })
    const field = await stored(admin, (s) => s.customFields.find((f) => f.label === 'Renewal date'))
    const input = sales.page.getByTestId(`cf-input-${field.id}`)
    await input.waitFor()
    await input.fill('2027-03-31')
    await eventually(async () => {
      const account = await sales.api(
        `/api/accounts/${accountId}`,
        z.object({ customFields: z.record(z.string(), z.unknown()) }),
      )
      return account.customFields[field.id]
    }).toBe('2027-03-31')
    await env.screenshot(sales.page, 'settings-custom-field-room-1440')
    await env.screenshot(admin.page, 'settings-fields-1440')
    await admin.page.setViewportSize({ width: 390, height: 844 })
    await env.screenshot(admin.page, 'settings-fields-390')
  })

  it('custom fields: plain-words errors beside the field, read-only for a viewer, list column and filter', async () => {
    const admin = await env.signIn('admin')
    const sales = await env.signIn('sales')
    const viewer = await env.signIn('viewer')
    const settings = new SettingsPage(admin.page, env.server.url)
    await settings.open('fields')
    await settings.addCustomField({
      label: 'Plan',
      entity: 'account',
      type: 'select',
      options: 'Free, Pro',
      required: true,
    })
    await settings.addCustomField({ label: 'Contract link', entity: 'account', type: 'url' })
    const plan = (await stored(admin, (s) => s.customFields.find((f) => f.label === 'Plan'))).id
    const link = (await stored(admin, (s) => s.customFields.find((f) => f.label === 'Contract link'))).id

    const [accountId] = await accountIds(sales, 1)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    const fields = new CustomFieldsUi(sales.page)
    await Promise.all([sales.room.open(accountId), viewer.room.open(accountId)])
    await fields.type(link, 'acme contract')
    expect(await fields.error(link)).toBe(
      'Contract link must be a web address starting with http:// or https://.',
    )
    await fields.type(link, `https://contracts.example/${'x'.repeat(180)}`)
    await eventually(() => fields.error(link)).toBeNull()
    // A required field still empty says so beside it, until it is filled in.
    await sales.page.getByTestId(`cf-missing-${plan}`).waitFor()
    await fields.choose(plan, 'Pro')
    await sales.page.getByTestId(`cf-missing-${plan}`).waitFor({ state: 'detached' })
    const seen = new CustomFieldsUi(viewer.page)
    await eventually(() => seen.shownValue(plan)).toBe('Pro')
    expect(await seen.input(plan).count()).toBe(0)
    await env.screenshot(viewer.page, 'custom-fields-viewer-room-1440')
    await viewer.page.setViewportSize({ width: 390, height: 844 })
    await env.screenshot(viewer.page, 'custom-fields-viewer-room-390')

    const list = new ListPage(sales.page, env.server.url)
    await list.open('accounts')
    await eventually(() => fields.listCell(accountId, plan).innerText()).toBe('Pro')
    await fields.filterList(plan, 'Pro')
    await eventually(() => list.rowIds('accounts')).toEqual([accountId])
    expect(await list.countText()).toMatch(/^1 of \d+ accounts$/)
    await env.screenshot(sales.page, 'custom-fields-list-1440')

    // A new account from the list asks for the required field: without it, the form says so beside it.
    await list.createRow({ name: 'Required Plan Co' })
    expect(await sales.page.getByTestId(`new-cf-${plan}-error`).textContent()).toBe('Plan is required.')
    await sales.page.getByTestId(`new-cf-${plan}`).getByTestId(`cf-input-${plan}`).selectOption('Free')
    await sales.page.getByTestId('new-submit').click()
    const Found = z.object({ items: z.array(z.object({ customFields: z.record(z.string(), z.unknown()) })) })
    await eventually(async () =>
      (await sales.api('/api/accounts?q=Required%20Plan%20Co', Found)).items.map((a) => a.customFields[plan]),
    ).toEqual(['Free'])
  })

  it('a viewer sees the settings read-only; a change an admin makes reaches that page live', async () => {
    const viewer = await env.signIn('viewer')
    const admin = await env.signIn('admin')
    const pipeline = await salesPipeline(admin)
    const seen = new SettingsPage(viewer.page, env.server.url)
    await seen.open('pipelines')
    await viewer.page.getByTestId('settings-read-only').waitFor()
    await seen.choosePipeline(pipeline.id)
    expect(await viewer.page.getByTestId('add-stage').count()).toBe(0)
    expect(await viewer.page.getByTestId('remove-stage').count()).toBe(0)
    expect(await viewer.page.getByTestId('stage-name').first().getAttribute('readonly')).not.toBeNull()
    const settings = new SettingsPage(admin.page, env.server.url)
    await settings.open('pipelines')
    await settings.choosePipeline(pipeline.id)
    await settings.addStage({ name: 'Legal', probability: '80' })
    await eventually(async () => (await seen.stageNames()).includes('Legal')).toBe(true)
    await env.screenshot(viewer.page, 'settings-viewer-1440')
  })

  it('an admin creates, renames and archives a pipeline; the pipeline tabs of the other browser follow', async () => {
    const admin = await env.signIn('admin')
    const sales = await env.signIn('sales')
    const settings = new SettingsPage(admin.page, env.server.url)
    await Promise.all([settings.open('pipelines'), sales.board.open()])
    await settings.createPipeline('Renewals')
    const created = await stored(admin, (s) => s.pipelines.find((p) => p.name === 'Renewals'))
    const tab = sales.page.getByTestId(`pipeline-tab-${created.id}`)
    await eventually(() => tab.innerText()).toBe('Renewals')
    await settings.renamePipeline('Renewals 2027')
    await eventually(() => tab.innerText()).toBe('Renewals 2027')
    await settings.toggleArchive()
    await tab.waitFor({ state: 'detached' })
  })

  it('removing a stage asks where its deals go and moves them there; no deal stays in a removed column', async () => {
    const admin = await env.signIn('admin')
    const sales = await env.signIn('sales')
    const settings = new SettingsPage(admin.page, env.server.url)
    const pipeline = await salesPipeline(admin)
    const [from, to] = pipeline.stages
    if (!from || !to) throw new Error('the Sales pipeline needs two stages')
    await Promise.all([settings.open('pipelines'), sales.board.open(pipeline.id)])
    await settings.choosePipeline(pipeline.id)
    const moving = await sales.board.cardIds(from.id)
    expect(moving.length).toBeGreaterThan(0)
    const before = await sales.board.count(to.id)

    await settings.removeStage(from.id, to.id)
    await sales.board.column(from.id).waitFor({ state: 'detached' })
    await eventually(() => sales.board.count(to.id)).toBe(before + moving.length)
    // The list reads the record index, which takes each moved deal's document after the board showed the move.
    const dealsNow = () => sales.api(`/api/deals?pipelineId=${pipeline.id}&limit=200`, Deals)
    await eventually(async () =>
      (await dealsNow()).items.filter((d) => d.position.column === from.id),
    ).toEqual([])
    const deals = await dealsNow()
    for (const id of moving) expect(deals.items.find((d) => d.id === id)?.position.column).toBe(to.id)
  })

  it('a new SLA target applies when a ticket changes priority', async () => {
    const admin = await env.signIn('admin')
    const support = await env.signIn('support')
    const settings = new SettingsPage(admin.page, env.server.url)
    await settings.open('sla')
    await settings.setSla('urgent', '0.5', '3')
    // "Saved." is the admin's own copy: the priority change below must reach a server that has the new target.
    const Sla = z.object({ sla: z.object({ urgent: z.object({ resolutionMins: z.number() }) }) })
    await eventually(async () => (await support.api('/api/settings', Sla)).sla.urgent.resolutionMins).toBe(
      180,
    )
    const tickets = await support.api('/api/tickets?limit=50', z.object({ items: z.array(TicketRow) }))
    const ticket = tickets.items.find((t) => t.priority !== 'urgent')
    if (!ticket) throw new Error('the demo workspace needs a ticket that is not urgent')
    const drawer = new TicketPage(support.page, env.server.url)
    await drawer.open(ticket.id)
    await drawer.drawer.getByTestId('ticket-priority').selectOption('urgent')
    await eventually(async () => (await support.api(`/api/tickets/${ticket.id}`, TicketRow)).slaDueAt).toBe(
      ticket.createdAt + 3 * 60 * 60_000,
    )
    await env.screenshot(admin.page, 'settings-sla-1440')
  })

  it('column totals convert to the base currency and show the original amounts', async () => {
    const admin = await env.signIn('admin')
    const sales = await env.signIn('sales')
    const pipeline = await salesPipeline(admin)
    await sales.board.open(pipeline.id)
    const settings = new SettingsPage(admin.page, env.server.url)
    await settings.open('currency')
    await settings.setCurrency('EUR', { USD: '0.5', GBP: '2' })
    const stageId = (await sales.board.stageIds())[0]
    if (!stageId) throw new Error('no stage')
    const deals = await sales.api(`/api/deals?pipelineId=${pipeline.id}&stage=${stageId}&limit=200`, Deals)
    expect(deals.total).toBeLessThan(200)
    const inColumn = deals.items.filter((d) => d.position.column === stageId)
    const rate: Record<string, number> = { EUR: 1, USD: 0.5, GBP: 2 }
    const expected = inColumn.reduce((sum, d) => sum + d.amount * (rate[d.currency] ?? 0), 0)
    const compact = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: 'EUR',
      notation: 'compact',
      minimumFractionDigits: 0,
      maximumFractionDigits: 1,
    })
    await eventually(() => sales.page.getByTestId(`total-${stageId}`).innerText()).toBe(
      compact.format(expected),
    )
    if (inColumn.some((d) => d.currency !== 'EUR'))
      await sales.page.getByTestId(`total-original-${stageId}`).waitFor()
    await env.screenshot(sales.page, 'board-base-currency-1440')
    await sales.page.setViewportSize({ width: 390, height: 844 })
    await env.screenshot(sales.page, 'board-base-currency-390')
  })

  it('"New ticket" asks for the ticket fields an admin made required', async () => {
    const admin = await env.signIn('admin')
    const support = await env.signIn('support')
    const settings = new SettingsPage(admin.page, env.server.url)
    await settings.open('fields')
    await settings.addCustomField({ label: 'Severity', entity: 'ticket', type: 'text', required: true })
    const severity = (await stored(admin, (s) => s.customFields.find((f) => f.label === 'Severity'))).id
    const [accountId] = await accountIds(support, 1)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await support.room.open(accountId)
    const tickets = new TicketPage(support.page, env.server.url)
    await tickets.createFromAccountRoom('Printer on fire')
    const form = support.page.getByTestId('new-ticket-form')
    expect(await form.getByTestId(`new-ticket-cf-${severity}-error`).textContent()).toBe(
      'Severity is required.',
    )
    await form.getByTestId(`cf-input-${severity}`).fill('S1')
    await form.getByTestId('new-ticket-submit').click()
    const Found = z.object({
      items: z.array(z.object({ subject: z.string(), customFields: z.record(z.string(), z.unknown()) })),
    })
    await eventually(async () =>
      (await support.api('/api/tickets?q=Printer%20on%20fire', Found)).items.map(
        (t) => t.customFields[severity],
      ),
    ).toEqual(['S1'])
  })
})
