import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { newDataDir, type ServerProcess, startServer, startServerProcess } from './helpers/startServer.ts'
import { testAdmin } from './helpers/testWorkspace.ts'

interface ImportStatus {
  id: string
  status: string
  total: number | null
  processed: number
  created: number
  updated: number
  skipped: number
  failed: number
  lastRow: number
  error?: string
}

const SECRET = 'imports-kill-test-session-secret-0123456789'
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const contactsCsv = (rows: number, domain: string): string => {
  const lines = ['First name,Last name,Email,Phone']
  for (let i = 1; i <= rows; i++)
    lines.push(`Person,"Number ${i}",p${i}@${domain},+1 555 ${String(i).padStart(6, '0')}`)
  return `${lines.join('\n')}\n`
}

const mapping = { 'First name': 'firstName', 'Last name': 'lastName', Email: 'email', Phone: 'phone' }
const start = { mapping, duplicates: { policy: 'skip', matchOn: 'email' } }

async function uploadTo(
  url: string,
  cookie: string,
  body: string | Buffer,
): Promise<{ id: string; rowCount: number }> {
  const response = await fetch(`${url}/api/imports?kind=contacts&fileName=big.csv`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body: body as BodyInit,
  })
  const json = (await response.json()) as { id: string; rowCount: number }
  expect(response.status, JSON.stringify(json)).toBe(201)
  return json
}

async function waitFor(
  url: string,
  cookie: string,
  id: string,
  ok: (s: ImportStatus) => boolean,
  timeout: number,
) {
  let last: ImportStatus | null = null
  await vi.waitFor(
    async () => {
      last = (await api<ImportStatus>(url, `/api/imports/${id}`, { cookie })).body
      expect(ok(last), JSON.stringify(last)).toBe(true)
    },
    { timeout, interval: 20 },
  )
  return last as unknown as ImportStatus
}

describe('CSV import at size and across a crash', () => {
  it('a SIGKILL mid-import → interrupted with its counts → resume completes with no duplicates', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
    const seededAdmin = await testAdmin(seeder.server, seeder.url)
    await seeder.stop({ keep: true })

    const env = { SESSION_SECRET: SECRET }
    let proc: ServerProcess = await startServerProcess(dataDir, env)
    cleanups.push(() => proc.kill('SIGKILL'))
    cleanups.push(() => {
      if (process.env.IMPORT_DEBUG) console.log(proc.output().slice(-4000))
    })
    let { cookie } = await signIn(proc.url, seededAdmin.user)
    const rows = 6000
    const { id } = await uploadTo(proc.url, cookie, contactsCsv(rows, 'kill.test'))
    expect((await api(proc.url, `/api/imports/${id}/start`, { cookie, body: start })).status).toBe(202)
    // Between batches: some rows are committed, most are not.
    const seen = await waitFor(proc.url, cookie, id, (s) => s.processed >= 400, 60_000)
    expect(await proc.kill('SIGKILL')).toBeNull()

    proc = await startServerProcess(dataDir, env)
    cookie = (await signIn(proc.url, seededAdmin.user)).cookie
    const interrupted = (await api<ImportStatus>(proc.url, `/api/imports/${id}`, { cookie })).body
    expect(interrupted.status).toBe('interrupted')
    // What was committed before the kill: the counts shown lead the job file by at most the batch being saved.
    expect(interrupted.processed).toBeGreaterThanOrEqual(seen.processed - 200)
    expect(interrupted.processed).toBeLessThan(rows)
    expect(interrupted.processed).toBe(interrupted.lastRow)
    expect(interrupted.created).toBe(interrupted.processed)
    expect(interrupted.error).toMatch(/The server stopped during the import after row \d+; resume it/)

    expect((await api(proc.url, `/api/imports/${id}/resume`, { method: 'POST', cookie })).status).toBe(202)
    const done = await waitFor(proc.url, cookie, id, (s) => s.status === 'done', 120_000)
    expect(done).toMatchObject({ processed: rows, created: rows, failed: 0, skipped: 0, total: rows })
    // Exactly one contact per row: nothing created twice.
    const list = await api<{ total: number }>(proc.url, '/api/contacts?limit=1&archived=all', { cookie })
    expect(list.body.total).toBe(rows)
    // A row's record id is `con_<import id without imp_>_<row in base 36>` (docs/schema.md §5.5).
    const sample = await api<{ email: string; lastName: string }>(
      proc.url,
      `/api/contacts/con_${id.slice(4)}_${(4321).toString(36)}`,
      { cookie },
    )
    expect(sample.body).toMatchObject({ email: 'p4321@kill.test', lastName: 'Number 4321' })
    expect(await proc.kill('SIGTERM')).toBe(0)
  }, 240_000)

  it('a 100,000-row contacts file imports fully; another workspace is untouched', async () => {
    const s = await startServer()
    cleanups.push(() => s.stop())
    const admin = await testAdmin(s.server, s.url)
    const other = await seedMember(s.server, {
      workspaceId: 'ws_big_other',
      email: 'o@big.test',
      role: 'admin',
    })
    const otherCookie = (await signIn(s.url, other)).cookie
    const file = join(s.dataDir, 'generated-100k.csv')
    await writeFile(file, contactsCsv(100_000, 'big.test'))
    const { id, rowCount } = await uploadTo(s.url, admin.cookie, await readFile(file))
    expect(rowCount).toBe(100_000)
    expect((await api(s.url, `/api/imports/${id}/start`, { cookie: admin.cookie, body: start })).status).toBe(
      202,
    )
    const done = await waitFor(s.url, admin.cookie, id, (st) => st.status === 'done', 840_000)
    expect(done).toMatchObject({ processed: 100_000, created: 100_000, failed: 0, skipped: 0 })
    const list = await api<{ total: number }>(s.url, '/api/contacts?limit=1', { cookie: admin.cookie })
    expect(list.body.total).toBe(100_000)
    for (const n of [1, 54_321, 100_000]) {
      const hit = await api<{ email: string; lastName: string; phone: string }>(
        s.url,
        `/api/contacts/con_${id.slice(4)}_${n.toString(36)}`,
        { cookie: admin.cookie },
      )
      expect(hit.body).toMatchObject({
        email: `p${n}@big.test`,
        lastName: `Number ${n}`,
        phone: `+1 555 ${String(n).padStart(6, '0')}`,
      })
    }
    expect(
      (await api<{ total: number }>(s.url, '/api/contacts?limit=1', { cookie: otherCookie })).body.total,
    ).toBe(0)
    expect(
      (await api<{ imports: unknown[] }>(s.url, '/api/imports', { cookie: otherCookie })).body.imports,
    ).toEqual([])
  }, 900_000)
})
