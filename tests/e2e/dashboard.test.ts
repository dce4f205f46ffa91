import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { REPO_ROOT } from '../integration/helpers/startServer.ts'
import { DashboardPage } from './support/DashboardPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { DESKTOP, PHONE, ResponsiveUi } from './support/ResponsiveUi.ts'
import { TicketPage } from './support/TicketPage.ts'

const Deal = z
  .object({ id: z.string(), status: z.string(), position: z.object({ column: z.string() }) })
  .loose()
const Ticket = z.object({ id: z.string(), position: z.object({ column: z.string() }) }).loose()
const Tickets = z.object({ items: z.array(Ticket) })
const Report = z.object({
  columns: z.array(z.object({ key: z.string(), label: z.string() })),
  rows: z.array(z.object({ key: z.string(), values: z.record(z.string(), z.unknown()) })),
})

/** Opens the dashboard as `user` with the given widgets (saved as their own layout) over all time. */
async function dashboardWith(user: E2eUser, reportIds: string[]): Promise<DashboardPage> {
  const dash = new DashboardPage(user.page, user.room.baseUrl)
  await dash.open()
  await dash.arrange(true)
  for (const id of await dash.widgetIds()) if (!reportIds.includes(id)) await dash.remove(id)
  for (const id of reportIds) if (!(await dash.widgetIds()).includes(id)) await dash.add(id)
  await dash.arrange(false)
  await dash.setPeriod('all')
  return dash
}

/** The sum of one column over a widget's table rows (numbers only). */
async function columnSum(dash: DashboardPage, reportId: string, column: string): Promise<number> {
  const rows = await dash.rows(reportId)
  return rows.reduce((sum, row) => sum + (Number(row.values[column]) || 0), 0)
}

/** A PNG of the page for the docs (docs/img when RAPPORT_UPDATE_SCREENSHOTS=1, else tests/artifacts). */
async function docImage(page: Page, name: string): Promise<void> {
  const dir = join(REPO_ROOT, process.env.RAPPORT_UPDATE_SCREENSHOTS === '1' ? 'docs/img' : 'tests/artifacts')
  await mkdir(dir, { recursive: true })
  await page.mouse.move(1, 1)
  await page.screenshot({ path: join(dir, `${name}.png`) })
}

/** Issue #13: the live dashboard — figures follow other members' work, drill-down, CSV, arranging, phone. */
e2eDescribe('live dashboard', () => {
  const session = e2eSession()

  it('a manager’s dashboard follows a salesperson winning a deal and a support agent resolving a ticket', async () => {
    const manager = await session.signIn('admin')
    const sales = await session.signIn('sales')
    const support = await session.signIn('support')
    const dash = await dashboardWith(manager, ['sales.winRate', 'service.backlog'])
    await dash.showTable('sales.winRate')
    await dash.showTable('service.backlog')
    await eventually(() => dash.rows('service.backlog').then((rows) => rows.length)).toBeGreaterThan(0)
    const wonBefore = await columnSum(dash, 'sales.winRate', 'won')
    const backlogBefore = await columnSum(dash, 'service.backlog', 'total')

    // The salesperson marks an open deal of their board won.
    await sales.board.open()
    // (The Won and Lost chips of a card show while it is hovered.)
    const chip = sales.page.locator('[data-testid="board"] [data-testid^="won-"]').first()
    const wonId = (await chip.getAttribute('data-testid'))?.slice('won-'.length)
    if (!wonId) throw new Error('the demo board shows no open deal')
    await sales.board.card(wonId).hover()
    const started = Date.now()
    await chip.click()
    await eventually(() => columnSum(dash, 'sales.winRate', 'won')).toBe(wonBefore + 1)
    console.info(`[dashboard] deal won → manager's figure in ${Date.now() - started} ms`)
    expect((await sales.api(`/api/deals/${wonId}`, Deal)).status).toBe('won')

    // The support agent resolves an unresolved ticket from its drawer.
    const open = (await support.api('/api/tickets?status=open&limit=5', Tickets)).items[0]
    const ticketId = open?.id ?? (await support.api('/api/tickets?status=new&limit=5', Tickets)).items[0]?.id
    if (!ticketId) throw new Error('the demo workspace has no unresolved ticket')
    const ticket = new TicketPage(support.page, support.room.baseUrl)
    await ticket.open(ticketId)
    const resolvedAt = Date.now()
    await support.page.getByTestId('ticket-move-resolved').click()
    await eventually(() => columnSum(dash, 'service.backlog', 'total')).toBe(backlogBefore - 1)
    console.info(`[dashboard] ticket resolved → manager's figure in ${Date.now() - resolvedAt} ms`)
    expect((await support.api(`/api/tickets/${ticketId}`, Ticket)).position.column).toBe('resolved')
    // Nothing reloaded the manager's page: the dashboard is the one first opened.
    expect(await manager.page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  })

  it('a bar drills down to exactly its records, live, each linking to its page; the CSV holds the widget’s figures', async () => {
    const manager = await session.signIn('admin')
    const dash = await dashboardWith(manager, ['sales.pipeline'])
    await dash.showTable('sales.pipeline')
    const rows = await dash.rows('sales.pipeline')
    const first = rows[0]
    if (!first) throw new Error('the demo pipeline has no open deals')

    // CSV export (the link carries the dashboard's filters) = the widget's figures, row by row.
    const csv = await dash.csv('sales.pipeline')
    expect(csv.contentType).toMatch(/^text\/csv/)
    expect(csv.href).toContain('period=all')
    const report = await manager.api(`/api/reports/sales.pipeline?period=all`, Report)
    const [header, ...lines] = parse(csv.text, { bom: true }) as string[][]
    expect(header?.slice(0, report.columns.length)).toEqual(report.columns.map((c) => c.label))
    expect(lines).toHaveLength(rows.length)
    for (const [i, row] of rows.entries()) {
      const line = lines[i] ?? []
      expect(line.slice(0, report.columns.length), row.key).toEqual(
        report.columns.map((c) => row.values[c.key]),
      )
    }

    // The first bar (first row, first series) lists exactly the open deals of that stage.
    await dash.showChart('sales.pipeline')
    await dash.clickBar('sales.pipeline', 0)
    const ids = await dash.drillIds()
    expect(ids).toHaveLength(Number(first.values.deals))
    await session.env.screenshot(manager.page, 'dashboard-drilldown')
    const stage = first.key.split('~')[0]?.split(':').pop()
    for (const id of ids) {
      const deal = await manager.api(`/api/deals/${id}`, Deal)
      expect(deal.position.column).toBe(stage)
      expect(deal.status).toBe('open')
    }

    // The open list is live: a colleague moves one of its deals to another stage, and it leaves the list.
    const otherStage = rows.map((r) => r.key.split('~')[0]?.split(':').pop()).find((s) => s && s !== stage)
    const moved = ids[ids.length - 1]
    if (!otherStage || !moved) throw new Error('the demo pipeline has one stage only')
    const sales = await session.signIn('sales')
    // Over REST with the salesperson's session (the browser context's cookies), as an outside client would.
    const moveResponse = await sales.page.request.post(`${session.env.server.url}/api/deals/${moved}/move`, {
      data: { stageId: otherStage },
    })
    const status = moveResponse.status()
    expect(status).toBe(200)
    await eventually(() => dash.drillIds()).toEqual(ids.slice(0, -1))

    await dash.drillPanel().getByTestId('drilldown-item').first().click()
    await manager.page.getByTestId('deal-page').waitFor()
    expect(manager.page.url()).toContain(`#/deals/${ids[0]}`)
  })

  it('at 390 px the widgets stack in one column without sideways scrolling; a 1440 px screenshot for the README', async () => {
    const support = await session.signIn('support')
    const ui = new ResponsiveUi(support.page, session.env.server.url)
    const dash = new DashboardPage(support.page, session.env.server.url)
    await ui.resize(PHONE)
    await dash.open()
    const ids = await dash.widgetIds()
    expect(ids.length).toBeGreaterThan(1)
    for (const id of ids) await dash.waitForFigures(id)
    const boxes = await Promise.all(ids.map((id) => dash.widget(id).boundingBox()))
    for (const box of boxes) {
      expect(box?.width).toBeGreaterThan(PHONE.width - 60)
      expect(box?.x).toBeCloseTo(boxes[0]?.x ?? 0, 0)
    }
    await session.env.screenshot(support.page, 'dashboard-390')
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
    // Arranging adds each widget's controls (drag handle, up, down, size, remove): still inside the screen.
    await dash.arrange(true)
    await session.env.screenshot(support.page, 'dashboard-arrange-390')
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
    await dash.arrange(false)

    await ui.resize(DESKTOP)
    await dash.open()
    for (const id of ids) await dash.waitForFigures(id)
    expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(DESKTOP.width)
    expect(await ui.topbarLines()).toBe(1)
    await docImage(support.page, 'dashboard')
  })

  it('arranging (buttons or dragging) is saved per user and survives a reload; an admin’s default is what others see and reset to', async () => {
    const seller = await session.signIn('sales2')
    const dash = await dashboardWith(seller, ['sales.pipeline', 'service.volume', 'leads.bySource'])
    await dash.arrange(true)
    await dash.add('customers.revenue')
    await dash.move('customers.revenue', 'up')
    await dash.toggleSize('customers.revenue')
    await dash.remove('service.volume')
    expect(await dash.widgetIds()).toEqual(['sales.pipeline', 'customers.revenue', 'leads.bySource'])
    // Or dragged by its handle to another place.
    await dash.drag('leads.bySource', 'sales.pipeline')
    const order = ['leads.bySource', 'sales.pipeline', 'customers.revenue']
    expect(await dash.widgetIds()).toEqual(order)
    expect(await dash.widgetSize('customers.revenue')).toBe('wide')

    await seller.page.reload()
    await dash.ready()
    expect(await dash.widgetIds()).toEqual(order)
    expect(await dash.widgetSize('customers.revenue')).toBe('wide')
    expect(await dash.source()).toBe('Your layout')

    // The admin's layout becomes the workspace default; a member without a layout sees it, the seller resets to it.
    const admin = await session.signIn('admin')
    const adminDash = await dashboardWith(admin, ['service.backlog', 'sales.forecast'])
    await adminDash.arrange(true)
    await adminDash.saveAsDefault()
    const viewer = await session.signIn('viewer')
    const viewerDash = new DashboardPage(viewer.page, viewer.room.baseUrl)
    await viewerDash.open()
    await eventually(() => viewerDash.widgetIds()).toEqual(['service.backlog', 'sales.forecast'])
    expect(await viewerDash.source()).toBe('Workspace default')
    expect(await viewer.page.getByTestId('dashboard-save-default').count()).toBe(0)
    await dash.arrange(true)
    await dash.resetToDefault()
    expect(await dash.widgetIds()).toEqual(['service.backlog', 'sales.forecast'])
  })
})
