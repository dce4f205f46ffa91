/**
 * Issue #12 prototype (3): the change feed over Hocuspocus stateless messages. A real Hocuspocus 3.4 server; an
 * extension indexes every change of a `W/contact/C` document into SQLite (off the broadcast path: batched on the next
 * tick), then sends one event per change to the connections of `W/feed` whose member may read contacts. Receivers
 * are real providers, each on its own socket; half of them lack access and must receive nothing.
 * Latency = the writer's local edit → a receiver's `onStateless`, same process clock.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/feedLatency.ts [receivers=200] [edits=200]
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { type Extension, Server } from '@hocuspocus/server'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { z } from 'zod'
import { NodeWebSocket } from '../../integration/helpers/NodeWebSocket.ts'
import { nowMs, summarize, waitUntil } from '../lib/stats.ts'
import { ms, printTable } from './report.ts'

const FEED = 'W/feed'
const FeedEvent = z.object({
  v: z.literal(1),
  seq: z.number(),
  kind: z.literal('contact'),
  id: z.string(),
  editedAt: z.number(),
})
type FeedEvent = z.infer<typeof FeedEvent>

function feedExtension(server: () => Server): Extension {
  const db = new Database(':memory:')
  db.exec('create table contacts (id text primary key, last_name text not null, edited_at real not null)')
  const upsert = db.prepare(
    'insert into contacts (id, last_name, edited_at) values (?, ?, ?) on conflict (id) do update set last_name = excluded.last_name, edited_at = excluded.edited_at',
  )
  const pending = new Map<string, Y.Doc>()
  let seq = 0
  let scheduled = false
  const flush = () => {
    scheduled = false
    const events: FeedEvent[] = []
    db.transaction(() => {
      for (const [name, doc] of pending) {
        const record = doc.getMap('record')
        const id = name.slice('W/contact/'.length)
        const editedAt = Number(record.get('editedAt'))
        upsert.run(id, String(record.get('lastName') ?? ''), editedAt)
        events.push({ v: 1, seq: ++seq, kind: 'contact', id, editedAt })
      }
    })()
    pending.clear()
    const feed = server().hocuspocus.documents.get(FEED)
    for (const event of events) {
      feed?.broadcastStateless(
        JSON.stringify(event),
        (conn) => conn.context?.reads?.includes('contact') === true,
      )
    }
  }
  return {
    async onAuthenticate({ token }) {
      return { reads: token === 'sales' ? ['contact'] : [] }
    },
    async onChange({ documentName, document }) {
      if (!documentName.startsWith('W/contact/')) return
      pending.set(documentName, document)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush) // after Hocuspocus has broadcast the update: index work is off the broadcast path
      }
    },
  }
}

function provider(url: string, name: string, token: string, doc = new Y.Doc()) {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: NodeWebSocket })
  const p = new HocuspocusProvider({ websocketProvider: socket, name, document: doc, token })
  p.attach()
  return { p, socket, doc }
}

async function main(): Promise<void> {
  const receiverCount = Number(process.argv[2] ?? 200)
  const edits = Number(process.argv[3] ?? 200)
  const server: Server = new Server({
    port: 0,
    address: '127.0.0.1',
    quiet: true,
    extensions: [feedExtension(() => server)],
  })
  await server.listen()
  const url = server.webSocketURL
  const latencies: number[] = []
  const received = new Map<number, number>()
  let leaked = 0
  const receivers = Array.from({ length: receiverCount }, (_, i) => {
    const allowed = i % 2 === 0
    const r = provider(url, FEED, allowed ? 'sales' : 'none')
    r.p.on('stateless', ({ payload }: { payload: string }) => {
      const event = FeedEvent.parse(JSON.parse(payload))
      if (!allowed) leaked++
      latencies.push(nowMs() - event.editedAt)
      received.set(event.seq, (received.get(event.seq) ?? 0) + 1)
    })
    return r
  })
  await waitUntil(() => receivers.every((r) => r.p.isSynced), 30_000, 'receivers synced')
  const writers = Array.from({ length: 20 }, (_, i) => provider(url, `W/contact/con_${i}`, 'sales'))
  await waitUntil(() => writers.every((w) => w.p.isSynced), 30_000, 'writers synced')
  const allowedCount = Math.ceil(receiverCount / 2)
  for (let e = 1; e <= edits; e++) {
    const w = writers[e % writers.length] as (typeof writers)[number]
    w.doc.transact(() => {
      const record = w.doc.getMap('record')
      record.set('lastName', `Hopper ${e}`)
      record.set('editedAt', nowMs())
    })
    await waitUntil(() => (received.get(e) ?? 0) >= allowedCount, 10_000, `event ${e} everywhere`, 0)
  }
  const s = summarize(latencies)
  printTable(
    `Change feed: edit of a contact document → ${allowedCount} allowed receivers (of ${receiverCount}), ${edits} edits one after another`,
    ['deliveries', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'events at receivers without access'],
    [[s.n, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), leaked]],
  )
  for (const r of [...receivers, ...writers]) {
    r.p.destroy()
    r.socket.destroy()
  }
  await server.destroy()
  if (leaked > 0) process.exitCode = 1
}

await main()
