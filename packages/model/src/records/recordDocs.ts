import * as Y from 'yjs'
import type { DocRef } from '../docNames.ts'
import { COLLECTION, type CollectionName } from '../layout.ts'
import { ACCOUNTS } from './account.ts'
import { CONTACTS } from './contact.ts'
import { DEALS } from './deal.ts'
import type { BaseRecord, RecordCollection } from './recordMap.ts'
import { TICKETS } from './ticket.ts'

/**
 * Per-record documents (issue #12, "Records at real size"): one small document per record instead of one document
 * per collection. Decision: a per-record document holds the SAME collection map as today's collection document, with
 * exactly one entry — the record's own id → its Y.Map of fields — so every existing command (`createContact`,
 * `updateDeal`, `moveDeal`, `moveTicket`, …) and every reader (`readRecords`, `useLiveRecords`) work unchanged on it:
 *
 * | document      | map holding the record                       | other maps                                       |
 * | ------------- | -------------------------------------------- | ------------------------------------------------ |
 * | `W/account/A` | `getMap('accounts')`, the one entry `A`      | the room as today (notes, timeline, tasks, …)    |
 * | `W/contact/C` | `getMap('contacts')`, the one entry `C`      | —                                                |
 * | `W/deal/D`    | `getMap('deals')`, the one entry `D`         | —                                                |
 * | `W/ticket/T`  | `getMap('tickets')`, the one entry `T`       | `getMap('ticketMessages')`: messages of `T` only |
 *
 * A record map can only hold its own entry: any other id (a client bug, an old client writing its collection habits
 * into the wrong document) is foreign, listed by `foreignEntries` and removed by the server (`dropForeignEntries`).
 */

/** The document kinds that hold one record. */
export const RECORD_DOC_KINDS = ['account', 'contact', 'deal', 'ticket'] as const
export type RecordDocKind = (typeof RECORD_DOC_KINDS)[number]
export type RecordDocRef = Extract<DocRef, { kind: RecordDocKind }>

/** The collection each per-record document kind holds its one record in. */
export const RECORD_DOC_COLLECTION: Readonly<Record<RecordDocKind, RecordCollection<BaseRecord>>> = {
  account: ACCOUNTS,
  contact: CONTACTS,
  deal: DEALS,
  ticket: TICKETS,
}

/** The reference of record `id`'s own document (`docName(recordDocRef(...))` gives its name). */
export function recordDocRef(workspaceId: string, kind: RecordDocKind, id: string): RecordDocRef {
  switch (kind) {
    case 'account':
      return { workspaceId, kind, accountId: id }
    case 'contact':
      return { workspaceId, kind, contactId: id }
    case 'deal':
      return { workspaceId, kind, dealId: id }
    case 'ticket':
      return { workspaceId, kind, ticketId: id }
  }
}

/** Whether `ref` names a per-record document. */
export function isRecordDocRef(ref: DocRef): ref is RecordDocRef {
  return (RECORD_DOC_KINDS as readonly string[]).includes(ref.kind)
}

/** The id of the one record a per-record document holds. */
export function recordIdOf(ref: RecordDocRef): string {
  switch (ref.kind) {
    case 'account':
      return ref.accountId
    case 'contact':
      return ref.contactId
    case 'deal':
      return ref.dealId
    case 'ticket':
      return ref.ticketId
  }
}

/** Whether `id` is the record the document `ref` exists for. */
export function isOwnRecord(ref: RecordDocRef, id: string): boolean {
  return recordIdOf(ref) === id
}

/** An entry of a per-record document that does not belong there. */
export interface ForeignEntry {
  map: CollectionName
  id: string
}

/**
 * Entries of `doc` (the document `ref` names) that are not its own, sorted by map then id: in the record map every
 * id but the document's own; in a ticket's `ticketMessages` every message that is not a Y.Map whose `ticketId` is
 * the ticket. Never throws on malformed content.
 */
export function foreignEntries(ref: RecordDocRef, doc: Y.Doc): ForeignEntry[] {
  const own = recordIdOf(ref)
  const collection = RECORD_DOC_COLLECTION[ref.kind].name
  const found: ForeignEntry[] = []
  for (const id of [...doc.getMap<unknown>(collection).keys()].sort())
    if (id !== own) found.push({ map: collection, id })
  if (ref.kind === 'ticket') {
    const messages = doc.getMap<unknown>(COLLECTION.ticketMessages)
    for (const id of [...messages.keys()].sort()) {
      const message = messages.get(id)
      if (!(message instanceof Y.Map) || message.get('ticketId') !== own)
        found.push({ map: COLLECTION.ticketMessages, id })
    }
  }
  return found
}

/** Removes every foreign entry of `doc` in one transaction with `origin`; returns what it removed. */
export function dropForeignEntries(ref: RecordDocRef, doc: Y.Doc, origin: unknown): ForeignEntry[] {
  const found = foreignEntries(ref, doc)
  if (found.length === 0) return found
  doc.transact(() => {
    for (const { map, id } of found) doc.getMap<unknown>(map).delete(id)
  }, origin)
  return found
}
