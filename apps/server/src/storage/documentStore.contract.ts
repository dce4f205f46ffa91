import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  appendUpdates,
  type DocumentStore,
  storedWorkspaceIds,
  storeStates,
  workspaceIdsOf,
} from './DocumentStore.ts'

export interface StoreFactory {
  /** A fresh, empty store. */
  create(): Promise<DocumentStore>
  /** A second store over the same backing data (null when the store does not persist). */
  reopen?(): Promise<DocumentStore>
  cleanup?(): Promise<void>
}

const stateOf = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const textOf = (state: Uint8Array | null): string => {
  if (!state) throw new Error('no state')
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

/** The DocumentStore contract: every implementation runs this suite. */
export const documentStoreContract = (label: string, factory: StoreFactory): void => {
  describe(`DocumentStore contract: ${label}`, () => {
    let store: DocumentStore
    beforeEach(async () => {
      store = await factory.create()
    })
    afterEach(async () => {
      await store.close()
      await factory.cleanup?.()
    })

    it('appendUpdates then storeStates: logged, then stored with the logs dropped (batch or one by one)', async () => {
      const names = ['ws_a/contact/c1', 'ws_a/contact/c2', 'ws_a/contact/c3']
      await store.store('ws_a/contact/c0', stateOf('other'))
      await appendUpdates(
        store,
        names.map((name) => ({ name, update: stateOf(name) })),
      )
      expect(await store.loggedNames()).toEqual(names)
      for (const name of names) expect(textOf(await store.load(name))).toBe(name)
      await storeStates(
        store,
        names.map((name) => ({ name, state: stateOf(name) })),
      )
      expect(await store.loggedNames()).toEqual([])
      for (const name of names) {
        const loaded = await store.loadWithLog(name)
        expect(loaded.log).toEqual([])
        expect(textOf(loaded.state)).toBe(name)
      }
      expect(textOf(await store.load('ws_a/contact/c0'))).toBe('other')
      if (factory.reopen) {
        const again = await factory.reopen()
        try {
          for (const name of names) expect(textOf(await again.load(name))).toBe(name)
        } finally {
          await again.close()
        }
      }
    })

    it('storeNew: stored once, logged until settled (or stored, or deleted), survives a reopen; replaces nothing', async () => {
      const { storeNew, settleNew } = store
      // Optional (DocumentStore `storeNew`): only the stores that have it.
      if (!storeNew || !settleNew) return
      await store.store('ws_a/contact/c0', stateOf('kept'))
      const names = ['ws_a/contact/c0', 'ws_a/contact/c1', 'ws_a/contact/c2', 'ws_a/contact/c3']
      await storeNew.call(
        store,
        names.map((name) => ({ name, state: stateOf(name === 'ws_a/contact/c0' ? 'added' : name) })),
      )
      // Listed as logged: a crash now leaves them to the start-up catch-up.
      expect(await store.loggedNames()).toEqual(names)
      for (const name of names.slice(1)) expect(textOf(await store.load(name))).toBe(name)
      // A document stored before keeps its state; the entry is merged in as an update.
      const c0 = textOf(await store.load('ws_a/contact/c0'))
      expect([c0.includes('kept'), c0.includes('added'), c0.length]).toEqual([true, true, 'keptadded'.length])
      if (factory.reopen) {
        const again = await factory.reopen()
        try {
          expect(await again.loggedNames()).toEqual(names)
          for (const name of names.slice(1)) expect(textOf(await again.load(name))).toBe(name)
        } finally {
          await again.close()
        }
      }
      await settleNew.call(store, ['ws_a/contact/c1'])
      await store.store('ws_a/contact/c2', stateOf('stored'))
      await store.delete('ws_a/contact/c3')
      // Logged now: only what has updates in its log — c0's, and an entry the store appended instead of storing
      // it (DocumentStore `storeNew`: SQLite's large states).
      const logged = await store.loggedNames()
      expect(logged).toContain('ws_a/contact/c0')
      expect(logged).not.toContain('ws_a/contact/c2')
      expect(logged).not.toContain('ws_a/contact/c3')
      for (const name of logged) expect((await store.loadWithLog(name)).log.length, name).toBeGreaterThan(0)
      expect(textOf(await store.load('ws_a/contact/c1'))).toBe('ws_a/contact/c1')
      expect(await store.load('ws_a/contact/c3')).toBeNull()
    })

    it('returns null for a document never stored', async () => {
      expect(await store.load('ws_a/accounts')).toBeNull()
    })

    it('round-trips the full Yjs state', async () => {
      await store.store('ws_a/accounts', stateOf('hello'))
      expect(textOf(await store.load('ws_a/accounts'))).toBe('hello')
    })

    it('overwrites: the last store wins', async () => {
      await store.store('ws_a/accounts', stateOf('one'))
      await store.store('ws_a/accounts', stateOf('two'))
      expect(textOf(await store.load('ws_a/accounts'))).toBe('two')
    })

    it('does not alias the caller buffer', async () => {
      const state = stateOf('kept')
      await store.store('d', state)
      state.fill(0)
      expect(textOf(await store.load('d'))).toBe('kept')
    })

    it('keeps names with slashes, dots and unicode apart', async () => {
      const names = [
        'ws_a/account/acc_1',
        'ws_a/account',
        'ws_a%2Faccount',
        '.hidden',
        'ünï/cödé',
        'a b/c?d#e',
      ]
      for (const [index, name] of names.entries()) await store.store(name, stateOf(`v${index}`))
      for (const [index, name] of names.entries()) expect(textOf(await store.load(name))).toBe(`v${index}`)
      expect(await store.list()).toEqual([...names].sort())
    })

    it('lists by prefix, sorted', async () => {
      for (const name of ['ws_b/support', 'ws_a/support', 'ws_a/account/acc_2', 'ws_a/account/acc_1']) {
        await store.store(name, stateOf(name))
      }
      expect(await store.list('ws_a/')).toEqual(['ws_a/account/acc_1', 'ws_a/account/acc_2', 'ws_a/support'])
      expect(await store.list('ws_a/account/')).toEqual(['ws_a/account/acc_1', 'ws_a/account/acc_2'])
      expect(await store.list('nope')).toEqual([])
      expect(await store.list()).toHaveLength(4)
    })

    it('names the workspaces of its documents, stored or only logged, as listing every name would', async () => {
      // Workspace ids that sort around the '/' of others' names ('-' and '.' before it, '0' and letters after).
      const names = ['ws/a', 'ws/b/c', 'ws-x/a', 'ws.y/a', 'ws0/a', 'wsZ/d', 'nodash', 'é/a', '𝔸/a', 'ws/z']
      for (const name of names.slice(0, 7)) await store.store(name, stateOf(name))
      for (const name of names.slice(7)) await store.appendUpdate(name, stateOf(name))
      const expected = ['é', 'ws', 'ws-x', 'ws.y', 'ws0', 'wsZ', '𝔸'].sort()
      expect(await storedWorkspaceIds(store)).toEqual(expected)
      expect(workspaceIdsOf(await store.list())).toEqual(expected)
      await store.delete('ws/a')
      await store.delete('ws/b/c')
      expect(await storedWorkspaceIds(store)).toEqual(expected) // ws/z is still logged
      await store.delete('ws/z')
      expect(await storedWorkspaceIds(store)).toEqual(expected.filter((id) => id !== 'ws'))
    })

    it('deletes, and deleting a missing document is fine', async () => {
      await store.store('ws_a/contacts', stateOf('x'))
      await store.delete('ws_a/contacts')
      await store.delete('ws_a/never')
      expect(await store.load('ws_a/contacts')).toBeNull()
      expect(await store.list()).toEqual([])
    })

    it('concurrent stores of one document keep the last one called', async () => {
      const writes = Array.from({ length: 25 }, (_, index) =>
        store.store('ws_a/accounts', stateOf(`v${index}`)),
      )
      await Promise.all(writes)
      expect(textOf(await store.load('ws_a/accounts'))).toBe('v24')
    })

    it('concurrent stores of different documents all land', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.store(`ws_a/account/a${index}`, stateOf(`${index}`))),
      )
      for (let index = 0; index < 20; index += 1) {
        expect(textOf(await store.load(`ws_a/account/a${index}`))).toBe(`${index}`)
      }
    })

    it('stores large documents (5 MB of text)', async () => {
      const big = 'x'.repeat(5 * 1024 * 1024)
      await store.store('ws_a/big', stateOf(big))
      const loaded = textOf(await store.load('ws_a/big'))
      expect(loaded.length).toBe(big.length)
    })

    describe('update log', () => {
      /** Two updates on top of `base`: the second depends on the first. */
      const twoEdits = (base: Uint8Array | null) => {
        const doc = new Y.Doc()
        if (base) Y.applyUpdate(doc, base)
        const updates: Uint8Array[] = []
        doc.on('update', (update: Uint8Array) => updates.push(update))
        doc.getText('t').insert(doc.getText('t').length, ' one')
        doc.getText('t').insert(doc.getText('t').length, ' two')
        return { updates, state: () => Y.encodeStateAsUpdate(doc) }
      }

      it('load merges logged updates into the stored state; a log alone is a document', async () => {
        const { updates } = twoEdits(null)
        for (const update of updates) await store.appendUpdate('ws_a/log-only', update)
        expect(textOf(await store.load('ws_a/log-only'))).toBe(' one two')
        expect(await store.list('ws_a/')).toEqual(['ws_a/log-only'])
        expect(await store.loggedNames()).toEqual(['ws_a/log-only'])

        await store.store('ws_a/doc', stateOf('base'))
        const edits = twoEdits(await store.load('ws_a/doc'))
        for (const update of edits.updates) await store.appendUpdate('ws_a/doc', update)
        expect(textOf(await store.load('ws_a/doc'))).toBe('base one two')
        const loaded = await store.loadWithLog('ws_a/doc')
        expect(textOf(loaded.state)).toBe('base')
        expect(loaded.log).toHaveLength(2)
        expect(loaded.damagedLogBytes).toBe(0)
      })

      it('store drops the updates appended before the call and keeps those appended after it', async () => {
        const edits = twoEdits(null)
        const [first, second] = edits.updates
        if (!first || !second) throw new Error('no updates')
        await store.appendUpdate('d', first)
        // The caller's state holds `first` only; `second` is appended while the store runs.
        const covering = new Y.Doc()
        Y.applyUpdate(covering, first)
        const stored = store.store('d', Y.encodeStateAsUpdate(covering))
        const appended = store.appendUpdate('d', second)
        await Promise.all([stored, appended])
        const loaded = await store.loadWithLog('d')
        expect(textOf(loaded.state)).toBe(' one')
        expect(loaded.log).toHaveLength(1)
        expect(textOf(await store.load('d'))).toBe(' one two')
        await store.store('d', edits.state())
        expect((await store.loadWithLog('d')).log).toEqual([])
        expect(await store.loggedNames()).toEqual([])
      })

      it('replaying updates the state already holds changes nothing (idempotent)', async () => {
        const edits = twoEdits(stateOf('x'))
        await store.store('d', edits.state())
        for (const update of [...edits.updates, ...edits.updates]) await store.appendUpdate('d', update)
        expect(textOf(await store.load('d'))).toBe('x one two')
      })

      it('concurrent appends to many documents all land, in order per document', async () => {
        const docs = Array.from({ length: 10 }, () => new Y.Doc())
        const appends: Promise<void>[] = []
        docs.forEach((doc, index) => {
          doc.on('update', (update: Uint8Array) => appends.push(store.appendUpdate(`ws_a/n${index}`, update)))
          for (let step = 0; step < 20; step += 1) doc.getText('t').insert(step, String(step % 10))
        })
        await Promise.all(appends)
        for (const [index, doc] of docs.entries()) {
          expect(textOf(await store.load(`ws_a/n${index}`))).toBe(doc.getText('t').toString())
        }
      })

      it('delete removes the log too', async () => {
        const { updates } = twoEdits(null)
        for (const update of updates) await store.appendUpdate('d', update)
        await store.delete('d')
        expect(await store.load('d')).toBeNull()
        expect(await store.list()).toEqual([])
      })

      if (factory.reopen) {
        it('logged updates survive reopen (no store in between)', async () => {
          await store.store('d', stateOf('base'))
          const edits = twoEdits(await store.load('d'))
          for (const update of edits.updates) await store.appendUpdate('d', update)
          const reopened = await factory.reopen?.()
          if (!reopened) throw new Error('reopen returned nothing')
          expect(textOf(await reopened.load('d'))).toBe('base one two')
          // Appends after a reopen land too, and a store compacts everything.
          const more = twoEdits(await reopened.load('d'))
          for (const update of more.updates) await reopened.appendUpdate('d', update)
          expect(textOf(await reopened.load('d'))).toBe('base one two one two')
          await reopened.store('d', more.state())
          expect((await reopened.loadWithLog('d')).log).toEqual([])
          expect(textOf(await reopened.load('d'))).toBe('base one two one two')
          await reopened.close()
        })
      }
    })

    if (factory.reopen) {
      it('persists across reopen', async () => {
        await store.store('ws_a/accounts', stateOf('durable'))
        const reopened = await factory.reopen?.()
        if (!reopened) throw new Error('reopen returned nothing')
        expect(textOf(await reopened.load('ws_a/accounts'))).toBe('durable')
        expect(await reopened.list()).toEqual(['ws_a/accounts'])
        await reopened.close()
      })
    }
  })
}
