/**
 * docs/schema.md §5.4 (the change feed), followed by an outside client written ONLY from the document: plain
 * `fetch`, `yjs` and `@hocuspocus/provider` 3.4, nothing from @rapport/model or @rapport/server except the helper
 * that starts the real server with the demo seed. Names and fields are spelled as the document spells them.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

type Json = Record<string, unknown>
let s: StartedServer
const opened: Array<{ destroy(): void }> = []

beforeAll(async () => {
  s = await startServer({ seedDemo: true })
})
afterAll(async () => {
  for (const thing of opened.reverse()) thing.destroy()
  await s?.stop()
})

async function rest<T = Json>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${s.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { cookie, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
}

async function logIn(email: string): Promise<{ cookie: string; workspaceId: string }> {
  const response = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'rapport-demo' }),
  })
  expect(response.status).toBe(200)
  const cookie = /rapport_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0]
  if (!cookie) throw new Error('no session cookie')
  const profile = (await response.json()) as { workspace: { id: string } }
  return { cookie, workspaceId: profile.workspace.id }
}

/** §5.4 "Over the socket": `W/feed`, awareness off, `resume` after every sync, stateless JSON messages. */
function followSocket(cookie: string, workspaceId: string) {
  const socket = new HocuspocusProviderWebsocket({ url: s.wsUrl, WebSocketPolyfill: NodeWebSocket })
  const token = async () =>
    (await rest<{ token: string }>('/api/auth/collab-token', cookie, { method: 'POST' })).body.token
  const messages: Json[] = []
  let last: number | undefined
  const feed = new HocuspocusProvider({
    websocketProvider: socket,
    name: `${workspaceId}/feed`,
    token,
    awareness: null,
  })
  feed.on('synced', ({ state }: { state: boolean }) => {
    if (state)
      feed.sendStateless(
        JSON.stringify(last === undefined ? { type: 'resume' } : { type: 'resume', since: last }),
      )
  })
  feed.on('stateless', ({ payload }: { payload: string }) => {
    const message = JSON.parse(payload) as Json
    last = message.seq as number
    messages.push(message)
  })
  feed.attach()
  opened.push(feed, socket)
  return { messages, last: () => last }
}

/** §5.4 "Over HTTP": `GET /api/feed`, SSE frames of `event`, `id`, `data`. */
function followSse(cookie: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const frames: Array<{ event: string; id: string; data: Json }> = []
  void fetch(`${s.url}/api/feed`, { headers: { cookie, ...headers }, signal: controller.signal })
    .then(async (response) => {
      expect(response.headers.get('content-type')).toContain('text/event-stream')
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith(':')) continue
          const field = (name: string) =>
            block
              .split('\n')
              .find((line) => line.startsWith(`${name}: `))
              ?.slice(name.length + 2) ?? ''
          frames.push({ event: field('event'), id: field('id'), data: JSON.parse(field('data')) as Json })
        }
      }
    })
    .catch(() => undefined)
  opened.push({ destroy: () => controller.abort() })
  return frames
}

describe('docs/schema.md §5.4, the change feed, followed by an outside client', () => {
  it('follows W/feed and GET /api/feed; a REST edit arrives on both as the documented event; Last-Event-ID resumes', async () => {
    const { cookie, workspaceId } = await logIn('sales@rapport.dev')
    const socket = followSocket(cookie, workspaceId)
    const sse = followSse(cookie)
    await vi.waitFor(() => expect(socket.messages.some((m) => m.type === 'live')).toBe(true), {
      timeout: 10_000,
    })
    await vi.waitFor(() => expect(sse[0]?.event).toBe('live'), { timeout: 10_000 })

    const { body } = await rest<{ items: Array<{ id: string }> }>('/api/accounts?sort=name&limit=1', cookie)
    const id = body.items[0]?.id
    if (!id) throw new Error('the demo has accounts')
    expect(
      (await rest(`/api/accounts/${id}`, cookie, { method: 'PATCH', body: { city: 'Feedville' } })).status,
    ).toBe(200)
    const record = (await rest(`/api/accounts/${id}`, cookie)).body

    const isEdit = (m: Json) => m.id === id && (m.row as Json | undefined)?.city === 'Feedville'
    await vi.waitFor(() => expect(socket.messages.some(isEdit)).toBe(true), { timeout: 10_000 })
    await vi.waitFor(() => expect(sse.some((f) => isEdit(f.data))).toBe(true), { timeout: 10_000 })
    const event = socket.messages.find(isEdit) as Json
    expect(event).toEqual({ v: 1, seq: expect.any(Number), kind: 'accounts', id, op: 'upsert', row: record })
    const frame = sse.find((f) => isEdit(f.data))
    expect(frame).toEqual({ event: 'change', id: String(event.seq), data: event })

    // A reconnecting EventSource sends Last-Event-ID: the event after it comes again, then `live`.
    const resumed = followSse(cookie, { 'last-event-id': String((event.seq as number) - 1) })
    await vi.waitFor(() => expect(resumed.map((f) => f.event)).toEqual(['change', 'live']), {
      timeout: 10_000,
    })
    expect(resumed[0]?.data).toEqual(event)
  })
})
