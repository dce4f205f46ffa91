import type * as Y from 'yjs'
import { z } from 'zod'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { endOfColumn } from './boardRecords.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { collectionMap, createRecord, type RecordCollection, readRecord, readRecords } from './recordMap.ts'
import { moveTicket, TICKETS, Ticket } from './ticket.ts'

export const TicketMessageId = idString.brand<'TicketMessageId'>()
export type TicketMessageId = z.infer<typeof TicketMessageId>

/** `reply`: an answer to the customer. `internal`: a note for the team only, never sent to the customer. */
export const TICKET_MESSAGE_KINDS = ['reply', 'internal'] as const
export const TicketMessageKind = z.enum(TICKET_MESSAGE_KINDS)
export type TicketMessageKind = z.infer<typeof TicketMessageKind>

/**
 * One message of a ticket's conversation (map `ticketMessages` of the ticket's document `W/ticket/T`). Written only by the server
 * (`POST /api/tickets/{id}/messages`): `authorId` and `at` come from the authenticated caller and the server's clock.
 */
export const TicketMessage = z.object({
  id: TicketMessageId,
  ...recordBase,
  ticketId: idString,
  kind: TicketMessageKind,
  body: z.string().min(1).max(20_000),
  authorId: userId,
  at: timestamp,
})
export type TicketMessage = z.infer<typeof TicketMessage>

export const TICKET_MESSAGES: RecordCollection<TicketMessage> = {
  name: COLLECTION.ticketMessages,
  schema: TicketMessage,
}

/** What a member sends; the messages are plain words, shown beside the field. */
export const TicketMessageInput = z.object({
  kind: z.enum(TICKET_MESSAGE_KINDS, { error: 'Choose a reply or an internal note.' }).default('reply'),
  body: z
    .string({ error: 'Write a message first.' })
    .trim()
    .min(1, { error: 'Write a message first.' })
    .max(20_000, { error: 'Keep a message under 20,000 characters.' }),
})
export type TicketMessageInput = z.input<typeof TicketMessageInput>

export interface TicketMessageOptions extends CommandOptions {
  /**
   * The key the ticket gets in `open` when this reply moves it there. A ticket's own document `W/ticket/T` knows no
   * other card, so the server passes the key after the column's last (from the record index); without it the key
   * goes after the last `open` ticket of `doc`.
   */
  openKey?: string
}

/**
 * Adds a message to ticket `ticketId`, authored by `authorId` (the server's authenticated caller). The first
 * `reply` to a ticket still in `new` moves it to `open` in the same transaction, which sets `firstResponseAt`
 * (`moveTicket`): a public answer is the first response the SLA measures; an internal note is not.
 */
export function addTicketMessage(
  doc: Y.Doc,
  ticketId: string,
  authorId: string,
  input: TicketMessageInput,
  origin: unknown,
  options?: TicketMessageOptions,
): TicketMessage {
  const { kind, body } = parseInput(TicketMessageInput, input)
  const ticket = readRecord(collectionMap(doc, TICKETS), ticketId, Ticket)
  if (ticket === null) throw new ModelError('not_found', `ticket ${ticketId} not found`)
  const now = nowOf(options)
  let created: TicketMessage | undefined
  doc.transact(() => {
    created = createRecord(
      doc,
      TICKET_MESSAGES,
      {
        id: newId('msg') as TicketMessageId,
        createdAt: now,
        updatedAt: now,
        archived: false,
        ticketId,
        kind,
        body,
        authorId,
        at: now,
      },
      origin,
    )
    if (kind === 'reply' && ticket.position.column === 'new')
      moveTicket(
        doc,
        ticketId,
        options?.openKey === undefined
          ? endOfColumn(collectionMap(doc, TICKETS), 'open')
          : { column: 'open', key: options.openKey },
        origin,
        { now },
      )
  }, origin)
  return created as TicketMessage
}

/** Oldest first by `(at, id)`. */
export function compareTicketMessages(a: TicketMessage, b: TicketMessage): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The conversation of one ticket, oldest first (archived messages left out). */
export function ticketThread(doc: Y.Doc, ticketId: string): TicketMessage[] {
  return readRecords(collectionMap(doc, TICKET_MESSAGES), TicketMessage)
    .records.filter((m) => m.ticketId === ticketId && !m.archived)
    .sort(compareTicketMessages)
}
