import {
  collectionMap,
  DEALS,
  Deal,
  docName,
  parseBriefField,
  readRecord,
  TICKETS,
  Ticket,
} from '@rapport/model'
import type * as Y from 'yjs'
import { originActor } from '../collab/originActor.ts'
import { notesFieldOf } from '../notes/roomNotes.ts'
import { type Automation, actorFromOrigin } from './Automation.ts'
import { MentionTracker } from './mentions.ts'

type Events = ReadonlyArray<Y.YEvent<Y.AbstractType<unknown>>>

/** A user's (or a REST call's) change; loads, repairs, seeding and audit writes trigger nothing. */
function userChange(transaction: Y.Transaction) {
  const actor = originActor(transaction.origin)
  return actor === null || actor.internal ? null : actor
}

/** Record ids whose `field` changed in these events (records are `Y.Map`s inside the collection map). */
function changedRecords(collection: Y.Map<unknown>, events: Events, field: string): string[] {
  const ids = new Set<string>()
  for (const event of events) {
    if (event.target === collection) {
      for (const [key, change] of event.changes.keys) if (change.action !== 'delete') ids.add(key)
      continue
    }
    const item = event.target._item
    const change = event.changes.keys.get(field)
    if (item?.parent === collection && item.parentSub && change) ids.add(item.parentSub)
  }
  return [...ids]
}

/** Before-values of `field` per record id in these events (absent = the record or the field is new). */
function oldValues(collection: Y.Map<unknown>, events: Events, field: string): Map<string, unknown> {
  const old = new Map<string, unknown>()
  for (const event of events) {
    const item = event.target._item
    const change = event.changes.keys.get(field)
    if (item?.parent === collection && item.parentSub && change && change.action !== 'add') {
      old.set(item.parentSub, change.oldValue)
    }
  }
  return old
}

/** Pipeline documents: a deal entering a won stage creates its account's handoff draft (once). */
export function watchPipeline(automation: Automation, workspaceId: string, doc: Y.Doc): () => void {
  const deals = collectionMap(doc, DEALS) as unknown as Y.Map<unknown>
  const observer = (events: Events, transaction: Y.Transaction) => {
    const actor = userChange(transaction)
    if (!actor) return
    const before = oldValues(deals, events, 'status')
    for (const id of changedRecords(deals, events, 'status')) {
      if (before.get(id) === 'won') continue
      const deal = readRecord(deals as never, id, Deal)
      if (!deal || deal.archived || deal.status !== 'won') continue
      automation.background(`won:${workspaceId}:${id}`, 'won deal handoff', () =>
        automation.dealWon(workspaceId, deal, actorFromOrigin(actor)),
      )
    }
  }
  deals.observeDeep(observer)
  return () => deals.unobserveDeep(observer)
}

/** A ticket's document `W/ticket/T` (or `W/support`, not split yet) named `name`: a ticket assigned to someone notifies them. */
export function watchTickets(
  automation: Automation,
  workspaceId: string,
  doc: Y.Doc,
  name: string,
): () => void {
  const tickets = collectionMap(doc, TICKETS) as unknown as Y.Map<unknown>
  const observer = (events: Events, transaction: Y.Transaction) => {
    const actor = userChange(transaction)
    if (!actor) return
    const before = oldValues(tickets, events, 'assigneeId')
    for (const id of changedRecords(tickets, events, 'assigneeId')) {
      const ticket = readRecord(tickets as never, id, Ticket)
      if (!ticket || ticket.archived || ticket.assigneeId === null) continue
      if (before.get(id) === ticket.assigneeId || ticket.assigneeId === actor.actorId) continue
      const assignee = ticket.assigneeId
      automation.background(`inbox:${workspaceId}:${assignee}`, 'ticket assignment', () =>
        automation.notify(workspaceId, assignee, {
          type: 'assignment',
          actorId: actor.actorId,
          text: `${actor.name} assigned you the ticket “${ticket.subject}”`,
          link: {
            ticketId: ticket.id,
            docName: name,
            ...(ticket.accountId ? { accountId: ticket.accountId } : {}),
          },
        }),
      )
    }
  }
  tickets.observeDeep(observer)
  return () => tickets.unobserveDeep(observer)
}

/** Account rooms: a NEW mention node in the notes or a brief notifies the mentioned member, once. */
export function watchMentions(
  automation: Automation,
  workspaceId: string,
  accountId: string,
  doc: Y.Doc,
): () => void {
  const tracker = new MentionTracker(doc)
  // On `update`, after Hocuspocus' broadcast (registered first): scanning a long note is not on a keystroke's path.
  const onTransaction = (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    const fields = tracker.changedFields(transaction)
    if (fields.length === 0) return
    const actor = userChange(transaction)
    for (const field of fields) {
      const added = tracker.diff(field)
      if (!actor) continue
      const notesField = notesFieldOf(field)
      const handoffId = notesField ? parseBriefField(notesField) : null
      const where = handoffId ? 'a handoff brief' : 'the notes'
      for (const userId of new Set(added.map((m) => m.userId))) {
        if (userId === actor.actorId) continue
        automation.background(`inbox:${workspaceId}:${userId}`, 'mention', async () =>
          automation.notify(workspaceId, userId, {
            type: 'mention',
            actorId: actor.actorId,
            text: `${actor.name} mentioned you in ${where} of ${await automation.accountName(workspaceId, accountId)}`,
            link: {
              accountId,
              docName: docName({ workspaceId, kind: 'account', accountId }),
              ...(handoffId ? { handoffId } : {}),
            },
          }),
        )
      }
    }
  }
  doc.on('update', onTransaction)
  return () => doc.off('update', onTransaction)
}
