import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { collectionMap, docName, NOTIFICATIONS, Notification, readRecords } from '@rapport/model'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { openSyncedDoc } from './helpers/collabClient.ts'
import { newDataDir, type ServerProcess, startServer, startServerProcess } from './helpers/startServer.ts'

const WS = 'ws_reminders'
const SECRET = 'reminders-restart-session-secret-0123456789-abcdef'
const ENV = { SESSION_SECRET: SECRET, LOG_LEVEL: 'info', SEED_DEMO: '0' }
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * The reminder scheduler in the real `main.ts` process, with the real clock: a due time that passes while the process
 * is dead (SIGKILL) is reminded once at the next start, and a SIGKILL after the reminder does not bring a second one.
 */
describe('task reminders across SIGKILL of the server process', () => {
  it('remind a missed due time once at start, and never again after another kill', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
    const sales = await seedMember(seeder.server, { workspaceId: WS, email: 'sales@rem.test', role: 'sales' })
    const sales2 = await seedMember(seeder.server, {
      workspaceId: WS,
      email: 'sales2@rem.test',
      role: 'sales',
    })
    const seeded = await signIn(seeder.url, sales)
    const account = await api<{ id: string }>(seeder.url, '/api/accounts', {
      cookie: seeded.cookie,
      body: { name: 'Kill Co' },
    })
    await seeder.stop({ keep: true })

    let proc: ServerProcess = await startServerProcess(dataDir, ENV)
    cleanups.push(() => proc.kill('SIGKILL'))
    const { cookie } = await signIn(proc.url, sales)
    const due = Date.now() + 5_000
    const task = await api<{ id: string }>(proc.url, '/api/tasks', {
      cookie,
      body: { accountId: account.body.id, title: 'Ring back', dueAt: due, assigneeId: sales2.id },
    })
    expect(task.status).toBe(201)
    expect(await proc.kill('SIGKILL')).toBeNull()
    expect(Date.now()).toBeLessThan(due) // killed before the due time: the reminder is missed, not sent
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(due), { timeout: 10_000, interval: 100 })

    const remindersIn = async (p: ServerProcess): Promise<Notification[]> => {
      const { token } = await signIn(p.url, sales2)
      const inbox = await openSyncedDoc({
        wsUrl: p.wsUrl,
        name: docName({ workspaceId: WS, kind: 'inbox', userId: sales2.id }),
        token,
      })
      try {
        return readRecords(collectionMap(inbox.doc, NOTIFICATIONS), Notification).records.filter(
          (n) => n.type === 'reminder' && n.link.taskId === task.body.id,
        )
      } finally {
        inbox.destroy()
      }
    }

    proc = await startServerProcess(dataDir, ENV)
    await vi.waitFor(async () => expect(await remindersIn(proc)).toHaveLength(1), { timeout: 15_000 })
    const file = join(dataDir, 'reminders.json')
    await vi.waitFor(async () => {
      const state = JSON.parse(await readFile(file, 'utf8')) as { fired: Record<string, number> }
      expect(state.fired[`${WS}/${task.body.id}`]).toBe(due)
    })

    expect(await proc.kill('SIGKILL')).toBeNull()
    proc = await startServerProcess(dataDir, ENV)
    await vi.waitFor(() => expect(proc.output()).toContain('reminders checked at start'), { timeout: 15_000 })
    expect(await remindersIn(proc)).toHaveLength(1)
  })
})
