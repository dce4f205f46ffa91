import { ACCOUNTS, Account, COLLECTION, collectionMap, createAccount, readRecord } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { migrateLegacyCustomFields } from './customFieldMigration.ts'

describe('migrateLegacyCustomFields', () => {
  it('moves old-form accounts of a loaded document to per-field entries in one update; what is read does not change', () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc_old', name: 'Old Co' }, 'seed')
    createAccount(doc, { id: 'acc_new', name: 'New Co', customFields: { seats: 3 } }, 'seed')
    doc.transact(() => {
      ;(collectionMap(doc, ACCOUNTS).get('acc_old') as Y.Map<unknown>).set('customFields', {
        seats: 9,
        plan: 'Gold',
      })
    })
    const before = readRecord(collectionMap(doc, ACCOUNTS), 'acc_old', Account)
    let updates = 0
    doc.on('update', () => updates++)
    expect(migrateLegacyCustomFields(doc)).toBe(1)
    expect(updates).toBe(1)
    const fields = doc.getMap(COLLECTION.accounts).get('acc_old') as Y.Map<unknown>
    expect(fields.has('customFields')).toBe(false)
    expect(fields.get('cf:seats')).toBe(9)
    expect(readRecord(collectionMap(doc, ACCOUNTS), 'acc_old', Account)).toEqual(before)
    expect(migrateLegacyCustomFields(doc)).toBe(0)
  })
})
