import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  collectionMap,
  createTask,
  docName,
  NOTIFICATIONS,
  Notification,
  readRecords,
  type Task,
  updateTask,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import {
  api,
  destroyProviders,
  openProvider,
  type SeededUser,
  seedMember,
  signIn,
} from './helpers/clients.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_tasks'
const room = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })
const inbox = (userId: string) => docName({ workspaceId: WS, kind: 'inbox', userId })

async function serverRead<T>(started: StartedServer, name: string, read: (doc: Y.Doc) => T): Promise<T> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    return read(connection.document as Y.Doc)
  } finally {
    await connection.disconnect()
  }
}

const notificationsOf = (started: StartedServer, userId: string) =>
  serverRead(
    started,
    inbox(userId),
    (doc) => readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records,
  )

interface Member extends SeededUser {
  cookie: string
  token: () => Promise<string>
}

type Who = 'sales' | 'sales2' | 'support' | 'viewer'

async function members(started: StartedServer): Promise<Record<Who, Member>> {
  const out: Partial<Record<Who, Member>> = {}
  for (const [key, role] of [
    ['sales', 'sales'],
    ['sales2', 'sales'],
    ['support', 'support'],
    ['viewer', 'viewer'],
  ] as const) {
    const user = await seedMember(started.server, {
      workspaceId: WS,
      email: `${key}@tasks.test`,
      role,
      name: key,
    })
    out[key] = { ...user, ...(await signIn(started.url, user)) }
  }
  return out as Record<Who, Member>
}

async function newAccount(started: StartedServer, cookie: string, name: string): Promise<string> {
  const created = await api<{ id: string }>(started.url, '/api/accounts', { cookie, body: { name } })
  expect(created.status).toBe(201)
  return created.body.id
}

describe('tasks over REST and from clients', () => {
  let started: StartedServer
  let m: Awaited<ReturnType<typeof members>>
  let accountId: string

  beforeAll(async () => {
    started = await startServer()
    m = await members(started)
    accountId = await newAccount(started, m.sales.cookie, 'Task Co')
  })
  afterEach(() => destroyProviders())
  afterAll(() => started.stop())

  it('creates, lists (assignee=me, by due time) and patches tasks; a ticket without an account is refused', async () => {
    const { url } = started
    const later = await api<Task>(url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { accountId, title: 'Later', dueAt: Date.UTC(2030, 0, 2), assigneeId: m.sales.id },
    })
    const sooner = await api<Task>(url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: {
        accountId,
        title: 'Sooner',
        dueAt: Date.UTC(2030, 0, 1),
        assigneeId: m.sales.id,
        dealId: 'deal_x',
      },
    })
    expect(later.status).toBe(201)
    expect(sooner.body).toMatchObject({ accountId, dealId: 'deal_x', contactId: null, done: false })
    await api(url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { accountId, title: 'Not mine', assigneeId: m.sales2.id },
    })

    const mine = await api<{ items: Array<Task & { accountName: string }>; total: number }>(
      url,
      '/api/tasks?assignee=me&status=open',
      { cookie: m.sales.cookie },
    )
    expect(mine.body.items.map((t) => t.title)).toEqual(['Sooner', 'Later'])
    expect(mine.body.items[0]?.accountName).toBe('Task Co')
    const ofDeal = await api<{ items: Task[] }>(url, '/api/tasks?dealId=deal_x', { cookie: m.viewer.cookie })
    expect(ofDeal.body.items.map((t) => t.title)).toEqual(['Sooner'])

    const done = await api<Task>(url, `/api/tasks/${sooner.body.id}`, {
      method: 'PATCH',
      cookie: m.sales.cookie,
      body: { done: true },
    })
    expect(done.body.done).toBe(true)
    const open = await api<{ items: Task[] }>(url, '/api/tasks?assignee=me&status=open', {
      cookie: m.sales.cookie,
    })
    expect(open.body.items.map((t) => t.title)).toEqual(['Later'])

    const blank = await api(url, '/api/tasks', { cookie: m.sales.cookie, body: { accountId, title: '  ' } })
    expect(blank.status).toBe(400)
    expect(blank.body.error.message).toContain('Give the task a title')
    const ticket = await api<{ id: string }>(url, '/api/tickets', {
      cookie: m.support.cookie,
      body: { subject: 'No account' },
    })
    expect(ticket.status).toBe(201)
    const orphan = await api(url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { ticketId: ticket.body.id, title: 'x' },
    })
    expect(orphan.status).toBe(400)
    expect(orphan.body.error.message).toBe('Link the ticket to an account before adding tasks to it')
    const viewer = await api(url, '/api/tasks', { cookie: m.viewer.cookie, body: { accountId, title: 'x' } })
    expect(viewer.status).toBe(403)
  })

  it('assigning a task to someone else notifies them, never the assigner about their own task', async () => {
    const { url } = started
    const before = (await notificationsOf(started, m.sales.id)).length
    const given = await api<Task>(url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { accountId, title: 'Call the CFO', assigneeId: m.sales2.id },
    })
    await vi.waitFor(async () => {
      const theirs = await notificationsOf(started, m.sales2.id)
      expect(theirs.filter((n) => n.link.taskId === given.body.id)).toMatchObject([
        { type: 'assignment', actorId: m.sales.id, link: { accountId, taskId: given.body.id } },
      ])
    })
    // A client (provider) assigns to itself: nobody is notified; then to sales2: sales2 is.
    const provider = await openProvider({
      wsUrl: started.wsUrl,
      name: room(accountId),
      token: m.sales.token,
    })
    const doc = provider.provider.document
    const own = createTask(doc, { title: 'Mine', assigneeId: m.sales.id }, 'client')
    updateTask(doc, own.id, { title: 'Mine, renamed' }, 'client')
    updateTask(doc, own.id, { assigneeId: m.sales2.id }, 'client')
    await vi.waitFor(async () => {
      const theirs = await notificationsOf(started, m.sales2.id)
      expect(theirs.some((n) => n.link.taskId === own.id)).toBe(true)
    })
    await started.server.automation.idle()
    expect((await notificationsOf(started, m.sales.id)).length).toBe(before)
  })
})

describe('task reminders', () => {
  it('fire once at the due time, once for a due time missed while stopped, and never twice across restarts', async () => {
    let clock = Date.UTC(2026, 0, 5, 9, 0)
    const now = () => clock
    const dataDir = await newDataDir()
    let started = await startServer({ dataDir, now })
    const m = await members(started)
    const accountId = await newAccount(started, m.sales.cookie, 'Reminder Co')
    const reminders = async (s: StartedServer) =>
      (await notificationsOf(s, m.sales2.id)).filter((n) => n.type === 'reminder')

    const due = clock + 60 * 60_000
    const task = await api<Task>(started.url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { accountId, title: 'Send the proposal', dueAt: due, assigneeId: m.sales2.id },
    })
    expect(await started.server.reminders.check()).toBe(0)
    clock = due + 1
    expect(await started.server.reminders.check()).toBe(1)
    expect(await started.server.reminders.check()).toBe(0)
    expect(await reminders(started)).toMatchObject([
      {
        type: 'reminder',
        actorId: null,
        text: 'Task due: “Send the proposal” on Reminder Co',
        link: { taskId: task.body.id },
      },
    ])

    // Due while the server is stopped: reminded once when it starts.
    const missed = await api<Task>(started.url, '/api/tasks', {
      cookie: m.sales.cookie,
      body: { accountId, title: 'Renew the contract', dueAt: clock + 10 * 60_000, assigneeId: m.sales2.id },
    })
    await started.stop({ keep: true })
    clock += 30 * 60_000
    started = await startServer({ dataDir, now })
    await vi.waitFor(async () => {
      expect((await reminders(started)).map((n) => n.link.taskId).sort()).toEqual(
        [task.body.id, missed.body.id].sort(),
      )
    })
    expect(await started.server.reminders.check()).toBe(0)

    // A crash after the inbox write but before the fired state was saved: the derived id prevents a second one.
    await started.stop({ keep: true })
    const file = join(dataDir, 'reminders.json')
    const state = JSON.parse(await readFile(file, 'utf8')) as { fired: Record<string, number> }
    state.fired = {}
    await writeFile(file, JSON.stringify(state))
    started = await startServer({ dataDir, now })
    expect(await started.server.reminders.check()).toBe(0)
    expect(await reminders(started)).toHaveLength(2)

    // A new due time is a new reminder.
    const cookie = (await signIn(started.url, m.sales)).cookie
    await api(started.url, `/api/tasks/${task.body.id}`, {
      method: 'PATCH',
      cookie,
      body: { dueAt: clock + 1000 },
    })
    clock += 2000
    expect(await started.server.reminders.check()).toBe(1)
    expect(await reminders(started)).toHaveLength(3)
    await started.stop()
  })
})
