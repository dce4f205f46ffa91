import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import {
  docName,
  type FeedEvent,
  type FeedMessage,
  feedEventsOf,
  isFeedBatch,
  isFeedMarker,
  parseFeedMessage,
  updateContact,
} from '@rapport/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, openProvider, type SeededUser, seedMember, signIn } from './helpers/clients.ts'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'
import { authFrame, frame, openRaw, varString } from './helpers/rawFrames.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_feed'
const OTHER = 'ws_feedother'
const feedDoc = (workspaceId: string) => docName({ workspaceId, kind: 'feed' })

let s: StartedServer
let sales: SeededUser
let viewer: SeededUser
let otherAdmin: SeededUser

/** A real provider on `W/feed` that sends `resume` after every (re)connect and keeps what it receives. */
function feedClient(
  wsUrl: string,
  workspaceId: string,
  token: () => Promise<string>,
  since?: number,
  /** Ask for events committed together as `batch` messages (as the web app does). */
  batch = false,
) {
  const messages: FeedMessage[] = []
  let last = since
  const socket = new HocuspocusProviderWebsocket({
    url: wsUrl,
    WebSocketPolyfill: NodeWebSocket,
    delay: 50,
    minDelay: 10,
    maxDelay: 200,
  })
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: feedDoc(workspaceId),
    document: new Y.Doc(),
    token,
    awareness: null,
    onSynced: ({ state }) => {
      if (state)
        provider.sendStateless(
          JSON.stringify({
            type: 'resume',
            ...(last !== undefined && { since: last }),
            ...(batch && { batch }),
          }),
        )
    },
    onStateless: ({ payload }) => {
      const message = parseFeedMessage(payload)
      if (!message) return
      messages.push(message)
      last = isFeedBatch(message) ? message.events.at(-1)?.seq : message.seq
    },
  })
  provider.attach()
  const events = (): FeedEvent[] => messages.flatMap((m) => [...feedEventsOf(m)])
  return {
    provider,
    messages,
    events,
    ids: () => events().map((e) => e.id),
    lastSeq: () => last,
    live: () => messages.some((m) => isFeedMarker(m)),
    destroy() {
      provider.destroy()
      socket.destroy()
    },
  }
}
type FeedClient = ReturnType<typeof feedClient>

const waitLive = async (...clients: FeedClient[]) => {
  for (const c of clients) await expect.poll(() => c.live(), { timeout: 10_000 }).toBe(true)
}

/** Reads `GET /api/feed` with fetch streaming and parses the SSE frames. */
function sseClient(url: string, cookie: string, init: { since?: number; lastEventId?: string } = {}) {
  const controller = new AbortController()
  const frames: Array<{ event: string; id: string | null; data: FeedMessage | null }> = []
  let comments = 0
  let ended = false
  const query = init.since === undefined ? '' : `?since=${init.since}`
  const headers: Record<string, string> = { cookie }
  if (init.lastEventId !== undefined) headers['last-event-id'] = init.lastEventId
  const response = fetch(`${url}/api/feed${query}`, { headers, signal: controller.signal })
  const done = response.then(async (res) => {
    if (!res.body) throw new Error('no body')
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith(':')) comments += 1
          else {
            const field = (name: string) =>
              block
                .split('\n')
                .find((l) => l.startsWith(`${name}: `))
                ?.slice(name.length + 2) ?? null
            frames.push({
              event: field('event') ?? 'message',
              id: field('id'),
              data: parseFeedMessage(field('data') ?? ''),
            })
          }
          end = buffer.indexOf('\n\n')
        }
      }
    } catch {
      // aborted
    }
    ended = true
  })
  return {
    response,
    frames,
    events: () => frames.flatMap((f) => (f.data ? [...feedEventsOf(f.data)] : [])),
    comments: () => comments,
    ended: () => ended,
    close: async () => {
      controller.abort()
      await done.catch(() => undefined)
    },
  }
}

const rest = async <T>(cookie: string, path: string, body?: unknown, method?: string) => {
  const res = await api<T>(s.url, path, { cookie, body, method })
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

let salesSession: Awaited<ReturnType<typeof signIn>>
let viewerSession: Awaited<ReturnType<typeof signIn>>
let otherSession: Awaited<ReturnType<typeof signIn>>

beforeAll(async () => {
  s = await startServer()
  sales = await seedMember(s.server, { workspaceId: WS, email: 'sales@feed.test', role: 'sales' })
  viewer = await seedMember(s.server, { workspaceId: WS, email: 'viewer@feed.test', role: 'viewer' })
  otherAdmin = await seedMember(s.server, {
    workspaceId: OTHER,
    email: 'admin@feedother.test',
    role: 'admin',
  })
  salesSession = await signIn(s.url, sales)
  viewerSession = await signIn(s.url, viewer)
  otherSession = await signIn(s.url, otherAdmin)
})
afterAll(async () => {
  await s.stop()
})

describe('the change feed on W/feed', () => {
  it('delivers a REST edit and a provider edit on a collection document to the workspace, and nothing to another', async () => {
    const a = feedClient(s.wsUrl, WS, salesSession.token)
    const v = feedClient(s.wsUrl, WS, viewerSession.token)
    const o = feedClient(s.wsUrl, OTHER, otherSession.token)
    await waitLive(a, v, o)

    const created = await rest<{ id: string; lastName: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@feed.test',
    })
    await expect.poll(() => a.ids()).toContain(created.id)
    await expect.poll(() => v.ids()).toContain(created.id)
    const event = a.events().find((e) => e.id === created.id)
    expect(event).toMatchObject({
      v: 1,
      kind: 'contacts',
      op: 'upsert',
      row: { id: created.id, lastName: 'Hopper' },
    })
    // The row is what GET /api/contacts/:id answers.
    expect(event?.row).toEqual(await rest(salesSession.cookie, `/api/contacts/${created.id}`))

    // A client edit through the contact's own document (a real provider on W/contact/C).
    const contacts = await openProvider({
      wsUrl: s.wsUrl,
      name: docName({ workspaceId: WS, kind: 'contact', contactId: created.id }),
      token: await salesSession.token(),
    })
    updateContact(contacts.doc, created.id, { lastName: 'Hopper-Murray' }, 'test')
    await expect
      .poll(() => a.events().find((e) => e.id === created.id && e.row?.lastName === 'Hopper-Murray'))
      .toBeTruthy()
    await expect
      .poll(() => v.events().find((e) => e.id === created.id && e.row?.lastName === 'Hopper-Murray'))
      .toBeTruthy()
    // seqs only grow
    const seqs = a.events().map((e) => e.seq)
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs)

    // The other workspace sees its own change, and never the first one's.
    const otherContact = await rest<{ id: string }>(otherSession.cookie, '/api/contacts', {
      firstName: 'Other',
      lastName: 'Person',
    })
    await expect.poll(() => o.ids()).toContain(otherContact.id)
    expect(o.ids()).toEqual([otherContact.id])
    expect(a.ids()).not.toContain(otherContact.id)
    contacts.provider.destroy()
    for (const c of [a, v, o]) c.destroy()
  })

  it('sends an event only to members who may open the record’s document', async () => {
    const a = feedClient(s.wsUrl, WS, salesSession.token)
    const v = feedClient(s.wsUrl, WS, viewerSession.token)
    await waitLive(a, v)
    // Every role reads every record kind today; the one document of a workspace a member cannot open is another
    // member's inbox, so an event of a record there must reach its owner only.
    s.server.feed.publish(WS, [
      {
        kind: 'tasks',
        id: 'tsk_private',
        op: 'upsert',
        row: { id: 'tsk_private' },
        doc: docName({ workspaceId: WS, kind: 'inbox', userId: viewer.id }),
      },
      {
        kind: 'accounts',
        id: 'acc_marker',
        op: 'remove',
        doc: docName({ workspaceId: WS, kind: 'account', accountId: 'acc_marker' }),
      },
    ])
    await expect.poll(() => a.ids()).toContain('acc_marker')
    await expect.poll(() => v.ids()).toContain('acc_marker')
    expect(a.ids()).not.toContain('tsk_private')
    expect(v.ids()).toContain('tsk_private')
    a.destroy()
    v.destroy()
  })

  it('resumes with `since` after a disconnect and gets exactly the missed events; a too old `since` gets reset', async () => {
    const a = feedClient(s.wsUrl, WS, salesSession.token)
    await waitLive(a)
    const since = a.lastSeq()
    if (since === undefined) throw new Error('no seq')
    a.destroy()
    const missed: string[] = []
    for (const name of ['Lovelace', 'Babbage', 'Turing']) {
      missed.push(
        (await rest<{ id: string }>(salesSession.cookie, '/api/contacts', { firstName: 'X', lastName: name }))
          .id,
      )
    }
    const back = feedClient(s.wsUrl, WS, salesSession.token, since)
    await expect.poll(() => back.live()).toBe(true)
    expect(back.ids()).toEqual(missed)
    expect(back.messages.at(-1)).toEqual({ type: 'live', seq: back.events().at(-1)?.seq })
    // Then it follows live.
    const next = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'Y',
      lastName: 'Live',
    })
    await expect.poll(() => back.ids()).toContain(next.id)
    back.destroy()

    // A seq this workspace never reached (the index numbers its events from 1) cannot be resumed from: reset, then
    // live events.
    const old = feedClient(s.wsUrl, WS, salesSession.token, 999_999_999)
    await expect.poll(() => old.messages[0]).toMatchObject({ type: 'reset' })
    expect(old.events()).toEqual([])
    const after = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'Z',
      lastName: 'Reset',
    })
    await expect.poll(() => old.ids()).toEqual([after.id])
    old.destroy()
  })

  it('the same provider resumes by itself after the server closes its socket', async () => {
    const a = feedClient(s.wsUrl, WS, salesSession.token)
    await waitLive(a)
    // Drop every socket of this user (as an access change does); the provider reconnects and resumes.
    for (const document of s.server.hocuspocus.documents.values()) {
      for (const connection of document.getConnections()) {
        if (connection.context?.userId === sales.id) connection.webSocket.close(4000, 'test')
      }
    }
    const during = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'D',
      lastName: 'Uring',
    })
    await expect.poll(() => a.ids(), { timeout: 10_000 }).toContain(during.id)
    expect(a.ids().filter((id) => id === during.id)).toHaveLength(1)
    a.destroy()
  })

  it('a client cannot write to W/feed, relay to the others, or disturb them with malformed messages', async () => {
    const a = feedClient(s.wsUrl, WS, salesSession.token)
    const v = feedClient(s.wsUrl, WS, viewerSession.token)
    await waitLive(a, v)
    // Garbage stateless messages from v: ignored, v stays connected and subscribed.
    for (const bad of [
      '',
      'not json',
      '{"type":"resume","since":-1}',
      '{"type":"resume","since":"x"}',
      '[]',
      'x'.repeat(100_000),
    ]) {
      v.provider.sendStateless(bad)
    }
    // A write into the feed document: dropped (read-only connection).
    v.provider.document.getMap('probe').set('x', 1)
    // A raw socket relaying a fake event to everyone on the feed (BroadcastStateless): refused, its connection closed.
    const raw = await openRaw(s.wsUrl)
    const name = feedDoc(WS)
    raw.ws.send(authFrame(name, await viewerSession.token()))
    await expect.poll(() => raw.messages.length).toBeGreaterThan(0)
    const fake = JSON.stringify({ v: 1, seq: 1, kind: 'contacts', id: 'con_fake', op: 'remove' })
    raw.ws.send(frame(name, 6, varString(fake)))
    raw.ws.send(frame(name, 5, varString('{"type":"resume","since":1e400}')))

    const marker = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'M',
      lastName: 'Arker',
    })
    await expect.poll(() => a.ids()).toContain(marker.id)
    await expect.poll(() => v.ids()).toContain(marker.id)
    expect(a.ids()).not.toContain('con_fake')
    expect(v.ids()).not.toContain('con_fake')
    expect(s.server.hocuspocus.documents.get(name)?.getMap('probe').get('x')).toBeUndefined()
    raw.ws.close()
    a.destroy()
    v.destroy()
  })
})

describe('events committed together (an import) on W/feed', () => {
  it('come as one batch message to a client that asks for batches, one message each to one that does not', async () => {
    const admin = await seedMember(s.server, { workspaceId: WS, email: 'admin@feed.test', role: 'admin' })
    const adminSession = await signIn(s.url, admin)
    const batched = feedClient(s.wsUrl, WS, salesSession.token, undefined, true)
    const plain = feedClient(s.wsUrl, WS, viewerSession.token)
    await waitLive(batched, plain)
    // And an SSE reader: the events come as ordinary `change` events (written together, one chunk).
    const stream = sseClient(s.url, salesSession.cookie)
    await expect.poll(() => stream.frames.some((f) => f.event === 'live')).toBe(true)
    const before = { batched: batched.messages.length, plain: plain.messages.length }

    const emails = ['b1', 'b2', 'b3'].map((n) => `${n}@batch.feed.test`)
    const csv = ['First name,Last name,Email', ...emails.map((e, i) => `Batch,Row${i + 1},${e}`)].join('\n')
    const uploaded = await fetch(`${s.url}/api/imports?kind=contacts&fileName=batch.csv`, {
      method: 'POST',
      headers: { cookie: adminSession.cookie, 'content-type': 'text/csv' },
      body: csv,
    })
    expect(uploaded.status).toBe(201)
    const { id } = (await uploaded.json()) as { id: string }
    const started = await api(s.url, `/api/imports/${id}/start`, {
      cookie: adminSession.cookie,
      body: {
        mapping: { 'First name': 'firstName', 'Last name': 'lastName', Email: 'email' },
        duplicates: { policy: 'skip', matchOn: 'email' },
      },
    })
    expect(started.status).toBe(202)

    const rowsOf = (c: ReturnType<typeof feedClient>) =>
      c.events().filter((e) => typeof e.row?.email === 'string' && emails.includes(e.row.email as string))
    await expect.poll(() => rowsOf(batched).length).toBe(3)
    await expect.poll(() => rowsOf(plain).length).toBe(3)
    // The three records of the import's batch: one message for the client that asked, three for the other.
    const batches = batched.messages.slice(before.batched).filter(isFeedBatch)
    expect(batches).toHaveLength(1)
    expect(batches[0]?.events.map((e) => e.row?.email)).toEqual(emails)
    expect(plain.messages.slice(before.plain).filter(isFeedBatch)).toEqual([])
    expect(rowsOf(plain).map((e) => e.seq)).toEqual(rowsOf(batched).map((e) => e.seq))
    await expect
      .poll(() =>
        stream
          .events()
          .filter((e) => emails.includes(e.row?.email as string))
          .map((e) => e.seq),
      )
      .toEqual(rowsOf(batched).map((e) => e.seq))
    const sseRows = stream.frames.filter(
      (f) => f.data && emails.includes(feedEventsOf(f.data)[0]?.row?.email as string),
    )
    expect(sseRows.map((f) => [f.event, f.id])).toEqual(rowsOf(batched).map((e) => ['change', String(e.seq)]))
    await stream.close()

    // A resume with `since` before the import and `batch`: the missed events replayed as one batch, then live.
    const since = (rowsOf(batched)[0]?.seq as number) - 1
    const late = feedClient(s.wsUrl, WS, salesSession.token, since, true)
    await waitLive(late)
    const replay = late.messages.filter(isFeedBatch)
    expect(replay).toHaveLength(1)
    expect(rowsOf(late).map((e) => e.seq)).toEqual(rowsOf(batched).map((e) => e.seq))
    expect(late.messages.at(-1)).toMatchObject({ type: 'live' })
    for (const c of [batched, plain, late]) c.destroy()
  })
})

describe('the change feed as Server-Sent Events (GET /api/feed)', () => {
  it('streams the same events as W/feed, resumes with Last-Event-ID and ends on logout', async () => {
    const own = await signIn(s.url, sales)
    const stream = sseClient(s.url, own.cookie)
    const res = await stream.response
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    await expect.poll(() => stream.frames[0]?.event).toBe('live')
    const socket = feedClient(s.wsUrl, WS, salesSession.token)
    await waitLive(socket)

    const created = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'S',
      lastName: 'Se',
    })
    await rest(salesSession.cookie, `/api/contacts/${created.id}`, { title: 'Streamer' }, 'PATCH')
    await expect.poll(() => stream.events().filter((e) => e.id === created.id).length).toBe(2)
    await expect.poll(() => socket.events().filter((e) => e.id === created.id).length).toBe(2)
    expect(stream.events().filter((e) => e.id === created.id)).toEqual(
      socket.events().filter((e) => e.id === created.id),
    )
    const changeFrame = stream.frames.find((f) => f.data && feedEventsOf(f.data)[0]?.id === created.id)
    expect(changeFrame?.event).toBe('change')
    expect(changeFrame?.id).toBe(String((changeFrame?.data as FeedEvent | undefined)?.seq))

    // Last-Event-ID = the first of the two events: the second comes again, then live.
    const first = stream.events().find((e) => e.id === created.id)
    const resumed = sseClient(s.url, own.cookie, { lastEventId: String(first?.seq) })
    await expect.poll(() => resumed.frames.map((f) => f.event)).toEqual(['change', 'live'])
    expect(resumed.events()[0]).toMatchObject({ id: created.id, row: { title: 'Streamer' } })
    await resumed.close()
    const tooOld = sseClient(s.url, own.cookie, { since: 999_999_999 })
    await expect.poll(() => tooOld.frames[0]?.event).toBe('reset')
    await tooOld.close()

    // Logging out ends the stream.
    await rest(own.cookie, '/api/auth/logout', {})
    await expect.poll(() => stream.ended(), { timeout: 10_000 }).toBe(true)
    await stream.close()
    socket.destroy()
  })

  it('refuses a caller without a session and malformed positions', async () => {
    expect((await api(s.url, '/api/feed')).status).toBe(401)
    const bad = await api(s.url, '/api/feed?since=-3', { cookie: salesSession.cookie })
    expect(bad.status).toBe(400)
    expect((await api(s.url, '/api/feed?since=abc', { cookie: salesSession.cookie })).status).toBe(400)
    const res = await fetch(`${s.url}/api/feed`, {
      headers: { cookie: salesSession.cookie, 'last-event-id': 'yesterday' },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_input')
  })

  it('the other workspace’s stream gets nothing of this one', async () => {
    const other = sseClient(s.url, otherSession.cookie)
    await expect.poll(() => other.frames[0]?.event).toBe('live')
    const mine = await rest<{ id: string }>(salesSession.cookie, '/api/contacts', {
      firstName: 'N',
      lastName: 'Ope',
    })
    const theirs = await rest<{ id: string }>(otherSession.cookie, '/api/contacts', {
      firstName: 'Y',
      lastName: 'Es',
    })
    await expect.poll(() => other.events().map((e) => e.id)).toContain(theirs.id)
    expect(other.events().map((e) => e.id)).not.toContain(mine.id)
    await other.close()
  })
})
