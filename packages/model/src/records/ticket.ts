import type * as Y from 'yjs'
import { z } from 'zod'
import { positionSchema } from '../board/position.ts'
import { ModelError } from '../errors.ts'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { endOfColumn } from './boardRecords.ts'
import { customFieldValues } from './customFields.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { collectionMap, createRecord, type RecordCollection, readRecord, updateRecord } from './recordMap.ts'
import type { SlaPolicy } from './workspaceSettings.ts'

export const TicketId = idString.brand<'TicketId'>()
export type TicketId = z.infer<typeof TicketId>
export function newTicketId(): TicketId {
  return newId('tkt') as TicketId
}

/** The support board's columns, in order. */
export const TICKET_STATUSES = ['new', 'open', 'waiting', 'resolved'] as const
export const TicketStatus = z.enum(TICKET_STATUSES)
export type TicketStatus = z.infer<typeof TicketStatus>
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const

export const ticketPositionSchema = z.object({ column: TicketStatus, key: positionSchema.shape.key })

const ticketFields = {
  subject: z.string().trim().min(1).max(300),
  description: z.string().max(20_000),
  accountId: idString.nullable(),
  contactId: idString.nullable(),
  priority: z.enum(TICKET_PRIORITIES),
  /** `{column: TicketStatus, key}`: set as one value, only by `createTicket`/`moveTicket`. */
  position: ticketPositionSchema,
  assigneeId: userId.nullable(),
  slaDueAt: timestamp.nullable(),
  firstResponseAt: timestamp.nullable(),
  resolvedAt: timestamp.nullable(),
  csat: z.number().int().min(1).max(5).nullable(),
}

/** A support ticket (`W/support`, map `tickets`). */
export const Ticket = z.object({
  id: TicketId,
  ...recordBase,
  ...ticketFields,
  customFields: customFieldValues.default({}),
})
export type Ticket = z.infer<typeof Ticket>

export const TicketCreate = z.object({
  id: idString.optional(),
  subject: ticketFields.subject,
  description: ticketFields.description.default(''),
  accountId: ticketFields.accountId.default(null),
  contactId: ticketFields.contactId.default(null),
  priority: ticketFields.priority.default('normal'),
  status: TicketStatus.default('new'),
  assigneeId: ticketFields.assigneeId.default(null),
  customFields: customFieldValues.default({}),
})
export type TicketCreate = z.input<typeof TicketCreate>

/** Editable fields; position and the SLA timestamps change only through `moveTicket`. */
export const TicketPatch = z
  .object({ ...ticketFields, customFields: customFieldValues })
  .omit({ position: true, firstResponseAt: true, resolvedAt: true })
  .partial()
export type TicketPatch = z.input<typeof TicketPatch>

export const TICKETS: RecordCollection<Ticket> = { name: COLLECTION.tickets, schema: Ticket }

export interface TicketOptions extends CommandOptions {
  /** With a policy, `slaDueAt` = creation + the priority's resolution time. */
  sla?: SlaPolicy
}

/** Creates a ticket at the end of its status column. */
export function createTicket(
  doc: Y.Doc,
  input: TicketCreate,
  origin: unknown,
  options?: TicketOptions,
): Ticket {
  const { id, status, ...fields } = parseInput(TicketCreate, input)
  const now = nowOf(options)
  const slaDueAt =
    options?.sla === undefined ? null : now + options.sla[fields.priority].resolutionMins * 60_000
  let created: Ticket | undefined
  doc.transact(() => {
    created = createRecord(
      doc,
      TICKETS,
      {
        id: id ?? newTicketId(),
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...fields,
        position: endOfColumn(collectionMap(doc, TICKETS), status),
        slaDueAt,
        firstResponseAt: status === 'new' ? null : now,
        resolvedAt: status === 'resolved' ? now : null,
        csat: null,
      },
      origin,
    )
  }, origin)
  return created as Ticket
}

/**
 * Applies `patch`. With `options.sla`, a change of priority recomputes `slaDueAt` from the creation time and the new
 * priority's resolution target.
 */
export function updateTicket(
  doc: Y.Doc,
  id: string,
  patch: TicketPatch,
  origin: unknown,
  options?: TicketOptions,
): Ticket {
  const parsed: Record<string, unknown> = parseInput(TicketPatch, patch)
  const sla = options?.sla
  if (sla && parsed.priority !== undefined) {
    const current = readRecord(collectionMap(doc, TICKETS), id, Ticket)
    if (current && current.priority !== parsed.priority) {
      parsed.slaDueAt = current.createdAt + sla[parsed.priority as Ticket['priority']].resolutionMins * 60_000
    }
  }
  return updateRecord(doc, TICKETS, id, parsed, origin, options)
}

/**
 * Moves a ticket in one transaction: the first move out of `new` sets `firstResponseAt` (once); entering
 * `resolved` sets `resolvedAt`, leaving it clears `resolvedAt`. Position, `firstResponseAt` and
 * `resolvedAt` are always written together.
 */
export function moveTicket(
  doc: Y.Doc,
  ticketId: string,
  position: { column: string; key: string },
  origin: unknown,
  options?: CommandOptions,
): Ticket {
  const target = parseInput(ticketPositionSchema, position)
  const current = readRecord(collectionMap(doc, TICKETS), ticketId, Ticket)
  if (current === null) throw new ModelError('not_found', `ticket ${ticketId} not found or invalid`)
  const now = nowOf(options)
  const patch: Partial<Record<keyof Ticket, unknown>> = {
    position: target,
    firstResponseAt:
      target.column !== 'new' && current.firstResponseAt === null ? now : current.firstResponseAt,
    resolvedAt:
      target.column !== 'resolved' ? null : current.position.column === 'resolved' ? current.resolvedAt : now,
  }
  // Written as a group even when unchanged, so concurrent moves never mix one writer's column with the
  // other's resolution time.
  return updateRecord(doc, TICKETS, ticketId, patch, origin, {
    ...options,
    writeTogether: Object.keys(patch),
  })
}
