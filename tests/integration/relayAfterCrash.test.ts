import { rm } from 'node:fs/promises'
import { AUTHORS_MAP, authorAt, docName, NOTES_FIELD, readAuthors } from '@rapport/model'
import { type DocumentStore, memoryStore } from '@rapport/server'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { DocRegistry } from '../../apps/web/src/collab/DocRegistry.ts'
import { TokenSource } from '../../apps/web/src/collab/TokenSource.ts'
import { api, type ConnectedProvider, connectProvider, seedMember, signIn } from './helpers/clients.ts'
import { NodeWebSocket } from './helpers/NodeWebSocket.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * The server broadcasts a client's update to the others at once and acknowledges it only once it is in the log
 * (durableAck.test.ts). A crash between the two loses an update that other clients already hold. After the
 * restart the first client to come back re-sends it (its sync step 2) — often not its author. These tests crash
 * an in-process server exactly there: a store whose appends for the room never reach "disk" (the inner store)
 * until the crash, then a new server on what the inner store holds. Real providers, real server.
 */

const WS = 'ws_relay_crash'
const SECRET = 'relay-after-crash-session-secret-0123456789-abcdef'

interface Member {
  id: string
  email: string
  password: string
}

let alice: Member
let bob: Member
let dataDir: string
const cleanups: Array<() => Promise<unknown> | unknown> = []

beforeAll(async () => {
  vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 25 } } })
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A document store over `inner` whose appends to `held` documents are swallowed while `hold` is on. */
const crashableStore = (inner: DocumentStore) => {
  const holding = { on: false, room: '' }
  let crashed = false
  const waiting: Array<() => void> = []
  const store: DocumentStore = {
    ...inner,
    async appendUpdate(name, update) {
      if (crashed) return
      if (holding.on && name === holding.room) {
        // Never written: the process dies before this append reaches the disk.
        await new Promise<void>((resolve) => waiting.push(resolve))
        return
      }
      await inner.appendUpdate(name, update)
    },
    async store(name, state) {
      if (!crashed) await inner.store(name, state)
    },
    async close() {},
  }
  return {
    store,
    hold(room: string) {
      holding.on = true
      holding.room = room
    },
    /** From now on nothing reaches the inner store; the held appends settle (unwritten) so the server can close. */
    crash() {
      crashed = true
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}

interface Rig {
  server: StartedServer
  room: string
  accountId: string
  crashable: ReturnType<typeof crashableStore>
  /** Crash the server (nothing more reaches the store) and start a new one on what the store holds. */
  restart(): Promise<StartedServer>
}

const rig = async (accountName: string, { storeLater = true } = {}): Promise<Rig> => {
  dataDir = await newDataDir()
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const inner = memoryStore()
  const crashable = crashableStore(inner)
  // The crash tests store nothing on the debounce (only the log counts); the registry test lets rooms unload.
  const debounce = storeLater
    ? { debounceMs: 60_000, maxDebounceMs: 120_000 }
    : { debounceMs: 50, maxDebounceMs: 500 }
  let server = await startServer({
    dataDir,
    documentStore: crashable.store,
    secrets: { session: SECRET },
    ...debounce,
  })
  cleanups.push(() => server.stop({ keep: true }))
  alice = await seedMember(server.server, { workspaceId: WS, email: 'alice@relay.test', role: 'sales' })
  bob = await seedMember(server.server, { workspaceId: WS, email: 'bob@relay.test', role: 'sales' })
  const { cookie } = await signIn(server.url, alice)
  const created = await api<{ id: string }>(server.url, '/api/accounts', {
    cookie,
    body: { name: accountName },
  })
  expect(created.status).toBe(201)
  const accountId = created.body.id
  const room = docName({ workspaceId: WS, kind: 'account', accountId })
  return {
    get server() {
      return server
    },
    room,
    accountId,
    crashable,
    async restart() {
      crashable.crash()
      await server.stop({ keep: true })
      const after = crashableStore(inner)
      server = await startServer({
        dataDir,
        documentStore: after.store,
        secrets: { session: SECRET },
        ...debounce,
      })
      return server
    },
  }
}

/** A real provider on its own socket for `who`, on `doc` (a reconnect after the restart keeps the same Y.Doc). */
const open = async (server: StartedServer, room: string, who: Member, doc?: Y.Doc) => {
  const { token } = await signIn(server.url, who)
  const connected = connectProvider({ wsUrl: server.wsUrl, name: room, token, document: doc })
  cleanups.push(() => connected.destroy())
  const closes: string[] = []
  connected.provider.on('close', ({ event }: { event: { reason?: string } }) => {
    if (event.reason) closes.push(event.reason)
  })
  expect((await connected.outcome).kind).toBe('synced')
  return Object.assign(connected, { closes })
}

const writeParagraph = (doc: Y.Doc, text: string): void => {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  const notes = doc.getXmlFragment(NOTES_FIELD)
  notes.insert(notes.length, [paragraph])
}
const notesText = (doc: Y.Doc): string =>
  doc
    .getXmlFragment(NOTES_FIELD)
    .toArray()
    .map((node) => (node instanceof Y.XmlElement ? node.toArray().join('') : ''))
    .join('\n')

/** The user the room's `authors` map names for the first character of `text` in the notes. */
const authorOfText = (doc: Y.Doc, text: string): string | null => {
  for (const node of doc.getXmlFragment(NOTES_FIELD).toArray()) {
    if (!(node instanceof Y.XmlElement)) continue
    for (const child of node.toArray()) {
      let item = (child as Y.XmlText)._start
      while (item) {
        if (!item.deleted && item.content instanceof Y.ContentString && item.content.str.startsWith(text)) {
          const entry = readAuthors(doc.getMap(AUTHORS_MAP)).get(item.id.client)
          return entry ? authorAt(entry, item.id.clock).userId : null
        }
        item = item.right
      }
    }
  }
  return null
}

const unacked = (connected: ConnectedProvider) => connected.provider.hasUnsyncedChanges

describe('content the server lost in a crash, re-sent by another user’s client', () => {
  it('is accepted from the client that relays it (attributed to that sender), and that client keeps syncing', async () => {
    const r = await rig('Relay After Crash Inc')
    const a = await open(r.server, r.room, alice)
    writeParagraph(a.doc, 'Alice before the crash.')
    await vi.waitFor(() => expect(unacked(a)).toBe(false))
    const b = await open(r.server, r.room, bob)
    expect(notesText(b.doc)).toContain('Alice before the crash.')

    // Alice's next words reach Bob, but the server dies before they reach its log; Alice's tab is closed for good.
    r.crashable.hold(r.room)
    writeParagraph(a.doc, 'Alice words the server lost.')
    await expect.poll(() => notesText(b.doc)).toContain('Alice words the server lost.')
    expect(unacked(a)).toBe(true)
    a.destroy()
    b.destroy()
    const server = await r.restart()

    // Bob's tab reconnects (same Y.Doc) and goes on typing.
    const b2 = await open(server, r.room, bob, b.doc)
    writeParagraph(b2.doc, 'Bob after the restart.')
    await vi.waitFor(() => expect(unacked(b2)).toBe(false))
    expect(b2.closes).not.toContain('spoofed-author')

    const reader = await open(server, r.room, alice)
    await expect.poll(() => notesText(reader.doc)).toContain('Bob after the restart.')
    expect(notesText(reader.doc)).toBe(
      ['Alice before the crash.', 'Alice words the server lost.', 'Bob after the restart.'].join('\n'),
    )
    // The server vouches only for who sent it: the re-sent range is Bob's, the rest of Alice's clientID hers.
    await expect.poll(() => authorOfText(reader.doc, 'Alice words the server lost.')).toBe(bob.id)
    expect(authorOfText(reader.doc, 'Alice before the crash.')).toBe(alice.id)
    expect(authorOfText(reader.doc, 'Bob after the restart.')).toBe(bob.id)
  })

  it('does not lock the author out when her first words and their attribution were lost and another client re-sent them', async () => {
    const r = await rig('Author Locked Out Inc')
    const a = await open(r.server, r.room, alice)
    const b = await open(r.server, r.room, bob)
    r.crashable.hold(r.room)
    writeParagraph(a.doc, 'Alice first words.')
    await expect.poll(() => notesText(b.doc)).toContain('Alice first words.')
    a.destroy()
    b.destroy()
    const server = await r.restart()

    // Bob's client comes back first: the server learns Alice's clientID from Bob's connection.
    const b2 = await open(server, r.room, bob, b.doc)
    await expect.poll(() => authorOfText(b2.doc, 'Alice first words.')).toBe(bob.id)
    // Alice's tab reconnects with the same Y.Doc (same clientID) and types on.
    const a2 = await open(server, r.room, alice, a.doc)
    writeParagraph(a2.doc, 'Alice goes on.')
    await vi.waitFor(() => expect(unacked(a2)).toBe(false))
    expect(a2.closes).not.toContain('spoofed-author')
    await expect.poll(() => notesText(b2.doc)).toBe('Alice first words.\nAlice goes on.')
    await expect.poll(() => authorOfText(b2.doc, 'Alice goes on.')).toBe(alice.id)

    // Once Alice writes live under her clientID, nobody else may add to it.
    b2.doc.clientID = a2.doc.clientID
    writeParagraph(b2.doc, 'Forged in Alice’s name.')
    await expect.poll(() => b2.closes).toContain('spoofed-author')
    const reader = await open(server, r.room, alice)
    expect(notesText(reader.doc)).toBe('Alice first words.\nAlice goes on.')
  })
})

describe('the web app’s document registry after a spoofed-author close', () => {
  it('reconnects, so its edits reach the server once the server accepts them', async () => {
    const r = await rig('Registry Refused Inc', { storeLater: false })
    const a = await open(r.server, r.room, alice)
    writeParagraph(a.doc, 'Alice writes live.')
    await vi.waitFor(() => expect(unacked(a)).toBe(false))

    // Bob's web client (the app's DocRegistry; Node has no WebSocket of its own).
    vi.stubGlobal('WebSocket', NodeWebSocket)
    cleanups.push(() => vi.unstubAllGlobals())
    const { cookie } = await signIn(r.server.url, bob)
    const registry = new DocRegistry({
      url: r.server.wsUrl,
      user: { id: bob.id, name: 'Bob', color: '#336699' },
      tokens: new TokenSource(async () => {
        const issued = await api<{ token: string; expiresAt: number }>(
          r.server.url,
          '/api/auth/collab-token',
          {
            method: 'POST',
            cookie,
          },
        )
        return issued.body
      }),
      checkSession: async () => true,
      onSessionLost: () => {},
      offline: false,
    })
    cleanups.push(() => registry.destroy({ clearOffline: false }))
    const handle = registry.acquire(r.room)
    await expect.poll(() => handle.state.synced).toBe(true)
    await expect.poll(() => notesText(handle.doc)).toBe('Alice writes live.')
    const closes: string[] = []
    handle.provider.on('close', ({ event }: { event: { reason?: string } }) => {
      if (event.reason) closes.push(event.reason)
    })

    // The race a genuine client can meet after a crash, forced here: its update carries new content under a
    // clientID that Alice writes live under, so the server refuses it and closes the document.
    handle.doc.clientID = a.doc.clientID
    writeParagraph(handle.doc, 'Bob’s words, held back.')
    await expect.poll(() => closes).toContain('spoofed-author')
    expect(handle.state.unsynced).toBeGreaterThan(0)

    // Alice leaves; the room unloads, so her clientID is no longer live there. The registry reconnects on its
    // own (no reload, no user action) and its edits are accepted, attributed to Bob.
    a.destroy()
    await expect.poll(() => handle.state.unsynced, { timeout: 20_000 }).toBe(0)
    const reader = await open(r.server, r.room, alice)
    expect(notesText(reader.doc)).toBe('Alice writes live.\nBob’s words, held back.')
    await expect.poll(() => authorOfText(reader.doc, 'Bob’s words')).toBe(bob.id)
    expect(authorOfText(reader.doc, 'Alice writes live.')).toBe(alice.id)
  })
})
