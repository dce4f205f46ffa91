import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, type E2eEnv, type E2eUser, startE2e } from './support/e2eEnv.ts'
import { TasksPage } from './support/TasksPage.ts'
import { TicketPage } from './support/TicketPage.ts'
import { TrashPage } from './support/TrashPage.ts'

const Archived = z.object({ id: z.string(), archived: z.boolean() }).loose()
const Tickets = z.object({
  items: z.array(z.object({ id: z.string(), accountId: z.string().nullable() }).loose()),
})
const Tasks = z.object({
  items: z.array(z.object({ title: z.string(), ticketId: z.string().nullable() }).loose()),
})
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1440, height: 900 }

/** A `datetime-local` value `days` from today at `time`, in this machine's (and the browser's) time zone. */
function localDue(days: number, time: string): string {
  const d = new Date()
  d.setDate(d.getDate() + days)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${time}`
}

e2eDescribe('tasks, My tasks, reminders and the Trash', () => {
  let env: E2eEnv
  const users: E2eUser[] = []

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    for (const u of users) await u.context.close()
    await env?.close()
  })

  it('a task due in the past shows overdue on My tasks; a task given to someone else reaches their inbox', async () => {
    const sales = await env.signIn('sales')
    const sales2 = await env.signIn('sales2')
    users.push(sales, sales2)
    const [accountId] = await accountIds(sales, 1)
    if (!accountId) throw new Error('the demo workspace has no account')
    const tasks = new TasksPage(sales.page, sales.room.baseUrl)
    const stamp = Date.now().toString(36)
    const late = `Call back the buyer ${stamp}`
    const given = `Prepare the renewal quote ${stamp}`
    // Sasha watches her My tasks while Sam works: what Sam gives her must appear without a reload.
    const theirs = new TasksPage(sales2.page, sales2.room.baseUrl)
    await theirs.openMine()

    await sales.room.open(accountId)
    await tasks.submitEmpty()
    expect(await tasks.addError()).toBe('Give the task a title')
    await tasks.add({ title: late, due: localDue(-1, '09:00'), assignee: 'Sam Sales' })
    await expect.poll(() => tasks.overdueLabel(late).textContent()).toBe('Overdue')
    await tasks.add({ title: given, due: localDue(1, '10:00'), assignee: 'Sasha Sales' })
    await expect.poll(() => theirs.groupOf(given), { timeout: 15_000 }).toBe('upcoming')
    await tasks.row(given).scrollIntoViewIfNeeded()
    await env.screenshot(sales.page, 'account-tasks-1440')
    await sales.page.setViewportSize(PHONE)
    await tasks.row(given).scrollIntoViewIfNeeded()
    await env.screenshot(sales.page, 'account-tasks-390')
    await sales.page.setViewportSize(DESKTOP)

    await tasks.openMine()
    await expect.poll(() => tasks.groupOf(late)).toBe('overdue')
    await expect.poll(() => tasks.overdueLabel(late).isVisible()).toBe(true)
    expect(await tasks.row(given).count()).toBe(0)
    await env.screenshot(sales.page, 'my-tasks-1440')
    await sales.page.setViewportSize(PHONE)
    await env.screenshot(sales.page, 'my-tasks-390')
    // The page's own content fits 390 px (the top bar is the shell's, not this page's).
    expect(await tasks.overflowPx()).toBeLessThanOrEqual(0)
    await sales.page.setViewportSize(DESKTOP)

    // Done on My tasks: it moves to "Done recently" (the room's change re-asks the server).
    await tasks.toggleDone(late)
    await expect.poll(() => tasks.groupOf(late)).toBe('done')

    await theirs.openInbox()
    await expect
      .poll(() => theirs.inboxTexts('assignment'), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining(given))
    // The task was already due when it was created: Sam got its reminder, and no assignment notice for his own task.
    await tasks.openInbox()
    await expect
      .poll(() => tasks.inboxTexts('reminder'), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining(late))
    expect((await tasks.inboxTexts('assignment')).some((t) => t.includes(late))).toBe(false)
  })

  it('archiving an account puts it in the Trash; Restore brings it back', async () => {
    const sales = await env.signIn('sales')
    users.push(sales)
    const [, accountId] = await accountIds(sales, 2)
    if (!accountId) throw new Error('the demo workspace has too few accounts')
    const trash = new TrashPage(sales.page, sales.room.baseUrl)

    await sales.room.open(accountId)
    await trash.archiveShown()
    await expect.poll(() => sales.page.evaluate(() => window.location.hash)).toBe('#/accounts')
    await expect
      .poll(async () => (await sales.api(`/api/accounts/${accountId}`, Archived)).archived)
      .toBe(true)

    await trash.open()
    await trash.row('accounts', accountId).waitFor()
    await env.screenshot(sales.page, 'trash-1440')
    await sales.page.setViewportSize(PHONE)
    await env.screenshot(sales.page, 'trash-390')
    await sales.page.setViewportSize(DESKTOP)
    await trash.restore('accounts', accountId)
    await expect
      .poll(async () => (await sales.api(`/api/accounts/${accountId}`, Archived)).archived)
      .toBe(false)
  })

  it('a ticket has its tasks (in its account room) and goes to the Trash and back', async () => {
    const support = await env.signIn('support')
    users.push(support)
    const ticket = (await support.api('/api/tickets?limit=100', Tickets)).items.find((t) => t.accountId)
    if (!ticket?.accountId) throw new Error('the demo workspace has no ticket with an account')
    const ticketUi = new TicketPage(support.page, support.room.baseUrl)
    const tasks = new TasksPage(support.page, support.room.baseUrl)
    const trash = new TrashPage(support.page, support.room.baseUrl)
    const title = `Check the logs ${Date.now().toString(36)}`

    await ticketUi.open(ticket.id)
    await tasks.add({ title, due: localDue(0, '23:30') })
    await expect
      .poll(async () =>
        (await support.api(`/api/tasks?ticketId=${ticket.id}`, Tasks)).items.map((t) => t.title),
      )
      .toContain(title)

    await trash.archiveShown()
    // Archiving closes the drawer (the ticket left the board) and goes back to #/support.
    await ticketUi.drawer.waitFor({ state: 'detached' })
    await expect.poll(() => support.page.evaluate(() => window.location.hash)).toBe('#/support')
    await expect
      .poll(async () => (await support.api(`/api/tickets/${ticket.id}`, Archived)).archived)
      .toBe(true)
    await trash.open()
    await trash.restore('tickets', ticket.id)
    await expect
      .poll(async () => (await support.api(`/api/tickets/${ticket.id}`, Archived)).archived)
      .toBe(false)
  })

  it('a viewer sees tasks read-only and the Trash without Restore', async () => {
    const viewer = await env.signIn('viewer')
    users.push(viewer)
    const [accountId] = await accountIds(viewer, 1)
    if (!accountId) throw new Error('the demo workspace has no account')
    const tasks = new TasksPage(viewer.page, viewer.room.baseUrl)
    await viewer.room.open(accountId)
    await expect.poll(() => tasks.rowCount()).toBeGreaterThan(0)
    expect(await tasks.canAdd()).toBe(false)
    expect(await tasks.editableControls()).toBe(0)
    await env.screenshot(viewer.page, 'account-tasks-viewer-1440')
    const trash = new TrashPage(viewer.page, viewer.room.baseUrl)
    await trash.open()
    expect(await trash.restoreButtons()).toBe(0)
  })

  it('an admin deletes an archived contact for good from the Trash', async () => {
    const admin = await env.signIn('admin')
    users.push(admin)
    const Contacts = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })
    const [contact] = (await admin.api('/api/contacts?limit=1', Contacts)).items
    if (!contact) throw new Error('the demo workspace has no contact')
    const trash = new TrashPage(admin.page, admin.room.baseUrl)
    await trash.archiveContact(contact.id)
    await expect.poll(() => admin.page.evaluate(() => window.location.hash)).toBe('#/contacts')
    await trash.open()
    await trash.deleteForGood('contacts', contact.id)
    const all = await admin.api('/api/contacts?archived=all&limit=200', Contacts)
    expect(all.items.map((c) => c.id)).not.toContain(contact.id)
  })
})
