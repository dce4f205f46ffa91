/**
 * A quick, in-process look at the CSV import's cost per row (not part of `pnpm bench`): a fresh data dir with the
 * demo seed, `IMPORT_ROWS` contacts (default 5,000) imported through the REST routes, time and rows/s printed.
 * Run `node --cpu-prof --import tsx tests/bench/importProfile.ts` to see where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, createServer } from '@rapport/server'

const rows = Number(process.env.IMPORT_ROWS ?? 5_000)
const dataDir = mkdtempSync(join(tmpdir(), 'rapport-import-profile-'))
const server = await createServer({
  dataDir,
  secrets: { session: 'import-profile-session-secret-0123456789abcdef' },
  logger: createLogger({ level: 'warn', format: 'pretty' }),
  webDist: null,
  seedDemo: true,
  fsync: process.env.FSYNC !== '0',
})
const { url } = await server.listen(0)
try {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@rapport.dev', password: 'rapport-demo' }),
  })
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const lines = ['First name,Last name,Email,Phone,Title']
  for (let i = 1; i <= rows; i++)
    lines.push(`Bench,"Person ${i}",bench${i}@import.bench,+1 555 ${String(i).padStart(7, '0')},Buyer`)
  const upload = await fetch(`${url}/api/imports?kind=contacts&fileName=bench.csv`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body: `${lines.join('\n')}\n`,
  })
  const { id } = (await upload.json()) as { id: string }
  const mapping = {
    'First name': 'firstName',
    'Last name': 'lastName',
    Email: 'email',
    Phone: 'phone',
    Title: 'title',
  }
  const started = performance.now()
  const start = await fetch(`${url}/api/imports/${id}/start`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ mapping, duplicates: { policy: 'skip', matchOn: 'email' } }),
  })
  if (start.status !== 202) throw new Error(`start: ${start.status} ${await start.text()}`)
  let status: { status: string; created: number; failed: number; processed: number }
  for (;;) {
    status = (await (
      await fetch(`${url}/api/imports/${id}`, { headers: { cookie } })
    ).json()) as typeof status
    if (status.status !== 'running') break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const ms = performance.now() - started
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20)
  console.log(
    `${rows} rows: ${status.status}, created ${status.created}, failed ${status.failed}, ${Math.round(ms)} ms, ${Math.round((rows / ms) * 1000)} rows/s, rss ${rss} MB`,
  )
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
