import { createAccount, customFieldKey, updateAccount } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type LostSet, lostSetsOf } from './lostSets.ts'

const COLLECTION = 'accounts'
const ID = 'acc_1'

/** A replica with a fixed Yjs client id (concurrent map sets resolve by client id: the higher one is kept). */
const replica = (clientID: number, from?: Y.Doc): Y.Doc => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  if (from) Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}

const fields = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(COLLECTION).get(ID) as Y.Map<unknown>

const seeded = (): Y.Doc => {
  const doc = replica(1)
  doc.transact(() => {
    const record = new Y.Map<unknown>()
    doc.getMap(COLLECTION).set(ID, record)
    record.set('industry', 'Retail')
    record.set('city', 'Berlin')
  })
  return doc
}

/** Applies `updates` to `server` one transaction each, collecting what each transaction lost. */
const deliver = (server: Y.Doc, ...updates: Uint8Array[]): LostSet[][] => {
  const found: LostSet[][] = []
  const handler = (txn: Y.Transaction) => found.push(lostSetsOf(txn, server.getMap(COLLECTION)))
  server.on('afterTransaction', handler)
  for (const update of updates) Y.applyUpdate(server, update)
  server.off('afterTransaction', handler)
  return found
}

const edit = (doc: Y.Doc, field: string, value: unknown): Uint8Array => {
  const before = Y.encodeStateVector(doc)
  fields(doc).set(field, value)
  return Y.encodeStateAsUpdate(doc, before)
}

describe('lostSetsOf', () => {
  it('reports a set that arrives after a concurrent set with a higher client id', () => {
    const base = seeded()
    const server = replica(9, base)
    const low = replica(100, base)
    const high = replica(200, base)
    const fromLow = edit(low, 'industry', 'Fintech')
    const fromHigh = edit(high, 'industry', 'Energy')

    const [first, second] = deliver(server, fromHigh, fromLow)
    expect(first).toEqual([])
    expect(second).toEqual([
      {
        recordId: ID,
        field: 'industry',
        value: 'Fintech',
        keptValue: 'Energy',
        lostClient: 100,
        keptClient: 200,
      },
    ])
    expect(fields(server).get('industry')).toBe('Energy')
  })

  it('reports nothing when the losing set arrives first: the later, winning set is an ordinary change', () => {
    const base = seeded()
    const server = replica(9, base)
    const fromLow = edit(replica(100, base), 'industry', 'Fintech')
    const fromHigh = edit(replica(200, base), 'industry', 'Energy')
    expect(deliver(server, fromLow, fromHigh).flat()).toEqual([])
    expect(fields(server).get('industry')).toBe('Energy')
  })

  it('reports only the last of several offline sets by one client, and not other fields', () => {
    const base = seeded()
    const server = replica(9, base)
    const high = replica(200, base)
    const fromHigh = edit(high, 'industry', 'Energy')
    const low = replica(100, base)
    const before = Y.encodeStateVector(low)
    for (const value of ['F', 'Fi', 'Fin']) fields(low).set('industry', value)
    fields(low).set('city', 'Paris')
    const fromLow = Y.encodeStateAsUpdate(low, before)

    const [, second] = deliver(server, fromHigh, fromLow)
    expect(second?.map((l) => [l.field, l.value, l.keptValue])).toEqual([['industry', 'Fin', 'Energy']])
    expect(fields(server).get('city')).toBe('Paris')
  })

  it('reports nothing when the later set was written by someone who had seen the earlier one', () => {
    const base = seeded()
    const server = replica(9, base)
    const high = replica(200, base)
    const fromHigh = edit(high, 'industry', 'Energy')
    const low = replica(100, base)
    Y.applyUpdate(low, fromHigh)
    const fromLow = edit(low, 'industry', 'Fintech')
    // Both arrive in one update: the earlier set is overwritten knowingly, in the same transaction.
    expect(deliver(server, Y.mergeUpdates([fromHigh, fromLow])).flat()).toEqual([])
    expect(fields(server).get('industry')).toBe('Fintech')
  })
})

describe('lostSetsOf, custom fields', () => {
  it('reports a lost set of a custom field by its `cf:<fieldId>` entry, as the model writes it', () => {
    const base = replica(1)
    createAccount(base, { id: ID, name: 'Custom Fields Inc' }, 'seed')
    const server = replica(9, base)
    const low = replica(100, base)
    const high = replica(200, base)
    const update = (doc: Y.Doc, value: unknown) => {
      const before = Y.encodeStateVector(doc)
      updateAccount(doc, ID, { customFields: { f_vertical: value as string } }, 'client')
      return Y.encodeStateAsUpdate(doc, before)
    }
    const fromLow = update(low, 'Fintech')
    const fromHigh = update(high, 'Retail')
    const [, second] = deliver(server, fromHigh, fromLow)
    // `updatedAt` loses too; the audit ignores it (IGNORED_FIELDS).
    expect(second?.filter((set) => set.field !== 'updatedAt')).toEqual([
      {
        recordId: ID,
        field: customFieldKey('f_vertical'),
        value: 'Fintech',
        keptValue: 'Retail',
        lostClient: 100,
        keptClient: 200,
      },
    ])
  })
})
