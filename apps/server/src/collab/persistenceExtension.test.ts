import { Hocuspocus } from '@hocuspocus/server'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { applyWithoutUpdateEvents } from './applyWithoutUpdateEvents.ts'
import { createPersistenceExtension } from './persistenceExtension.ts'

/** A store wrapper with knobs: fail the next N stores, delay stores, count calls and concurrency. */
const instrumented = (inner: DocumentStore = memoryStore()) => {
  const knobs = { failNext: 0, delayMs: 0, calls: 0, inFlight: 0, maxInFlight: 0 }
  const store: DocumentStore = {
    ...inner,
    async store(name, state) {
      knobs.calls += 1
      knobs.inFlight += 1
      knobs.maxInFlight = Math.max(knobs.maxInFlight, knobs.inFlight)
      try {
        if (knobs.delayMs) await new Promise((resolve) => setTimeout(resolve, knobs.delayMs))
        if (knobs.failNext > 0) {
          knobs.failNext -= 1
          throw new Error('injected store failure')
        }
        await inner.store(name, state)
      } finally {
        knobs.inFlight -= 1
      }
    },
  }
  return { store, knobs, inner }
}

const setup = (store: DocumentStore, debounceMs = 20, maxDebounceMs = 100) => {
  const persistence = createPersistenceExtension({
    store,
    logger: silentLogger(),
    debounceMs,
    maxDebounceMs,
    retryBaseMs: 10,
    retryMaxMs: 40,
  })
  const hocuspocus = new Hocuspocus({
    quiet: true,
    debounce: debounceMs,
    maxDebounce: maxDebounceMs,
    extensions: [persistence],
  })
  return { persistence, hocuspocus }
}

/** The text of the stored state only (not the update log): what the debounced stores wrote. */
const textIn = async (store: DocumentStore, name: string): Promise<string> => {
  const { state } = await store.loadWithLog(name)
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

describe('persistenceExtension', () => {
  it('loads the stored state and stores edits after the debounce', async () => {
    const { store, knobs } = instrumented()
    const seed = new Y.Doc()
    seed.getText('t').insert(0, 'stored ')
    await store.store('d', Y.encodeStateAsUpdate(seed))
    knobs.calls = 0
    const { hocuspocus, persistence } = setup(store)
    const direct = await hocuspocus.openDirectConnection('d')
    await direct.transact((doc) => doc.getText('t').insert(7, 'edit'))
    expect(persistence.isDirty('d')).toBe(true)
    await vi.waitFor(async () => expect(await textIn(store, 'd')).toBe('stored edit'))
    expect(persistence.isDirty('d')).toBe(false)
    expect(knobs.calls).toBe(1)
    await direct.disconnect()
  })

  it('retries a failing store with backoff, keeps the document dirty and loaded meanwhile', async () => {
    const { store, knobs } = instrumented()
    const { hocuspocus, persistence } = setup(store)
    knobs.failNext = 3
    const direct = await hocuspocus.openDirectConnection('d')
    await direct.transact((doc) => doc.getText('t').insert(0, 'precious'))
    await direct.disconnect()
    // No connection left: Hocuspocus tries to unload; the veto keeps the dirty document in memory.
    await vi.waitFor(() => expect(knobs.calls).toBeGreaterThanOrEqual(2))
    expect(persistence.isDirty('d')).toBe(true)
    expect(hocuspocus.documents.has('d')).toBe(true)
    await vi.waitFor(async () => expect(await textIn(store, 'd')).toBe('precious'))
    expect(knobs.calls).toBe(4)
    expect(persistence.stats()).toMatchObject({ storeFailures: 3, stores: 1, dirtyDocuments: 0 })
    // Stored: now it may go.
    await vi.waitFor(() => expect(hocuspocus.documents.has('d')).toBe(false))
    expect(persistence.stats().tracked).toBe(0)
  })

  it('a store slower than the debounce under continuous edits: one at a time, bounded count, nothing lost', async () => {
    const { store, knobs } = instrumented()
    knobs.delayMs = 60
    const { hocuspocus, persistence } = setup(store, 5, 20)
    const direct = await hocuspocus.openDirectConnection('d')
    let expected = ''
    for (let index = 0; index < 150; index += 1) {
      await direct.transact((doc) => doc.getText('t').insert(doc.getText('t').length, 'x'))
      expected += 'x'
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    const elapsed = 150 * 2
    await direct.disconnect()
    await vi.waitFor(async () => expect(await textIn(store, 'd')).toBe(expected), { timeout: 5000 })
    expect(knobs.maxInFlight).toBe(1)
    // 150 edits: without coalescing this would be ~150 stores; each store takes 60 ms.
    expect(knobs.calls).toBeLessThanOrEqual(Math.ceil((elapsed * 3) / 60) + 3)
    expect(persistence.isDirty('d')).toBe(false)
  })

  it('forget (a deleted workspace): no store, no merge of its dirty copy into the next load of the name', async () => {
    const { store, knobs } = instrumented()
    knobs.failNext = 1_000 // every store fails: the document stays dirty and loaded (its unload vetoed)
    const { hocuspocus, persistence } = setup(store)
    const direct = await hocuspocus.openDirectConnection('gone/account/a')
    await direct.transact((doc) => doc.getText('t').insert(0, 'of a deleted workspace'))
    await direct.disconnect()
    await vi.waitFor(() => expect(knobs.calls).toBeGreaterThanOrEqual(1))
    const kept = hocuspocus.documents.get('gone/account/a')
    expect(kept).toBeDefined()
    // What the workspace delete does: forget its documents, then unload the loaded ones.
    persistence.forget('gone/')
    await hocuspocus.unloadDocument(kept as NonNullable<typeof kept>)
    expect(hocuspocus.documents.has('gone/account/a')).toBe(false)
    expect(persistence.stats()).toMatchObject({ tracked: 0, dirtyDocuments: 0 })
    const callsAfter = knobs.calls
    knobs.failNext = 0
    // A later open of the name finds only what the store holds (the log, here): not the forgotten in-memory copy.
    await store.delete('gone/account/a')
    const again = await hocuspocus.openDirectConnection('gone/account/a')
    expect(again.document?.getText('t').toString()).toBe('')
    await again.disconnect()
    expect(knobs.calls).toBe(callsAfter)
  })

  it('flushAll stores every dirty document immediately', async () => {
    const { store } = instrumented()
    const { hocuspocus, persistence } = setup(store, 60_000, 120_000)
    const a = await hocuspocus.openDirectConnection('a')
    const b = await hocuspocus.openDirectConnection('b')
    await a.transact((doc) => doc.getText('t').insert(0, 'A'))
    await b.transact((doc) => doc.getText('t').insert(0, 'B'))
    expect(persistence.stats().dirtyDocuments).toBe(2)
    expect(await persistence.flushAll()).toEqual([])
    expect(await textIn(store, 'a')).toBe('A')
    expect(await textIn(store, 'b')).toBe('B')
    persistence.stop()
  })

  it('flushAll reports documents it could not store', async () => {
    const { store, knobs } = instrumented()
    const { hocuspocus, persistence } = setup(store, 60_000, 120_000)
    const a = await hocuspocus.openDirectConnection('a')
    await a.transact((doc) => doc.getText('t').insert(0, 'A'))
    knobs.failNext = 100
    expect(await persistence.flushAll(2)).toEqual(['a'])
    expect(persistence.isDirty('a')).toBe(true)
    knobs.failNext = 0
    expect(await persistence.flushAll()).toEqual([])
    persistence.stop()
  })

  it('a failing load refuses the document instead of serving an empty one', async () => {
    const { store } = instrumented()
    const { hocuspocus, persistence } = setup({
      ...store,
      loadWithLog: async () => Promise.reject(new Error('disk gone')),
    })
    await expect(hocuspocus.openDirectConnection('d')).rejects.toThrow('disk gone')
    expect(persistence.stats().loadFailures).toBe(1)
    expect(hocuspocus.documents.has('d')).toBe(false)
  })
})

describe('persistenceExtension update log', () => {
  it('appends every update, from any origin, as it is applied', async () => {
    const inner = memoryStore()
    const { hocuspocus } = setup(inner, 60_000, 120_000)
    const direct = await hocuspocus.openDirectConnection('d')
    await direct.transact((doc) => doc.getText('t').insert(0, 'direct '))
    const document = hocuspocus.documents.get('d')
    document?.transact(() => document.getText('t').insert(7, 'server'), { server: true })
    await vi.waitFor(async () => expect((await inner.loadWithLog('d')).log).toHaveLength(2))
    // Nothing stored yet (long debounce): the log alone holds both.
    expect((await inner.loadWithLog('d')).state).toBeNull()
    const fromLog = new Y.Doc()
    Y.applyUpdate(fromLog, (await inner.load('d')) as Uint8Array)
    expect(fromLog.getText('t').toString()).toBe('direct server')
    await direct.disconnect()
  })

  it("a direct connection's transact resolves only once its update is in the log", async () => {
    const inner = memoryStore()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const { hocuspocus } = setup(
      {
        ...inner,
        async appendUpdate(name, update) {
          await gate
          await inner.appendUpdate(name, update)
        },
      },
      60_000,
      120_000,
    )
    const direct = await hocuspocus.openDirectConnection('d')
    let resolved = false
    const transacted = direct
      .transact((doc) => doc.getText('t').insert(0, 'x'))
      .then(() => {
        resolved = true
      })
    // Let every pending promise run: the transact is still waiting for the log.
    await new Promise<void>((resolve) => setImmediate(resolve))
    expect(resolved).toBe(false)
    release()
    await transacted
    expect((await inner.loadWithLog('d')).log).toHaveLength(1)
    await direct.disconnect()
  })

  it('when an append fails, the document is stored before the write resolves', async () => {
    const inner = memoryStore()
    const { hocuspocus, persistence } = setup(
      { ...inner, appendUpdate: async () => Promise.reject(new Error('log disk full')) },
      60_000,
      120_000,
    )
    const direct = await hocuspocus.openDirectConnection('d')
    await direct.transact((doc) => doc.getText('t').insert(0, 'kept anyway'))
    expect((await inner.loadWithLog('d')).state).not.toBeNull()
    expect(await textIn(inner, 'd')).toBe('kept anyway')
    expect(persistence.stats()).toMatchObject({ appendFailures: 1, stores: 1 })
    await direct.disconnect()
  })

  it('a load replays the log onto the stored state (updates already stored change nothing), then compacts it', async () => {
    const inner = memoryStore()
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    source.getText('t').insert(0, 'stored ')
    await inner.store('d', Y.encodeStateAsUpdate(source))
    source.getText('t').insert(7, 'logged')
    // The first update is in the state already (a crash between store and truncation), the second only logged.
    for (const update of updates) await inner.appendUpdate('d', update)
    const { hocuspocus, persistence } = setup(inner, 10, 50)
    const direct = await hocuspocus.openDirectConnection('d')
    expect(hocuspocus.documents.get('d')?.getText('t').toString()).toBe('stored logged')
    expect(persistence.stats().replayed).toBe(2)
    // Compacted by the next store: the state holds everything and the log is empty.
    await vi.waitFor(async () => expect((await inner.loadWithLog('d')).log).toEqual([]))
    expect(await textIn(inner, 'd')).toBe('stored logged')
    const { state } = await inner.loadWithLog('d')
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, state as Uint8Array)
    expect(reloaded.getText('t').toString()).toBe('stored logged')
    await direct.disconnect()
  })
})

describe('applyWithoutUpdateEvents', () => {
  it('loads a state without encoding it for update listeners, and keeps the listeners', () => {
    const source = new Y.Doc()
    source.getMap('deals').set('d1', 'x'.repeat(1_000))
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    applyWithoutUpdateEvents(doc, Y.encodeStateAsUpdate(source))
    expect(doc.getMap('deals').get('d1')).toBe('x'.repeat(1_000))
    expect(updates).toEqual([])
    doc.getMap('deals').set('d2', 'y')
    expect(updates).toHaveLength(1)
  })
})
