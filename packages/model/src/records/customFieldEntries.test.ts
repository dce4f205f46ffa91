import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ACCOUNTS, Account, createAccount, updateAccount } from './account.ts'
import { customFieldKey, migrateCustomFields, readCustomFields, recordJSON } from './customFieldEntries.ts'
import { createDeal, DEALS, Deal, updateDeal } from './deal.ts'
import { collectionMap, readRecord } from './recordMap.ts'

const ORIGIN = { user: 'u1' }
const NOW = 1_700_000_000_000

function fieldsOf(doc: Y.Doc, id: string): Y.Map<unknown> {
  return collectionMap(doc, ACCOUNTS).get(id) as Y.Map<unknown>
}

/** The record-map keys one transaction sets or deletes. */
function keysWritten(fields: Y.Map<unknown>, run: () => void): string[] {
  const keys: string[] = []
  const listener = (event: Y.YMapEvent<unknown>): void => {
    keys.push(...event.keys.keys())
  }
  fields.observe(listener)
  run()
  fields.unobserve(listener)
  return keys.sort()
}

/** Applies every update of each doc to the other (both directions), as two connected clients do. */
function exchange(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  Y.applyUpdate(b, fromA)
  Y.applyUpdate(a, fromB)
}

/** An account stored the way records were before per-field entries: one `customFields` object. */
function legacyAccount(doc: Y.Doc, id: string, values: Record<string, unknown>): void {
  const account = createAccount(doc, { id, name: 'Old Co' }, ORIGIN, { now: NOW })
  doc.transact(() => {
    const fields = fieldsOf(doc, id)
    fields.set('customFields', values)
  })
  expect(account.customFields).toEqual({})
}

describe('custom field values, one entry per field', () => {
  it('a create stores each value as its own entry, and reads back as one customFields object', () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc1', name: 'Acme', customFields: { seats: 12, plan: 'Gold' } }, ORIGIN)
    const fields = fieldsOf(doc, 'acc1')
    expect(fields.has('customFields')).toBe(false)
    expect(fields.get(customFieldKey('seats'))).toBe(12)
    expect(readRecord(collectionMap(doc, ACCOUNTS), 'acc1', Account)?.customFields).toEqual({
      seats: 12,
      plan: 'Gold',
    })
  })

  it('an update writes only the entry of the field it names and keeps the others', () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc1', name: 'Acme', customFields: { seats: 12, plan: 'Gold' } }, ORIGIN)
    const written = keysWritten(fieldsOf(doc, 'acc1'), () =>
      updateAccount(doc, 'acc1', { customFields: { plan: 'Pro' } }, ORIGIN, { now: NOW + 1 }),
    )
    expect(written).toEqual([customFieldKey('plan'), 'updatedAt'])
    expect(readCustomFields(fieldsOf(doc, 'acc1'))).toEqual({ seats: 12, plan: 'Pro' })
  })

  it('null or an empty value clears one field; setting the same value writes nothing', () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc1', name: 'Acme', customFields: { seats: 12, tags: ['a'] } }, ORIGIN)
    const cleared = updateAccount(doc, 'acc1', { customFields: { seats: null, tags: [] } }, ORIGIN)
    expect(cleared.customFields).toEqual({})
    expect(fieldsOf(doc, 'acc1').get(customFieldKey('seats'))).toBeNull()
    expect(
      keysWritten(fieldsOf(doc, 'acc1'), () => updateAccount(doc, 'acc1', { customFields: {} }, ORIGIN)),
    ).toEqual([])
  })

  it('an invalid value is refused and nothing is written', () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc1', name: 'Acme' }, ORIGIN)
    expect(() =>
      updateAccount(doc, 'acc1', { customFields: { seats: { nested: 1 } as never } }, ORIGIN),
    ).toThrow(/invalid/)
    expect(fieldsOf(doc, 'acc1').has(customFieldKey('seats'))).toBe(false)
  })

  it('two users set different custom fields at once: both kept', () => {
    const alice = new Y.Doc()
    const bob = new Y.Doc()
    const deal = createDeal(
      alice,
      { id: 'deal1', pipelineId: 'pip1', title: 'Renewal', stageId: 'stg1', customFields: { region: 'EU' } },
      ORIGIN,
    )
    exchange(alice, bob)
    // Each edits from the same starting value, before seeing the other's edit.
    updateDeal(alice, deal.id, { customFields: { seats: 40 } }, ORIGIN)
    updateDeal(bob, deal.id, { customFields: { plan: 'Gold' } }, { user: 'u2' })
    exchange(alice, bob)
    for (const doc of [alice, bob]) {
      expect(readRecord(collectionMap(doc, DEALS), deal.id, Deal)?.customFields).toEqual({
        region: 'EU',
        seats: 40,
        plan: 'Gold',
      })
    }
  })
})

describe('custom field values stored in the old form (one object per record)', () => {
  it('are read as they were', () => {
    const doc = new Y.Doc()
    legacyAccount(doc, 'acc1', { seats: 12, plan: 'Gold' })
    expect(readRecord(collectionMap(doc, ACCOUNTS), 'acc1', Account)?.customFields).toEqual({
      seats: 12,
      plan: 'Gold',
    })
  })

  it('merge under per-field entries: an entry wins, a null entry clears', () => {
    const doc = new Y.Doc()
    legacyAccount(doc, 'acc1', { seats: 12, plan: 'Gold', region: 'EU' })
    updateAccount(doc, 'acc1', { customFields: { plan: 'Pro', region: null } }, ORIGIN)
    expect(fieldsOf(doc, 'acc1').get('customFields')).toEqual({ seats: 12, plan: 'Gold', region: 'EU' })
    expect(recordJSON(fieldsOf(doc, 'acc1')).customFields).toEqual({ seats: 12, plan: 'Pro' })
  })

  it('migrate to per-field entries without changing what is read (an existing entry is kept)', () => {
    const doc = new Y.Doc()
    legacyAccount(doc, 'acc1', { seats: 12, plan: 'Gold', region: 'EU' })
    updateAccount(doc, 'acc1', { customFields: { plan: 'Pro', region: null } }, ORIGIN)
    const before = readRecord(collectionMap(doc, ACCOUNTS), 'acc1', Account)
    expect(doc.transact(() => migrateCustomFields(fieldsOf(doc, 'acc1')))).toBe(true)
    const fields = fieldsOf(doc, 'acc1')
    expect(fields.has('customFields')).toBe(false)
    expect([...fields.keys()].filter((k) => k.startsWith('cf:')).sort()).toEqual([
      customFieldKey('plan'),
      customFieldKey('region'),
      customFieldKey('seats'),
    ])
    expect(readRecord(collectionMap(doc, ACCOUNTS), 'acc1', Account)).toEqual(before)
    expect(migrateCustomFields(fields)).toBe(false)
  })
})
