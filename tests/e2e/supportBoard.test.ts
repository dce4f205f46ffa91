import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eEnv, E2eUser } from './support/e2eEnv.ts'
import { startE2e } from './support/e2eEnv.ts'
import { TicketPage } from './support/TicketPage.ts'

const TicketRow = z
  .object({ id: z.string(), subject: z.string(), position: z.object({ column: z.string() }) })
  .loose()
const Tickets = z.object({ items: z.array(TicketRow) })

/**
 * Issue #12 (RC2): the support board reads its cards from REST + the change feed and never opens `W/support` for
 * them; a quick-added ticket and a move reach another member's open board live.
 */
e2eDescribe('support board over REST and the feed', () => {
  let env: E2eEnv
  const users: E2eUser[] = []

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    for (const u of users) await u.context.close()
    await env?.close()
  })

  it('a quick-added ticket and a "Move to" reach a second member’s open board; the server holds the move', async () => {
    const riley = await env.signIn('support')
    const admin = await env.signIn('admin')
    users.push(riley, admin)
    for (const who of [riley, admin]) {
      await who.page.goto(`${who.room.baseUrl}/#/support`)
      await who.page.getByTestId('ticket-column-new').waitFor()
    }
    const subject = `Printer jammed ${Date.now().toString(36)}`
    await riley.page.getByTestId('ticket-quick-add').fill(subject)
    await riley.page.getByTestId('ticket-quick-add-submit').click()
    const watching = admin.page.getByTestId('ticket-column-new').getByText(subject)
    await watching.waitFor()
    const created = (await riley.api('/api/tickets?status=new&limit=200', Tickets)).items.find(
      (t) => t.subject === subject,
    )
    if (!created) throw new Error('the quick-added ticket is not in the list')

    const ticket = new TicketPage(riley.page, riley.room.baseUrl)
    await ticket.open(created.id)
    await riley.page.getByTestId('ticket-move-waiting').click()
    await admin.page.getByTestId('ticket-column-waiting').getByText(subject).waitFor()
    await expect
      .poll(async () => (await riley.api(`/api/tickets/${created.id}`, TicketRow)).position.column)
      .toBe('waiting')
    expect(await admin.page.getByTestId('ticket-column-new').getByText(subject).count()).toBe(0)
  })
})
