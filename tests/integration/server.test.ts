import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { conflict } from '@rapport/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { getHealth } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const BIG_ASSET = Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i} * 2\n`).join('')

/** GET with node:http: the raw body and headers, nothing decoded. */
const rawGet = (url: string, headers: Record<string, string>) =>
  new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })

describe('server core', () => {
  let withWeb: StartedServer
  let withoutWeb: StartedServer
  let webDist: string

  beforeAll(async () => {
    webDist = await mkdtemp(join(tmpdir(), 'rapport-web-'))
    await mkdir(join(webDist, 'assets'))
    await writeFile(join(webDist, 'index.html'), '<!doctype html><title>Rapport SPA</title>')
    await writeFile(join(webDist, 'assets', 'app-123.js'), 'console.log("app")')
    await writeFile(join(webDist, 'assets', 'big-456.js'), BIG_ASSET)
    withWeb = await startServer({ webDist })
    withoutWeb = await startServer({ webDist: null })
    // Routes that throw, to check the one error mapping.
    withWeb.server.app.get('/api/__test/conflict', () => {
      throw conflict('Already there', 'already_there')
    })
    withWeb.server.app.get('/api/__test/zod', (c) => c.json(z.object({ n: z.number() }).parse({ n: 'x' })))
    withWeb.server.app.get('/api/__test/crash', () => {
      throw new Error('secret detail')
    })
  })
  afterAll(async () => {
    await withWeb.stop()
    await withoutWeb.stop()
    await rm(webDist, { recursive: true, force: true })
  })

  it('reports health with zero counts when idle', async () => {
    expect(await getHealth(withWeb.url)).toMatchObject({
      ok: true,
      documents: 0,
      connections: 0,
      dirtyDocuments: 0,
    })
  })

  it('serves the built web app with an SPA fallback, assets with long caching', async () => {
    const index = await fetch(`${withWeb.url}/`)
    expect(index.status).toBe(200)
    expect(await index.text()).toContain('Rapport SPA')
    const deep = await fetch(`${withWeb.url}/boards/pipeline/p1?x=1`)
    expect(deep.headers.get('content-type')).toContain('text/html')
    expect(await deep.text()).toContain('Rapport SPA')
    const asset = await fetch(`${withWeb.url}/assets/app-123.js`)
    expect(asset.headers.get('content-type')).toContain('javascript')
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${withWeb.url}/assets/missing-1.js`)).status).toBe(404)
    const traversal = await fetch(`${withWeb.url}/..%2f..%2fetc%2fpasswd`)
    expect(await traversal.text()).toContain('Rapport SPA')
  })

  it('sends a hashed asset brotli- or gzip-compressed as the client accepts, the same bytes each time', async () => {
    const url = `${withWeb.url}/assets/big-456.js`
    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.headers['cache-control']).toContain('immutable')
    expect(Number(br.headers['content-length'])).toBe(br.body.byteLength)
    expect(br.body.byteLength).toBeLessThan(BIG_ASSET.length / 5)
    expect(brotliDecompressSync(br.body).toString('utf8')).toBe(BIG_ASSET)
    expect((await rawGet(url, { 'accept-encoding': 'br' })).body.equals(br.body)).toBe(true)

    const gz = await rawGet(url, { 'accept-encoding': 'gzip, br;q=0' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).toString('utf8')).toBe(BIG_ASSET)

    const plain = await rawGet(url, {})
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString('utf8')).toBe(BIG_ASSET)
    // A small asset is sent as it is.
    const small = await rawGet(`${withWeb.url}/assets/app-123.js`, { 'accept-encoding': 'br, gzip' })
    expect(small.headers['content-encoding']).toBeUndefined()
  })

  it('says to run the build when there is no web build', async () => {
    const page = await fetch(`${withoutWeb.url}/anything`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('pnpm build')
  })

  it('maps errors once to { error: { code, message } }', async () => {
    const missing = await fetch(`${withWeb.url}/api/does-not-exist`)
    expect(missing.status).toBe(404)
    expect((await missing.json()) as unknown).toMatchObject({ error: { code: 'not_found' } })
    const conflicted = await fetch(`${withWeb.url}/api/__test/conflict`)
    expect(conflicted.status).toBe(409)
    expect(await conflicted.json()).toEqual({ error: { code: 'already_there', message: 'Already there' } })
    const invalid = await fetch(`${withWeb.url}/api/__test/zod`)
    expect(invalid.status).toBe(400)
    const body = (await invalid.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.message).toContain('n:')
    const crashed = await fetch(`${withWeb.url}/api/__test/crash`)
    expect(crashed.status).toBe(500)
    expect(await crashed.text()).not.toContain('secret detail')
  })

  it('names each loaded Y.Doc by its document (guid = name: no random uuid per document)', async () => {
    const name = 'ws_guid/account/acc_guid'
    const connection = await withoutWeb.server.hocuspocus.openDirectConnection(name, { system: true })
    try {
      expect(connection.document?.guid).toBe(name)
    } finally {
      await connection.disconnect()
    }
  })

  it('close() is idempotent and refuses new work', async () => {
    const extra = await startServer()
    await Promise.all([extra.stop(), extra.server.close()])
    await expect(fetch(`${extra.url}/api/health`)).rejects.toThrow()
  })
})
