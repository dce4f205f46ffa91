import { rm } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { api, login } from './helpers/clients.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

const EMAILS = [
  'admin@rapport.dev',
  'sales@rapport.dev',
  'sales2@rapport.dev',
  'support@rapport.dev',
  'viewer@rapport.dev',
]
let dataDir = ''
let running: StartedServer | null = null

afterAll(async () => {
  await running?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const counts = async (url: string, cookie: string) => {
  const out: Record<string, number> = {}
  for (const kind of ['accounts', 'contacts', 'deals', 'tickets']) {
    const page = await api<{ total: number }>(url, `/api/${kind}?limit=1`, { cookie })
    out[kind] = page.body.total
  }
  return out
}

describe('demo seed', () => {
  it('seeds an empty data directory once, and the projection serves it after a restart', async () => {
    dataDir = await newDataDir()
    // Seeding time is logged by the seed (`ms`), not asserted here: timings belong to benchmarks.
    running = await startServer({ dataDir, seedDemo: true })
    expect(running.server.demoLogins?.map((l) => l.email)).toEqual(EMAILS)
    const cookie = await login(running.url, 'admin@rapport.dev', 'rapport-demo')
    const first = await counts(running.url, cookie)
    expect(first).toEqual({ accounts: 60, contacts: 200, deals: 120, tickets: 40 })
    const tickets = await api<{ items: Array<{ position: { column: string } }> }>(
      running.url,
      '/api/tickets?limit=200',
      { cookie },
    )
    expect(new Set(tickets.body.items.map((t) => t.position.column))).toEqual(
      new Set(['new', 'open', 'waiting', 'resolved']),
    )
    const notes = await api<{ items: Array<{ kind: string }> }>(running.url, '/api/search?q=quarter', {
      cookie,
    })
    expect(notes.body.items.some((hit) => hit.kind === 'notes')).toBe(true)
    for (const email of EMAILS)
      expect(await login(running.url, email, 'rapport-demo')).toMatch(/rapport_session=/)

    // Change something, restart on the same directory: no reseed, the change and the counts survive.
    const [first_account] = (
      await api<{ items: Array<{ id: string }> }>(running.url, '/api/accounts?sort=name&limit=1', { cookie })
    ).body.items
    const renamed = await api(running.url, `/api/accounts/${first_account?.id}`, {
      method: 'PATCH',
      cookie,
      body: { name: 'Renamed Before Restart' },
    })
    expect(renamed.status).toBe(200)
    await running.stop({ keep: true })
    running = await startServer({ dataDir, seedDemo: true })
    expect(running.server.demoLogins).toBeNull()
    const again = await login(running.url, 'admin@rapport.dev', 'rapport-demo')
    expect(await counts(running.url, again)).toEqual(first)
    const found = await api<{ total: number }>(running.url, '/api/accounts?q=Renamed Before Restart', {
      cookie: again,
    })
    expect(found.body.total).toBe(1)
  })
})
