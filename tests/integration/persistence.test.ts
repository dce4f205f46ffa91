import { rm } from 'node:fs/promises'
import type { DocumentStore } from '@rapport/server'
import { lowdbStore } from '@rapport/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { type CollabClient, getHealth, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'
import { roomName, testAdmin } from './helpers/testWorkspace.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const track = (client: CollabClient): CollabClient => {
  cleanups.push(() => client.destroy())
  return client
}

/** The text in the stored state only (not the update log), to see what the debounced stores wrote. */
const storedText = async (store: DocumentStore, name: string, field = 'scratch'): Promise<string> => {
  const { state } = await store.loadWithLog(name)
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText(field).toString()
}

/** A store wrapper: fails while `failures > 0` (counting down), optionally slow; counts calls and overlap. */
const faultyStore = (inner: DocumentStore) => {
  const knobs = { failures: 0, delayMs: 0, calls: 0, failed: 0, inFlight: 0, maxInFlight: 0 }
  const store: DocumentStore = {
    load: (name) => inner.load(name),
    loadWithLog: (name) => inner.loadWithLog(name),
    appendUpdate: (name, update) => inner.appendUpdate(name, update),
    loggedNames: () => inner.loggedNames(),
    list: (prefix) => inner.list(prefix),
    delete: (name) => inner.delete(name),
    close: () => inner.close(),
    async store(name, state) {
      knobs.calls += 1
      knobs.inFlight += 1
      knobs.maxInFlight = Math.max(knobs.maxInFlight, knobs.inFlight)
      try {
        if (knobs.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, knobs.delayMs))
        if (knobs.failures > 0) {
          knobs.failures -= 1
          knobs.failed += 1
          throw new Error('injected store failure')
        }
        await inner.store(name, state)
      } finally {
        knobs.inFlight -= 1
      }
    },
  }
  return { store, knobs }
}

const start = async (options: Parameters<typeof startServer>[0] = {}): Promise<StartedServer> => {
  const started = await startServer(options)
  cleanups.push(() => started.stop())
  return started
}

describe('persistence', () => {
  it('a restart keeps every edit (graceful close flushes within the debounce window)', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    // A long debounce: only close()'s flush can have stored the edits.
    const first = await startServer({ dataDir, debounceMs: 60_000, maxDebounceMs: 120_000 })
    const admin = await testAdmin(first.server, first.url)
    const a = await openSyncedDoc({ wsUrl: first.wsUrl, name: roomName('acc_a'), token: admin.token })
    const b = await openSyncedDoc({ wsUrl: first.wsUrl, name: roomName('acc_b'), token: admin.token })
    a.doc.getText('scratch').insert(0, 'alpha')
    b.doc.getMap('m').set('k', 42)
    await waitForAcked(a)
    await waitForAcked(b)
    expect((await getHealth(first.url)).dirtyDocuments).toBe(2)
    a.destroy()
    b.destroy()
    await first.stop({ keep: true })

    const second = await start({ dataDir })
    const again = await testAdmin(second.server, second.url)
    const a2 = track(
      await openSyncedDoc({ wsUrl: second.wsUrl, name: roomName('acc_a'), token: again.token }),
    )
    const b2 = track(
      await openSyncedDoc({ wsUrl: second.wsUrl, name: roomName('acc_b'), token: again.token }),
    )
    expect(a2.doc.getText('scratch').toString()).toBe('alpha')
    expect(b2.doc.getMap('m').get('k')).toBe(42)
  })

  it('a failing store keeps the data (even with no client left) and stores it once the store recovers', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const inner = lowdbStore({ dir: `${dataDir}/docs` })
    const { store, knobs } = faultyStore(inner)
    knobs.failures = 4
    const started = await start({ dataDir, documentStore: store, debounceMs: 20, maxDebounceMs: 100 })
    const admin = await testAdmin(started.server, started.url)
    const name = roomName()
    const client = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    client.doc.getText('scratch').insert(0, 'must survive')
    await waitForAcked(client)
    client.destroy()
    // The client is gone and the store keeps failing: the document stays loaded and dirty.
    await vi.waitFor(() => expect(knobs.failed).toBeGreaterThanOrEqual(2))
    const during = await getHealth(started.url)
    expect(during.dirtyDocuments).toBe(1)
    expect(during.documents).toBe(1)
    expect(await storedText(inner, name)).toBe('')
    // Recovers after 4 failures; the retry stores it, and only then the document is unloaded.
    await vi.waitFor(async () => expect(await storedText(inner, name)).toBe('must survive'), {
      timeout: 15_000,
    })
    await vi.waitFor(async () =>
      expect(await getHealth(started.url)).toMatchObject({ documents: 0, dirtyDocuments: 0 }),
    )
    expect(knobs.failed).toBe(4)
    expect((await getHealth(started.url)).storeFailures).toBe(4)
  })

  it('a store slower than the debounce under continuous typing: bounded stores, one at a time, nothing lost', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const inner = lowdbStore({ dir: `${dataDir}/docs` })
    const { store, knobs } = faultyStore(inner)
    knobs.delayMs = 150
    const started = await start({ dataDir, documentStore: store, debounceMs: 10, maxDebounceMs: 50 })
    const admin = await testAdmin(started.server, started.url)
    const name = roomName()
    const client = track(await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token }))
    const text = client.doc.getText('scratch')
    const begin = Date.now()
    for (let index = 0; index < 200; index += 1) {
      text.insert(text.length, String(index % 10))
      await new Promise((resolve) => setTimeout(resolve, 3))
    }
    await waitForAcked(client)
    const typingMs = Date.now() - begin
    await vi.waitFor(async () => expect(await storedText(inner, name)).toBe(text.toString()), {
      timeout: 10_000,
    })
    expect(knobs.maxInFlight).toBe(1)
    // At most one store per store duration (plus the tail), never one per keystroke.
    expect(knobs.calls).toBeLessThanOrEqual(Math.ceil(typingMs / 150) + 3)
    expect(knobs.calls).toBeLessThan(200)
  })

  it('connection and document counts return to zero after every disconnect', async () => {
    const started = await start({ debounceMs: 10, maxDebounceMs: 50 })
    const admin = await testAdmin(started.server, started.url)
    for (let round = 0; round < 3; round += 1) {
      const clients = await Promise.all(
        [roomName('acc_1'), roomName('acc_1'), roomName('acc_2')].map((name) =>
          openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token }),
        ),
      )
      clients[0]?.doc.getText('scratch').insert(0, `round ${round}`)
      await vi.waitFor(async () =>
        expect(await getHealth(started.url)).toMatchObject({ connections: 3, documents: 2 }),
      )
      for (const client of clients) client.destroy()
      await vi.waitFor(async () =>
        expect(await getHealth(started.url)).toMatchObject({
          connections: 0,
          documents: 0,
          dirtyDocuments: 0,
        }),
      )
    }
    expect(await storedText(started.server.documentStore, roomName('acc_1'))).toBe('round 2round 1round 0')
  })
})
