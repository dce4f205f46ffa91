import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocumentStore } from './DocumentStore.ts'

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
