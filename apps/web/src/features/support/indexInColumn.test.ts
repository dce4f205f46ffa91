import { createTicket, moveTicket } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { indexInColumn } from './useTicketBoardDoc.ts'

describe('indexInColumn (the index POST /api/tickets/:id/move takes for a drop)', () => {
  it('counts the other unarchived cards of the target column before the new place, by (key, id)', () => {
    const doc = new Y.Doc()
    createTicket(doc, { id: 'tkt_a', subject: 'A' }, 'x')
    createTicket(doc, { id: 'tkt_b', subject: 'B' }, 'x')
    createTicket(doc, { id: 'tkt_c', subject: 'C', status: 'open' }, 'x')
    moveTicket(doc, 'tkt_a', { column: 'new', key: 'a1' }, 'x')
    moveTicket(doc, 'tkt_b', { column: 'new', key: 'a3' }, 'x')
    // Between A and B, after both, before both; the moving card itself never counts.
    expect(indexInColumn(doc, 'tkt_c', { column: 'new', key: 'a2' })).toBe(1)
    expect(indexInColumn(doc, 'tkt_c', { column: 'new', key: 'a4' })).toBe(2)
    expect(indexInColumn(doc, 'tkt_c', { column: 'new', key: 'a0' })).toBe(0)
    expect(indexInColumn(doc, 'tkt_a', { column: 'new', key: 'a4' })).toBe(1)
    // Same key: the id decides.
    expect(indexInColumn(doc, 'tkt_c', { column: 'new', key: 'a1' })).toBe(1)
    // Another column's cards and archived cards do not count.
    expect(indexInColumn(doc, 'tkt_a', { column: 'open', key: 'zz' })).toBe(1)
    ;(doc.getMap('tickets').get('tkt_b') as Y.Map<unknown>).set('archived', true)
    expect(indexInColumn(doc, 'tkt_c', { column: 'new', key: 'a4' })).toBe(1)
  })
})
