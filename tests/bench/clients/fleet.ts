/**
 * A fleet of browser-tab-like clients in its own process (forked by lib/fleet.ts), so that the CPU of 1,000 real
 * `@hocuspocus/provider` clients does not share the bench process and the server's numbers stay its own.
 *
 * A tab is what the web app keeps per browser tab (apps/web/src/collab/DocRegistry.ts): ONE socket
 * (`HocuspocusProviderWebsocket`) shared by every document the tab has open. Here a tab opens one account room
 * (round-robin over the given rooms) with an awareness `user` field as the web app sets it, plus the `shared`
 * documents (the workspace document), with or without awareness — see clients.ts.
 *
 * Commands and replies are the zod-checked messages of fleetProtocol.ts over the IPC channel.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import * as Y from 'yjs'
import { z } from 'zod'
import { TokenSource } from '../../../apps/web/src/collab/TokenSource.ts'
import { NodeWebSocket } from '../../integration/helpers/NodeWebSocket.ts'
import { errorText } from '../lib/results.ts'
import { nowMs, waitUntil } from '../lib/stats.ts'
import { ensureTask, onFieldChange, setField } from '../lib/workload.ts'
import { FleetCommand, type FleetReply } from './fleetProtocol.ts'

/** `POST /api/auth/collab-token`'s answer (docs/schema.md). */
const IssuedTokenBody = z.object({ token: z.string().min(1), expiresAt: z.number() })

type Tab = {
  socket: HocuspocusProviderWebsocket
  providers: HocuspocusProvider[]
  /** The account room's document. */
  room: Y.Doc
  roomIndex: number
}

const TASK_ID = 'task_bench_fleet'
const ROUND_TIMEOUT_MS = 5_000
const tabs: Tab[] = []
let roomCount = 0

function reply(message: FleetReply): void {
  process.send?.(message)
}

/** The tabs' collab tokens: fetched, cached and refreshed like the web app's (one source: one signed-in user). */
let tokens: TokenSource | null = null

function tokenSource(session: { url: string; cookie: string }): TokenSource {
  return new TokenSource(async () => {
    const res = await fetch(`${session.url}/api/auth/collab-token`, {
      method: 'POST',
      headers: { cookie: session.cookie },
    })
    if (!res.ok) throw new Error(`collab-token: ${res.status}`)
    const body = IssuedTokenBody.parse(await res.json())
    return { token: body.token, expiresAt: body.expiresAt }
  })
}

function openTab(
  url: string,
  token: string | (() => Promise<string>),
  room: string,
  roomIndex: number,
  shared: string[],
  sharedAwareness: boolean,
): Tab {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: NodeWebSocket })
  const open = (name: string, awareness: boolean): HocuspocusProvider => {
    const provider = new HocuspocusProvider({
      websocketProvider: socket,
      name,
      document: new Y.Doc(),
      token,
      ...(awareness ? {} : { awareness: null }),
      onAuthenticationFailed: ({ reason }) => {
        tokens?.invalidate()
        reply({ type: 'error', message: `authentication failed for ${name}: ${reason}` })
      },
    })
    provider.attach()
    if (awareness) provider.setAwarenessField('user', { id: `tab${tabs.length}`, name: `Tab ${tabs.length}` })
    return provider
  }
  const roomProvider = open(room, true)
  return {
    socket,
    providers: [roomProvider, ...shared.map((name) => open(name, sharedAwareness))],
    room: roomProvider.document,
    roomIndex,
  }
}

function closeTab(tab: Tab): void {
  for (const p of tab.providers) p.destroy()
  tab.socket.destroy()
}

async function connect(cmd: Extract<FleetCommand, { type: 'connect' }>): Promise<void> {
  roomCount = cmd.rooms.length
  tokens?.dispose()
  tokens = cmd.session ? tokenSource(cmd.session) : null
  const source = tokens
  const token = source ? () => source.get() : cmd.token
  const started = performance.now()
  const batchMs: number[] = []
  let settled = true
  let stop: string | null = null
  for (let first = 0; first < cmd.tabs && settled; first += cmd.batch) {
    const batchStart = performance.now()
    const batch: Tab[] = []
    for (let i = first; i < Math.min(cmd.tabs, first + cmd.batch); i++) {
      const roomIndex = i % cmd.rooms.length
      const tab = openTab(
        cmd.url,
        token,
        cmd.rooms[roomIndex] as string,
        roomIndex,
        cmd.shared,
        cmd.sharedAwareness,
      )
      tabs.push(tab)
      batch.push(tab)
    }
    try {
      await waitUntil(
        () => batch.every((t) => t.providers.every((p) => p.isSynced)),
        cmd.timeoutMs,
        `tabs ${first}–${first + batch.length - 1} synced`,
        5,
      )
    } catch (error) {
      if (cmd.settleMs === null) throw error
      // The load no longer settles: close this batch (not counted) and stop the ramp.
      const synced = batch.filter((t) => t.providers.every((p) => p.isSynced)).length
      stop = `tabs ${first}–${first + batch.length - 1}: ${synced} of ${batch.length} synced after ${cmd.timeoutMs} ms (closed, not counted)`
      for (const tab of batch) closeTab(tab)
      tabs.splice(tabs.length - batch.length, batch.length)
      settled = false
      break
    }
    const ms = performance.now() - batchStart
    batchMs.push(ms)
    if (cmd.settleMs !== null && ms > cmd.settleMs) {
      settled = false
      stop = `tabs ${first}–${first + batch.length - 1} took ${Math.round(ms)} ms to sync`
    }
  }
  reply({
    type: 'connected',
    tabs: tabs.length,
    settled,
    stop,
    batchMs,
    providers: tabs.reduce((n, t) => n + t.providers.length, 0),
    ms: performance.now() - started,
    slowestBatchMs: Math.max(0, ...batchMs),
  })
}

/**
 * Edit-to-remote across the fleet: in round r the room r mod rooms is edited by one of its tabs (rotating), which
 * sets the title of a task in that room to its send time; every other tab on that room records arrival − send (all
 * tabs live in this process, so one clock). The next round starts when every reader got it, or after 5 s (lost).
 */
async function latency(cmd: Extract<FleetCommand, { type: 'latency' }>): Promise<void> {
  const byRoom: Tab[][] = Array.from({ length: roomCount }, () => [])
  for (const tab of tabs) byRoom[tab.roomIndex]?.push(tab)
  for (const members of byRoom) {
    const first = members[0]
    if (first) ensureTask(first.room, TASK_ID, 'fleet latency probe')
  }
  await waitUntil(
    () => tabs.every((t) => t.room.getMap('tasks').has(TASK_ID)),
    30_000,
    'every tab sees its room’s probe task',
    5,
  )
  let round = -1
  let received = 0
  let waiting = 0
  let samples: number[] = []
  let wake: (() => void) | null = null
  for (const tab of tabs) {
    onFieldChange(tab.room, 'tasks', 'title', (_id, value) => {
      const match = typeof value === 'string' ? /^fleet:(\d+):([\d.]+)$/.exec(value) : null
      if (!match || Number(match[1]) !== round) return
      samples.push(nowMs() - Number(match[2]))
      received++
      if (received >= waiting) wake?.()
    })
  }
  let lost = 0
  let expected = 0
  const total = cmd.warmup + cmd.rounds
  for (let r = 0; r < total; r++) {
    if (r === cmd.warmup) {
      samples = []
      lost = 0
      expected = 0
    }
    const members = byRoom[r % roomCount] ?? []
    const writer = members[Math.floor(r / roomCount) % members.length]
    if (!writer) continue
    round = r
    received = 0
    waiting = members.length - 1
    expected += waiting
    let timer: NodeJS.Timeout | undefined
    const done = new Promise<void>((resolve) => {
      wake = resolve
      timer = setTimeout(resolve, ROUND_TIMEOUT_MS)
    })
    setField(writer.room, 'tasks', TASK_ID, 'title', `fleet:${r}:${nowMs()}`)
    if (waiting > 0) await done
    clearTimeout(timer)
    wake = null
    lost += waiting - received
  }
  reply({ type: 'latency', rounds: cmd.rounds, samples, lost, expected })
}

function close(): void {
  for (const tab of tabs) closeTab(tab)
  tabs.length = 0
  tokens?.dispose()
  reply({ type: 'closed' })
  setImmediate(() => process.exit(0))
}

process.on('message', (raw: unknown) => {
  const parsed = FleetCommand.safeParse(raw)
  if (!parsed.success) {
    reply({ type: 'error', message: `fleet: malformed command: ${parsed.error.message.slice(0, 200)}` })
    return
  }
  const cmd = parsed.data
  const run = cmd.type === 'connect' ? connect(cmd) : cmd.type === 'latency' ? latency(cmd) : null
  if (!run) return close()
  run.catch((error: unknown) => reply({ type: 'error', message: `fleet ${cmd.type}: ${errorText(error)}` }))
})
process.on('disconnect', () => process.exit(0))
reply({ type: 'ready' })
