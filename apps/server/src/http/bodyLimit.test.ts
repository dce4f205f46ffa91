import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { bodyLimits, DEFAULT_MAX_BODY_BYTES } from './bodyLimit.ts'

const KiB = 1024

/** An app that echoes the size of the body it read. */
const echo = (limits?: Parameters<typeof bodyLimits>[0]) => {
  const app = new Hono()
  app.use('*', bodyLimits(limits))
  app.post('*', async (c) => c.json({ read: (await c.req.arrayBuffer()).byteLength }))
  return app
}

/** A body streamed in 64 KiB chunks without Content-Length; counts the chunks the server pulled. */
const streamed = (bytes: number) => {
  let pulled = 0
  const chunk = new Uint8Array(64 * KiB)
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled * chunk.length >= bytes) return controller.close()
      pulled += 1
      controller.enqueue(chunk)
    },
  })
  return { body, pulled: () => pulled * chunk.length }
}

const post = (
  app: Hono,
  path: string,
  init: { body: Uint8Array | ReadableStream<Uint8Array>; headers?: Record<string, string> },
) => app.request(path, { method: 'POST', duplex: 'half', ...init } as RequestInit)

describe('bodyLimits', () => {
  it('answers 413 payload_too_large from Content-Length without reading the body', async () => {
    const { body, pulled } = streamed(50 * 1024 * KiB)
    const response = await post(echo(), '/api/auth/login', {
      body,
      headers: { 'content-length': String(50 * 1024 * KiB) },
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: expect.stringContaining('1 MiB') },
    })
    expect(pulled()).toBeLessThanOrEqual(128 * KiB)
  })

  it('counts a chunked body and stops reading just past the cap', async () => {
    const { body, pulled } = streamed(50 * 1024 * KiB)
    const response = await post(echo(), '/api/auth/login', { body })
    expect(response.status).toBe(413)
    expect(pulled()).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES + 128 * KiB)
  })

  it('passes bodies up to the cap, streamed or not', async () => {
    const app = echo()
    const exact = await post(app, '/x', { body: new Uint8Array(DEFAULT_MAX_BODY_BYTES) })
    expect(await exact.json()).toEqual({ read: DEFAULT_MAX_BODY_BYTES })
    const { body } = streamed(DEFAULT_MAX_BODY_BYTES)
    expect(await (await post(app, '/x', { body })).json()).toEqual({ read: DEFAULT_MAX_BODY_BYTES })
  })

  it('a route rule raises or lowers the cap for its method and path only', async () => {
    const app = echo({
      defaultMaxBytes: 4 * KiB,
      routes: [
        { method: 'post', path: '/api/imports/:id/file', maxBytes: 64 * KiB },
        { method: 'POST', path: '/api/uploads/*', maxBytes: 16 * KiB },
      ],
    })
    const body = (bytes: number) => ({ body: new Uint8Array(bytes) })
    expect((await post(app, '/api/imports/imp_1/file', body(60 * KiB))).status).toBe(200)
    expect((await post(app, '/api/imports/imp_1/file', body(65 * KiB))).status).toBe(413)
    expect((await post(app, '/api/imports/imp_1/other', body(5 * KiB))).status).toBe(413)
    expect((await post(app, '/api/uploads/a/b', body(10 * KiB))).status).toBe(200)
    expect((await post(app, '/api/accounts', body(5 * KiB))).status).toBe(413)
    const small = await post(app, '/api/accounts', body(4 * KiB))
    expect(await small.json()).toEqual({ read: 4 * KiB })
  })
})
