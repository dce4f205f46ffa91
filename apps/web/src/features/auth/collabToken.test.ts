import { afterEach, describe, expect, it, vi } from 'vitest'
import { authApi } from './authApi.ts'

const TOKEN_PATH = '/api/auth/collab-token'
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const token = (t: string) => ({ token: t, expiresAt: 1_000_000 })

/** index.html's early requests (window.__rapportEarly) and the network (`fetch`), stubbed. */
function stub(early: Record<string, Promise<Response>>) {
  vi.stubGlobal('window', { __rapportEarly: early })
  const fetch = vi.fn(async (_path: string, _init?: RequestInit) => json(200, token('fresh')))
  vi.stubGlobal('fetch', fetch)
  return fetch
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('authApi.collabToken and the token index.html asked for', () => {
  it('takes the early token once, without a request of its own; the next call asks the server', async () => {
    const fetch = stub({ [`POST ${TOKEN_PATH}`]: Promise.resolve(json(200, token('early'))) })
    await expect(authApi.collabToken()).resolves.toEqual(token('early'))
    expect(fetch).not.toHaveBeenCalled()
    await expect(authApi.collabToken()).resolves.toEqual(token('fresh'))
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]?.[0]).toBe(TOKEN_PATH)
    expect(fetch.mock.calls[0]?.[1]?.method).toBe('POST')
  })

  it('asks again when the early one failed (the page opened signed out, then the user signed in)', async () => {
    const fetch = stub({
      [`POST ${TOKEN_PATH}`]: Promise.resolve(
        json(401, { error: { code: 'unauthorized', message: 'Sign in' } }),
      ),
    })
    await expect(authApi.collabToken()).resolves.toEqual(token('fresh'))
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
