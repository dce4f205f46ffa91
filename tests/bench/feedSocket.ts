/**
 * Remote edit → another user's open list, through the path the web app uses: `W/feed` stateless messages (not SSE,
 * which `feed.ts` measures). The real Rapport server in this process with the demo seed; one writer edits an
 * account's city in its room `W/account/A` through a real provider, stamped with its send time; `receivers` real providers,
 * one socket each, follow `W/feed` (resume after sync) and record arrival − send when the account's `upsert` event
 * carries that city. Sequential rounds (the next when every receiver got it), after 10 warm-up rounds. Not part of
 * `pnpm bench` (prints a Markdown line):
 *
 *   pnpm --filter @rapport/tests exec tsx bench/feedSocket.ts [receivers=50] [rounds=200]
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { docName, isFeedBatch, isFeedMarker, parseFeedMessage, updateAccount } from '@rapport/model'
import * as Y from 'yjs'
import { NodeWebSocket } from '../integration/helpers/NodeWebSocket.ts'
import { startServer } from '../integration/helpers/startServer.ts'
import { apiGet, collabToken, DEMO_LOGIN, login } from './lib/rapportSession.ts'
import { nowMs, summarize, waitUntil } from './lib/stats.ts'

const receiverCount = Number(process.argv[2] ?? 50)
const rounds = Number(process.argv[3] ?? 200)
const WARM_UP = 10

const server = await startServer({ seedDemo: true })
const session = await login(server.url, DEMO_LOGIN.email, DEMO_LOGIN.password)
const token = () => collabToken(server.url, session)
const closers: Array<() => void> = []

const open = (name: string, doc = new Y.Doc(), awareness = true) => {
  const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, WebSocketPolyfill: NodeWebSocket })
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    token,
    ...(awareness ? {} : { awareness: null }),
  })
  provider.attach()
  closers.push(() => {
    provider.destroy()
    socket.destroy()
  })
  return provider
}

// The first account of the list; it lives in its room W/account/A (issue #12).
const first = (await apiGet(server.url, session, '/api/accounts?limit=1')).body as {
  items?: Array<{ id: string }>
}
const accountId = first.items?.[0]?.id
if (!accountId) throw new Error('the demo has accounts')
const writer = open(docName({ workspaceId: session.workspaceId, kind: 'account', accountId }))
await waitUntil(() => writer.isSynced, 30_000, 'writer synced')

let round = -1
let got = 0
let samples: number[] = []
// Where the time goes: send → the hub publishes (projection, index commit) and publish → arrival (delivery).
let sentAt = 0
let publishedAt = 0
let toPublish: number[] = []
let toArrival: number[] = []
const hub = server.server.feed
const publish = hub.publish.bind(hub)
hub.publish = (workspaceId, inputs) => {
  if (inputs.some((i) => i.id === accountId) && publishedAt === 0) {
    publishedAt = nowMs()
    toPublish.push(publishedAt - sentAt)
  }
  return publish(workspaceId, inputs)
}
let live = 0
const feedName = docName({ workspaceId: session.workspaceId, kind: 'feed' })
for (let i = 0; i < receiverCount; i++) {
  const provider = open(feedName, new Y.Doc(), false)
  provider.on('synced', ({ state }: { state: boolean }) => {
    if (state) provider.sendStateless(JSON.stringify({ type: 'resume' }))
  })
  provider.on('stateless', ({ payload }: { payload: string }) => {
    const message = parseFeedMessage(payload)
    if (!message) return
    if (isFeedMarker(message)) {
      if (message.type === 'live') live += 1
      return
    }
    if (isFeedBatch(message)) return
    const city = message.row?.city
    if (message.id !== accountId || typeof city !== 'string') return
    const match = /^feed:(\d+):([\d.]+)$/.exec(city)
    if (!match || Number(match[1]) !== round) return
    const now = nowMs()
    samples.push(now - Number(match[2]))
    if (publishedAt > 0) toArrival.push(now - publishedAt)
    got += 1
  })
}
await waitUntil(() => live >= receiverCount, 60_000, 'receivers following the feed')

let lost = 0
for (let r = 0; r < rounds + WARM_UP; r++) {
  if (r === WARM_UP) {
    samples = []
    toPublish = []
    toArrival = []
  }
  round = r
  got = 0
  publishedAt = 0
  sentAt = nowMs()
  updateAccount(writer.document, accountId, { city: `feed:${r}:${sentAt}` }, 'bench')
  try {
    await waitUntil(() => got >= receiverCount, 5_000, `round ${r}`)
  } catch {
    lost += receiverCount - got
  }
}
const s = summarize(samples)
console.log(
  `| W/feed, ${receiverCount} receivers, ${rounds} edits | ${s.n} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} | ${lost} lost |`,
)
const p = summarize(toPublish)
const a = summarize(toArrival)
console.log(
  `|   of which edit → published (index commit) | ${p.n} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${p.p99.toFixed(1)} | ${p.max.toFixed(1)} | |`,
)
console.log(
  `|   of which published → receiver | ${a.n} | ${a.p50.toFixed(1)} | ${a.p95.toFixed(1)} | ${a.p99.toFixed(1)} | ${a.max.toFixed(1)} | |`,
)
for (const close of closers) close()
await server.stop()
process.exit(0)
