import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { docName, parseDocName } from '../docNames.ts'
import { COLLECTION } from '../layout.ts'
import { ACCOUNTS, createAccount, updateAccount } from './account.ts'
import { CONTACTS, createContact, updateContact } from './contact.ts'
import { createDeal, DEALS, moveDeal } from './deal.ts'
import {
  dropForeignEntries,
  foreignEntries,
  isOwnRecord,
  isRecordDocRef,
  RECORD_DOC_COLLECTION,
  RECORD_DOC_KINDS,
  recordDocRef,
  recordIdOf,
} from './recordDocs.ts'
import { collectionMap, readRecords } from './recordMap.ts'
import { createTicket, moveTicket, TICKETS } from './ticket.ts'
import { addTicketMessage } from './ticketMessage.ts'

const O = 'test'

describe('recordDocRef', () => {
  it.each(RECORD_DOC_KINDS)('%s: names W/<kind>/<id> and round-trips', (kind) => {
    const ref = recordDocRef('ws_1', kind, 'rec_1')
    expect(docName(ref)).toBe(`ws_1/${kind}/rec_1`)
    const parsed = parseDocName(docName(ref))
    expect(parsed).toEqual(ref)
    expect(parsed && isRecordDocRef(parsed)).toBe(true)
    expect(recordIdOf(ref)).toBe('rec_1')
    expect(isOwnRecord(ref, 'rec_1')).toBe(true)
    expect(isOwnRecord(ref, 'rec_2')).toBe(false)
  })

  it('collection documents are not per-record documents', () => {
    for (const name of ['w/contacts', 'w/pipeline/p', 'w/support', 'w/board/p', 'w/feed', 'w/inbox/u']) {
      const ref = parseDocName(name)
      expect(ref && isRecordDocRef(ref)).toBe(false)
    }
  })

  it('maps each kind to the collection it holds today', () => {
    expect(RECORD_DOC_COLLECTION.account).toBe(ACCOUNTS)
    expect(RECORD_DOC_COLLECTION.contact).toBe(CONTACTS)
    expect(RECORD_DOC_COLLECTION.deal).toBe(DEALS)
    expect(RECORD_DOC_COLLECTION.ticket).toBe(TICKETS)
  })
})

describe('existing commands on a per-record document', () => {
  it('contact: create, update and read work unchanged', () => {
    const doc = new Y.Doc()
    createContact(doc, { id: 'con_1', firstName: 'Ada' }, O, { now: 1 })
    updateContact(doc, 'con_1', { title: 'CTO' }, O, { now: 2 })
    const { records } = readRecords(collectionMap(doc, CONTACTS), CONTACTS.schema)
    expect(records.map((r) => [r.id, r.title])).toEqual([['con_1', 'CTO']])
    expect(foreignEntries(recordDocRef('w', 'contact', 'con_1'), doc)).toEqual([])
  })

  it('deal: create and move write position, status and lostReason', () => {
    const doc = new Y.Doc()
    const stages = [
      { id: 'lead', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' as const },
      { id: 'lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' as const },
    ]
    createDeal(doc, { id: 'deal_1', pipelineId: 'p', title: 'T', stageId: 'lead' }, O, { now: 1, stages })
    const moved = moveDeal(doc, 'deal_1', { column: 'lost', key: 'a0' }, O, {
      now: 2,
      stages,
      lostReason: 'price',
    })
    expect([moved.position.column, moved.status, moved.lostReason]).toEqual(['lost', 'lost', 'price'])
    expect(foreignEntries(recordDocRef('w', 'deal', 'deal_1'), doc)).toEqual([])
  })

  it("account room: the account's fields live in its room beside the room's maps", () => {
    const doc = new Y.Doc()
    createAccount(doc, { id: 'acc_1', name: 'Acme' }, O, { now: 1 })
    updateAccount(doc, 'acc_1', { city: 'Oslo' }, O, { now: 2 })
    doc.getMap(COLLECTION.tasks).set('tsk_1', new Y.Map())
    expect(foreignEntries(recordDocRef('w', 'account', 'acc_1'), doc)).toEqual([])
  })

  it("ticket: messages of the ticket are its own, another ticket's are foreign", () => {
    const doc = new Y.Doc()
    createTicket(doc, { id: 'tkt_1', subject: 'Broken' }, O, { now: 1 })
    addTicketMessage(doc, 'tkt_1', 'usr_1', { body: 'On it' }, O, { now: 2 })
    moveTicket(doc, 'tkt_1', { column: 'resolved', key: 'a0' }, O, { now: 3 })
    const ref = recordDocRef('w', 'ticket', 'tkt_1')
    expect(foreignEntries(ref, doc)).toEqual([])
    const stray = new Y.Map<unknown>()
    doc.getMap(COLLECTION.ticketMessages).set('msg_x', stray)
    stray.set('ticketId', 'tkt_2')
    doc.getMap(COLLECTION.ticketMessages).set('msg_y', 'not a map')
    expect(foreignEntries(ref, doc)).toEqual([
      { map: 'ticketMessages', id: 'msg_x' },
      { map: 'ticketMessages', id: 'msg_y' },
    ])
  })
})

describe('foreign entries', () => {
  it('lists and drops every id but the own one, in one transaction, leaving the own record intact', () => {
    const doc = new Y.Doc()
    createContact(doc, { id: 'con_1', firstName: 'Ada' }, O)
    createContact(doc, { id: 'con_2', firstName: 'Bob' }, O)
    doc.getMap(COLLECTION.contacts).set('junk', 42)
    const ref = recordDocRef('w', 'contact', 'con_1')
    expect(foreignEntries(ref, doc)).toEqual([
      { map: 'contacts', id: 'con_2' },
      { map: 'contacts', id: 'junk' },
    ])
    let transactions = 0
    doc.on('afterTransaction', () => {
      transactions += 1
    })
    expect(dropForeignEntries(ref, doc, 'repair')).toHaveLength(2)
    expect(transactions).toBe(1)
    expect([...doc.getMap(COLLECTION.contacts).keys()]).toEqual(['con_1'])
    expect(dropForeignEntries(ref, doc, 'repair')).toEqual([])
    expect(transactions).toBe(1)
  })

  it('a document whose own entry is missing or malformed has no foreign entries to drop for it', () => {
    const doc = new Y.Doc()
    doc.getMap(COLLECTION.deals).set('deal_1', 'garbage')
    expect(foreignEntries(recordDocRef('w', 'deal', 'deal_1'), doc)).toEqual([])
    expect(foreignEntries(recordDocRef('w', 'deal', 'deal_2'), doc)).toEqual([{ map: 'deals', id: 'deal_1' }])
  })
})
