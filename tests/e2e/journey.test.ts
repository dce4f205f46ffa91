import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { ActivityForm } from './support/ActivityForm.ts'
import { BoardPage } from './support/BoardPage.ts'
import { CustomFieldsUi } from './support/CustomFieldsUi.ts'
import { DealPage } from './support/DealPage.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { type E2eEnv, startE2e } from './support/e2eEnv.ts'
import { eventually } from './support/eventually.ts'
import { InvitePage } from './support/InvitePage.ts'
import { ListPage } from './support/ListPage.ts'
import { DESKTOP, PHONE, ResponsiveUi } from './support/ResponsiveUi.ts'
import { SettingsPage } from './support/SettingsPage.ts'
import { SignupPage } from './support/SignupPage.ts'
import { TasksPage } from './support/TasksPage.ts'
import { MembersPage, WorkspaceMenu } from './support/WorkspacePages.ts'

const OWNER = {
  workspaceName: 'Brightwater Labs',
  name: 'Bea Bright',
  email: 'bea@brightwater.test',
  password: 'bea-pass-1',
}
const COLLEAGUE = { name: 'Cal Colleague', email: 'cal@brightwater.test', password: 'cal-pass-1' }
const ACCOUNT = { name: 'Globex Corporation', domain: 'globex.test' }
const CONTACT = { firstName: 'Hank', lastName: 'Scorpio', email: 'hank@globex.test' }
const DEAL_TITLE = 'Globex platform rollout'
const TASK_TITLE = 'Send Hank the signed order form'

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
const Items = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })
const Deal = z
  .object({
    id: z.string(),
    title: z.string(),
    accountId: z.string().nullable(),
    contactIds: z.array(z.string()),
    amount: z.number(),
    currency: z.string(),
    ownerId: z.string().nullable(),
    expectedCloseDate: z.string().nullable(),
    position: z.object({ column: z.string() }).loose(),
    customFields: z.record(z.string(), z.unknown()),
  })
  .loose()
const Me = z.object({ user: z.object({ id: z.string() }).loose() }).loose()

/** GETs an API path with the page's session cookie and parses the JSON body. */
async function api<T>(page: Page, baseUrl: string, path: string, schema: z.ZodType<T>): Promise<T> {
  const res = await page.request.get(`${baseUrl}${path}`)
  if (!res.ok()) throw new Error(`GET ${path} failed: ${res.status()} ${await res.text()}`)
  return schema.parse(await res.json())
}

/** The `datetime-local` value of an instant as a person types it (to the minute), in this machine's time zone. */
function localInput(at: number): string {
  const d = new Date(at)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The first whole minute at least `leadMs` from now: the soonest due time a person can type. */
function nextWholeMinute(leadMs: number): number {
  const d = new Date(Date.now() + leadMs + 59_999)
  d.setSeconds(0, 0)
  return d.getTime()
}

/** Nothing focused or hovered, scrolled to the top: the page as a README shows it. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur()
    window.scrollTo(0, 0)
  })
}

e2eDescribe(
  'a new team’s first day, without the demo data: sign up to a reminder, on a desktop and a phone',
  () => {
    let env: E2eEnv
    let owner: Page
    let colleague: Page
    let url: string
    const contexts: BrowserContext[] = []
    const ids = { pipeline: '', stages: [] as string[], field: '', account: '', contact: '', deal: '' }
    const newPage = async (
      viewport: { width: number; height: number } = DESKTOP,
      from?: BrowserContext,
    ): Promise<Page> => {
      const storageState = from ? await from.storageState() : undefined
      const context = await env.browser.newContext({ viewport, ...(storageState ? { storageState } : {}) })
      contexts.push(context)
      return context.newPage()
    }

    beforeAll(async () => {
      env = await startE2e()
      url = env.server.url
    })
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined)
      await env?.close()
    })

    it('signs up a workspace and invites a colleague, who joins in a second browser', async () => {
      owner = await newPage()
      const signup = new SignupPage(owner, url)
      await signup.openFromLogin()
      await signup.signUp(OWNER)
      expect(await new WorkspaceMenu(owner).current()).toBe(OWNER.workspaceName)

      await new WorkspaceMenu(owner).goto('members')
      const link = await new MembersPage(owner).invite(COLLEAGUE.email, 'sales')
      colleague = await newPage()
      const invite = new InvitePage(colleague)
      await invite.open(link)
      expect(await invite.title()).toBe(`Join ${OWNER.workspaceName}`)
      await invite.join(COLLEAGUE.password, COLLEAGUE.name)
      expect(await new WorkspaceMenu(colleague).current()).toBe(OWNER.workspaceName)
      const members = new MembersPage(owner)
      await members.reload()
      await members.row(COLLEAGUE.email).waitFor()
    })

    it('sets up the pipeline: a new stage and a custom field for deals, seen live by the colleague', async () => {
      const settings = new SettingsPage(owner, url)
      const [pipeline] = (await api(owner, url, '/api/settings', Settings)).pipelines
      if (!pipeline) throw new Error('a new workspace starts with one pipeline')
      ids.pipeline = pipeline.id
      const theirs = new BoardPage(colleague, url)
      await Promise.all([settings.open('pipelines'), theirs.openColumns(pipeline.id)])
      await settings.choosePipeline(pipeline.id)
      await settings.addStage({ name: 'Security review', probability: '70', rotAfterDays: '14' })
      await eventually(async () => (await settings.stageNames()).includes('Security review')).toBe(true)
      const stages = (await api(owner, url, '/api/settings', Settings)).pipelines[0]?.stages ?? []
      const added = stages.find((s) => s.name === 'Security review')
      if (!added) throw new Error('the stage was not stored')
      await theirs.column(added.id).waitFor()
      ids.stages = stages.map((s) => s.id)

      await settings.open('fields')
      await settings.addCustomField({ label: 'Seats', entity: 'deal', type: 'number', required: true })
      const field = (await api(owner, url, '/api/settings', Settings)).customFields.find(
        (f) => f.label === 'Seats',
      )
      if (!field) throw new Error('the custom field was not stored')
      ids.field = field.id
      await settle(owner)
      await env.docScreenshot(owner, 'settings-custom-fields')
    })

    it('creates an account, a contact and a deal with every field through the UI', async () => {
      const list = new ListPage(owner, url)
      await list.openToCreate('accounts')
      await list.createRow({ name: ACCOUNT.name, domain: ACCOUNT.domain })
      await eventually(async () => (await api(owner, url, '/api/accounts', Items)).items.length).toBe(1)
      ids.account = (await api(owner, url, '/api/accounts', Items)).items[0]?.id ?? ''

      await list.openToCreate('contacts')
      await list.createRow({ ...CONTACT, accountId: ids.account })
      await eventually(async () => (await api(owner, url, '/api/contacts', Items)).items.length).toBe(1)
      ids.contact = (await api(owner, url, '/api/contacts', Items)).items[0]?.id ?? ''

      const board = new BoardPage(owner, url)
      const deal = new DealPage(owner, url)
      await board.openColumns(ids.pipeline)
      const [first, second] = ids.stages
      if (!first || !second) throw new Error('the pipeline needs two stages')
      const quick = {
        title: DEAL_TITLE,
        account: { name: ACCOUNT.name, id: ids.account },
        amount: '48,000',
        currency: 'eur',
      }
      // The required custom field is asked by the quick add: without it, no deal.
      await deal.quickAdd(first, quick)
      expect(await deal.quickAddError(first, ids.field).textContent()).toBe('Seats is required.')
      await owner.getByTestId(`quick-add-cancel-${first}`).click()
      await deal.quickAdd(first, { ...quick, custom: { [ids.field]: '200' } })
      const link = owner.locator('a.card__title', { hasText: DEAL_TITLE })
      await link.waitFor()
      ids.deal = ((await link.getAttribute('data-testid')) ?? '').slice('open-'.length)
      await link.click()
      await deal.waitForDeal(ids.deal)
      // The colleague watches the same deal page while the owner fills it in.
      const theirs = new DealPage(colleague, url)
      await theirs.open(ids.deal)

      const colleagueId = (await api(colleague, url, '/api/auth/me', Me)).user.id
      await deal.choose('ownerId', colleagueId)
      await deal.setDate('expectedCloseDate', '2027-03-31')
      await deal.choose('stage', second)
      await deal.contact(ids.contact).check()
      const fields = new CustomFieldsUi(owner)
      expect(await fields.input(ids.field).inputValue()).toBe('200')
      await fields.type(ids.field, '250')

      await eventually(() => theirs.value('stage')).toBe(second)
      await eventually(() => theirs.value('ownerId')).toBe(colleagueId)
      await eventually(() => theirs.contact(ids.contact).isChecked()).toBe(true)
      await eventually(() => colleague.getByTestId(`cf-input-${ids.field}`).inputValue()).toBe('250')
      await eventually(async () => api(owner, url, `/api/deals/${ids.deal}`, Deal)).toMatchObject({
        title: DEAL_TITLE,
        accountId: ids.account,
        contactIds: [ids.contact],
        amount: 48000,
        currency: 'EUR',
        ownerId: colleagueId,
        expectedCloseDate: '2027-03-31',
        position: { column: second },
        customFields: { [ids.field]: 250 },
      })
    })

    it('logs a call, and a task due at the next minute reminds the colleague in the inbox', async () => {
      const activity = new ActivityForm(owner)
      await activity.open()
      await activity.fill({
        type: 'call',
        durationMins: '20',
        outcome: 'Hank wants 250 seats from April',
        contacts: [`${CONTACT.firstName} ${CONTACT.lastName}`],
      })
      await activity.submit()
      await eventually(async () => (await new ActivityForm(colleague).sentences()).join('\n')).toContain(
        'Hank wants 250 seats from April',
      )
      // Logged "now", the call is newer than every change made to the deal a moment ago (the same minute).
      expect((await activity.sentences())[0]).toContain('Hank wants 250 seats from April')

      const inbox = new TasksPage(colleague, url)
      await inbox.openInbox()
      const tasks = new TasksPage(owner, url)
      // Typed to the minute, as a person types it: due at the next whole minute.
      const dueAt = nextWholeMinute(5_000)
      await tasks.add({ title: TASK_TITLE, due: localInput(dueAt), assignee: COLLEAGUE.name })
      // The assignment notice comes at once; the reminder only at the due time.
      await eventually(() => inbox.inboxTexts('assignment')).toContainEqual(
        expect.stringContaining(TASK_TITLE),
      )
      const early = await inbox.inboxTexts('reminder')
      if (Date.now() < dueAt - 1_000) expect(early).toEqual([])
      await expect
        .poll(() => inbox.inboxTexts('reminder'), { timeout: 90_000, interval: 250 })
        .toContainEqual(`Task due: “${TASK_TITLE}” on ${ACCOUNT.name}`)

      await inbox.openMine()
      await eventually(() => inbox.groupOf(TASK_TITLE)).toMatch(/^(overdue|today)$/)
      await settle(colleague)
      await env.docScreenshot(colleague, 'my-tasks')
      await new DealPage(owner, url).open(ids.deal)
      await settle(owner)
      await env.docScreenshot(owner, 'deal-page')
    }, 180_000)

    it('on a 390 × 844 phone: the board, the deal page, logging a call and My tasks', async () => {
      const phone = await newPage(PHONE, colleague.context())
      const ui = new ResponsiveUi(phone, url)
      const board = new BoardPage(phone, url)
      const [, second] = ids.stages
      if (!second) throw new Error('the pipeline needs two stages')
      await board.openColumns(ids.pipeline)
      await expect(board.switcher().isVisible()).resolves.toBe(true)
      await board.showStage(second)
      await board.card(ids.deal).waitFor()
      expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
      await settle(phone)
      await env.docScreenshot(phone, 'phone-board')

      await phone.getByTestId(`open-${ids.deal}`).click()
      const deal = new DealPage(phone, url)
      await deal.waitForDeal(ids.deal)
      expect(await deal.value('amount')).toBe('48000')
      expect(await ui.pageScrollWidth()).toBeLessThanOrEqual(PHONE.width)
      const activity = new ActivityForm(phone)
      await activity.open()
      await activity.fill({ type: 'call', durationMins: '5', outcome: 'Confirmed the April start by phone' })
      await activity.submit()
      await eventually(async () => (await new ActivityForm(owner).sentences()).join('\n')).toContain(
        'Confirmed the April start by phone',
      )
      await env.screenshot(phone, 'journey-phone-deal-390')

      await ui.navigate('tasks')
      const tasks = new TasksPage(phone, url)
      await phone.getByTestId('my-tasks').waitFor()
      await eventually(() => tasks.groupOf(TASK_TITLE)).toMatch(/^(overdue|today)$/)
      expect(await tasks.overflowPx()).toBeLessThanOrEqual(0)
      await env.screenshot(phone, 'journey-phone-my-tasks-390')
    })
  },
)
