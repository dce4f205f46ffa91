import { request } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/*
 * Text responses of 1 KiB and more are gzipped for a client that asks (Accept-Encoding); small ones, the SSE change
 * feed and zip exports never are (docs/schema.md "HTTP conventions"). node:http, unlike fetch, shows the bytes as
 * sent.
 */

const WS = 'ws_gzip'
let s: StartedServer
let cookie = ''

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** GET with node:http: the raw body and headers, nothing decoded. */
const rawGet = (path: string, headers: Record<string, string>): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })

beforeAll(async () => {
  s = await startServer()
  const admin = await seedMember(s.server, { workspaceId: WS, email: 'admin@gzip.test', role: 'admin' })
  cookie = (await signIn(s.url, admin)).cookie
  for (let i = 0; i < 40; i++) {
    const res = await api(s.url, '/api/accounts', {
      cookie,
      body: { name: `Gzip Account ${i}`, domain: `gzip${i}.example`, industry: 'Software' },
    })
    expect(res.status).toBe(201)
  }
})
afterAll(async () => {
  await s.stop()
})

describe('compressed responses', () => {
  it('gzips a large JSON list for a client that accepts it: the same JSON once decoded, much smaller on the wire', async () => {
    const path = '/api/accounts?limit=100&sort=name'
    const plain = await rawGet(path, { cookie })
    expect(plain.status).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    const json = JSON.parse(plain.body.toString('utf8')) as { items: unknown[]; total: number }
    expect(json.total).toBe(40)
    expect(plain.body.byteLength).toBeGreaterThan(4096)

    const gzipped = await rawGet(path, { cookie, 'accept-encoding': 'gzip, deflate' })
    expect(gzipped.status).toBe(200)
    expect(gzipped.headers['content-encoding']).toBe('gzip')
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i)
    expect(gzipped.headers['content-type']).toContain('application/json')
    expect(gzipped.body.byteLength).toBeLessThan(plain.body.byteLength / 3)
    expect(JSON.parse(gunzipSync(gzipped.body).toString('utf8'))).toEqual(json)
  })

  it('gzips the OpenAPI document and leaves a small JSON answer as it is', async () => {
    const spec = await rawGet('/api/openapi.json', { 'accept-encoding': 'gzip' })
    expect(spec.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(spec.body).toString('utf8'))).toHaveProperty('paths')

    const small = await rawGet('/api/auth/me', { cookie, 'accept-encoding': 'gzip' })
    expect(small.status).toBe(200)
    expect(small.body.byteLength).toBeLessThan(1024)
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(Number(small.headers['content-length'])).toBe(small.body.byteLength)
    expect(JSON.parse(small.body.toString('utf8'))).toBeTruthy()
  })

  it('never compresses the zip export (already compressed)', async () => {
    const zip = await rawGet('/api/export', { cookie, 'accept-encoding': 'gzip' })
    expect(zip.status).toBe(200)
    expect(zip.headers['content-type']).toBe('application/zip')
    expect(zip.headers['content-encoding']).toBeUndefined()
    // A zip file starts with "PK".
    expect(zip.body.subarray(0, 2).toString('latin1')).toBe('PK')
  })

  it('never compresses the SSE change feed: an event arrives while the stream stays open', async () => {
    let text = ''
    const { req, headers } = await new Promise<{
      req: ReturnType<typeof request>
      headers: Record<string, string | string[] | undefined>
    }>((resolve, reject) => {
      const req = request(`${s.url}/api/feed`, { headers: { cookie, 'accept-encoding': 'gzip' } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8')
        })
        resolve({ req, headers: res.headers })
      })
      req.on('error', reject)
      req.end()
    })
    try {
      expect(headers['content-type']).toContain('text/event-stream')
      expect(headers['content-encoding']).toBeUndefined()
      await expect.poll(() => text).toContain('event: live')
      const created = await api<{ id: string }>(s.url, '/api/accounts', {
        cookie,
        body: { name: 'Streamed Account' },
      })
      expect(created.status).toBe(201)
      // Plain text on the wire, delivered while the response is still open.
      await expect.poll(() => text).toContain(created.body.id)
    } finally {
      req.destroy()
    }
  })
})
