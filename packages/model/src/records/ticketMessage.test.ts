import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import { collectionMap, readRecord } from './recordMap.ts'
import { createTicket, TICKETS, Ticket } from './ticket.ts'
import { addTicketMessage, ticketThread } from './ticketMessage.ts'

const ORIGIN = { user: 'u1' }
const NOW = 1_700_000_000_000

const ticketOf = (doc: Y.Doc, id: string) => readRecord(collectionMap(doc, TICKETS), id, Ticket)

describe('ticket conversation', () => {
  it('keeps replies and internal notes in order, each with its author and time', () => {
    const doc = new Y.Doc()
    const ticket = createTicket(doc, { subject: 'Login fails' }, ORIGIN, { now: NOW })
    addTicketMessage(doc, ticket.id, 'usr_a', { kind: 'internal', body: 'Looks like SSO' }, ORIGIN, {
      now: NOW + 10,
    })
    addTicketMessage(doc, ticket.id, 'usr_b', { body: ' We are on it ' }, ORIGIN, { now: NOW + 20 })
    expect(ticketThread(doc, ticket.id).map((m) => [m.kind, m.authorId, m.body, m.at])).toEqual([
      ['internal', 'usr_a', 'Looks like SSO', NOW + 10],
      ['reply', 'usr_b', 'We are on it', NOW + 20],
    ])
  })

  it('an internal note is not a first response; the first reply opens a new ticket and sets firstResponseAt once', () => {
    const doc = new Y.Doc()
    const ticket = createTicket(doc, { subject: 'Invoice' }, ORIGIN, { now: NOW })
    addTicketMessage(doc, ticket.id, 'usr_a', { kind: 'internal', body: 'check billing' }, ORIGIN, {
      now: NOW + 5,
    })
    expect(ticketOf(doc, ticket.id)).toMatchObject({ firstResponseAt: null, position: { column: 'new' } })
    addTicketMessage(doc, ticket.id, 'usr_a', { body: 'Hello' }, ORIGIN, { now: NOW + 60_000 })
    expect(ticketOf(doc, ticket.id)).toMatchObject({
      firstResponseAt: NOW + 60_000,
      position: { column: 'open' },
    })
    addTicketMessage(doc, ticket.id, 'usr_a', { body: 'Again' }, ORIGIN, { now: NOW + 120_000 })
    expect(ticketOf(doc, ticket.id)?.firstResponseAt).toBe(NOW + 60_000)
  })

  it('writes the message and the move in ONE transaction', () => {
    const doc = new Y.Doc()
    const ticket = createTicket(doc, { subject: 'Invoice' }, ORIGIN, { now: NOW })
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    addTicketMessage(doc, ticket.id, 'usr_a', { body: 'Hello' }, ORIGIN)
    expect(transactions).toBe(1)
  })

  it('refuses an empty message and an unknown ticket', () => {
    const doc = new Y.Doc()
    const ticket = createTicket(doc, { subject: 'x' }, ORIGIN)
    expect(() => addTicketMessage(doc, ticket.id, 'usr_a', { body: '   ' }, ORIGIN)).toThrow(
      /Write a message first/,
    )
    expect(() => addTicketMessage(doc, 'tkt_nope', 'usr_a', { body: 'hi' }, ORIGIN)).toThrow(ModelError)
  })
})
