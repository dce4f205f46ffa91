import { createMiddleware } from 'hono/factory'
import { describe, expect, it } from 'vitest'
import type { AccessChange } from '../auth/authServices.ts'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { type AppEnv, createApp } from '../http/app.ts'
import { createLogger } from '../log/logger.ts'
import { FeedHub } from './FeedHub.ts'
import { feedRoutes } from './feedRoutes.ts'

const logger = createLogger({ level: 'silent', format: 'json' })
const session: SessionInfo = { userId: 'usr_1', workspaceId: 'ws_1', role: 'sales', name: 'S', sid: 'sid_1' }

function setup() {
  const hub = new FeedHub({ logger, lastSeqAtStart: () => 0 })
  const listeners = new Set<(change: AccessChange) => void>()
  const app = createApp(logger)
  app.route(
    '/api',
    feedRoutes({
      hub,
      logger,
      heartbeatMs: 20,
      session: createMiddleware<AppEnv>(async (c, next) => {
        c.set('session', session)
        await next()
      }),
      onAccessChange: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    }),
  )
  const change = (c: AccessChange) => {
    for (const l of [...listeners]) l(c)
  }
  return { hub, app, change, listeners }
}

/** Reads the stream until `until` holds for the text so far (or the stream ends). */
async function readUntil(body: ReadableStream<Uint8Array>, until: (text: string) => boolean) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let ended = false
  while (!until(text)) {
    const { value, done } = await reader.read()
    if (done) {
      ended = true
      break
    }
    text += decoder.decode(value, { stream: true })
  }
  return { text, ended, reader }
}

describe('GET /api/feed', () => {
  it('sends live, then events as SSE with their seq as id, and a heartbeat comment', async () => {
    const { hub, app } = setup()
    const res = await app.request('/api/feed')
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const body = res.body as ReadableStream<Uint8Array>
    hub.publish('ws_1', [{ kind: 'contacts', id: 'con_1', op: 'remove', doc: 'ws_1/contacts' }])
    const { text, reader } = await readUntil(body, (t) => t.includes(': heartbeat'))
    expect(text).toContain('event: live\ndata: {"type":"live","seq":0}\nid: 0\n\n')
    expect(text).toContain(
      'event: change\ndata: {"v":1,"seq":1,"kind":"contacts","id":"con_1","op":"remove"}\nid: 1\n\n',
    )
    await reader.cancel()
  })

  it('ends the stream when the caller’s access changes, and not for someone else’s', async () => {
    const { hub, app, change, listeners } = setup()
    const res = await app.request('/api/feed?since=0')
    const body = res.body as ReadableStream<Uint8Array>
    const first = await readUntil(body, (t) => t.includes('event: live'))
    change({ type: 'member', workspaceId: 'ws_1', userId: 'usr_other' })
    change({ type: 'session', sid: 'sid_other' })
    hub.publish('ws_1', [{ kind: 'contacts', id: 'con_2', op: 'remove', doc: 'ws_1/contacts' }])
    const reader = first.reader
    const decoder = new TextDecoder()
    let rest = ''
    while (!rest.includes('con_2')) rest += decoder.decode((await reader.read()).value)
    change({ type: 'session', sid: 'sid_1' })
    let done = false
    while (!done) done = (await reader.read()).done
    expect(done).toBe(true)
    expect(listeners.size).toBe(0)
    expect(hub.subscriberCount('ws_1')).toBe(0)
  })
})
