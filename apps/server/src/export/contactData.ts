import type { Hocuspocus } from '@hocuspocus/server'
import {
  type Activity,
  appendActivity,
  CONTACTS,
  collectionMap,
  type DocRef,
  docName,
  parseDocName,
  readRecords,
  TICKET_MESSAGES,
  TIMELINE,
  TicketMessage,
  updateDeal,
  updateRecord,
  updateTask,
  updateTicket,
} from '@rapport/model'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { forbidden, notFound } from '../errors.ts'
import { indexedRecord } from '../http/routes/records.ts'
import type { Logger } from '../log/logger.ts'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { requireAccess, restWrite } from '../tasks/restWrites.ts'
import { listRecords } from './listExport.ts'
import { readDocument } from './readDoc.ts'

export interface ContactDataDeps {
  worker: Pick<IndexWorker, 'index' | 'flush'>
  hocuspocus: Hocuspocus
  /** Waits until the audit extension has written its pending timeline entries (the erase scrubs them). */
  auditFlush: () => Promise<void>
  logger: Logger
  /** Removes the contact's own document once the erased contact left it empty (archive/deletedDocuments.ts). */
  removeRecordDocument?: (name: string) => Promise<boolean>
}

/** Whether a timeline entry is about the contact: its subject, or a logged activity naming it. */
const mentions = (entry: Activity, contactId: string): boolean =>
  (entry.subject.kind === 'contact' && entry.subject.id === contactId) ||
  (entry.details?.contactIds.includes(contactId) ?? false)

export const ERASED_TEXT = 'contact erased on request'

/** Everything Rapport holds about one contact (`GET /api/contacts/:id/export`), and its erasure. */
export class ContactData {
  constructor(private readonly deps: ContactDataDeps) {}

  private async contact(session: SessionInfo, contactId: string) {
    await this.deps.worker.flush()
    const found = await indexedRecord(this.deps.worker.index, session.workspaceId, 'contacts', contactId)
    const ref = found ? parseDocName(found.doc) : null
    if (!found || !ref || ref.workspaceId !== session.workspaceId)
      throw notFound(`There is no contact ${contactId}`)
    requireAccess(session, ref, 'read')
    return { record: found.record, ref }
  }

  /** The contact's tickets, the deals it is on and its tasks (archived ones too). */
  private async linked(session: SessionInfo, contactId: string) {
    const ws = session.workspaceId
    const index = this.deps.worker.index
    const collect = async (
      kind: RecordKind,
      filters: Record<string, string>,
      keep = (_: ProjectedRecord) => true,
    ) => {
      const out: ProjectedRecord[] = []
      for await (const page of listRecords(index, ws, kind as 'deals', { filters, archived: 'all' }))
        out.push(...page.filter(keep))
      return out
    }
    const tickets = await collect('tickets', { contactId })
    const deals = await collect(
      'deals',
      {},
      (d) => Array.isArray(d.contactIds) && (d.contactIds as unknown[]).includes(contactId),
    )
    const tasks = await collect('tasks', { contactId })
    return { tickets, deals, tasks }
  }

  private roomsOf(contact: ProjectedRecord, linked: Record<string, ProjectedRecord[]>): string[] {
    const ids = new Set<string>()
    if (typeof contact.accountId === 'string') ids.add(contact.accountId)
    for (const list of Object.values(linked))
      for (const r of list) if (typeof r.accountId === 'string') ids.add(r.accountId)
    return [...ids].sort()
  }

  async export(session: SessionInfo, contactId: string) {
    await this.deps.auditFlush()
    const { record } = await this.contact(session, contactId)
    const ws = session.workspaceId
    const linked = await this.linked(session, contactId)
    const hocuspocus = this.deps.hocuspocus
    const timeline: Array<Activity & { accountId: string }> = []
    for (const accountId of this.roomsOf(record, linked)) {
      const entries = await readDocument(
        hocuspocus,
        { workspaceId: ws, kind: 'account', accountId },
        (doc) => readRecords(collectionMap(doc, TIMELINE), TIMELINE.schema).records,
      )
      for (const entry of entries) if (mentions(entry, contactId)) timeline.push({ ...entry, accountId })
    }
    timeline.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    const tickets = []
    for (const ticket of linked.tickets) {
      const found = await indexedRecord(this.deps.worker.index, ws, 'tickets', ticket.id)
      const ref = found ? parseDocName(found.doc) : null
      const messages = ref
        ? await readDocument(hocuspocus, ref, (doc) =>
            readRecords(collectionMap(doc, TICKET_MESSAGES), TicketMessage).records.filter(
              (m) => (m as { ticketId?: string }).ticketId === ticket.id,
            ),
          )
        : []
      tickets.push({ ...ticket, messages })
    }
    const account =
      typeof record.accountId === 'string'
        ? ((await indexedRecord(this.deps.worker.index, ws, 'accounts', record.accountId))?.record ?? null)
        : null
    return {
      exportedAt: new Date().toISOString(),
      contact: record,
      account: account ? { id: account.id, name: account.name } : null,
      deals: linked.deals,
      tickets,
      tasks: linked.tasks,
      timeline,
    }
  }

  /**
   * Erases a contact for good (admins): its tickets and tasks stop naming it, deals drop it from `contactIds`, its
   * record is deleted from `W/contact/C`, and timeline entries about it lose their personal data (an entry whose
   * subject is the contact keeps its type and time, its text becomes "contact erased on request" and its field
   * changes go; logged calls naming it among others only drop its id — their text stays, as notes keep theirs).
   * Then one entry in the contact's account room records the erasure with the admin as actor and no personal data.
   */
  async erase(session: SessionInfo, contactId: string) {
    if (session.role !== 'admin') throw forbidden('Only an admin can erase a contact', 'admin_only')
    const { record, ref } = await this.contact(session, contactId)
    const ws = session.workspaceId
    const linked = await this.linked(session, contactId)
    const { hocuspocus, worker } = this.deps
    const docOf = async (kind: RecordKind, id: string): Promise<DocRef | null> => {
      const found = await indexedRecord(worker.index, ws, kind, id)
      const parsed = found ? parseDocName(found.doc) : null
      return parsed && parsed.workspaceId === ws ? parsed : null
    }
    for (const ticket of linked.tickets) {
      const at = await docOf('tickets', ticket.id)
      if (at)
        await restWrite(hocuspocus, session, at, (doc, origin) =>
          updateTicket(doc, ticket.id, { contactId: null }, origin),
        )
    }
    for (const deal of linked.deals) {
      const at = await docOf('deals', deal.id)
      const next = (deal.contactIds as string[]).filter((c) => c !== contactId)
      if (at)
        await restWrite(hocuspocus, session, at, (doc, origin) =>
          updateDeal(doc, deal.id, { contactIds: next }, origin),
        )
    }
    for (const task of linked.tasks) {
      const room: DocRef = { workspaceId: ws, kind: 'account', accountId: String(task.accountId) }
      await restWrite(hocuspocus, session, room, (doc, origin) =>
        updateTask(doc, task.id, { contactId: null }, origin),
      )
    }
    await restWrite(hocuspocus, session, ref, (doc, origin) => {
      const map = collectionMap(doc, CONTACTS)
      doc.transact(() => map.delete(contactId), origin)
    })
    await worker.flush()
    // Its own document goes too (an erased contact leaves no empty `W/contact/C` behind).
    await this.deps.removeRecordDocument?.(docName(ref))
    // The audit's "deleted contact <name>" and field-change entries are written (debounced) before they are scrubbed.
    await this.deps.auditFlush()
    let scrubbed = 0
    const rooms = this.roomsOf(record, linked)
    for (const accountId of rooms) {
      const room: DocRef = { workspaceId: ws, kind: 'account', accountId }
      scrubbed += await restWrite(hocuspocus, session, room, (doc, origin) => {
        let n = 0
        doc.transact(() => {
          for (const entry of readRecords(collectionMap(doc, TIMELINE), TIMELINE.schema).records) {
            if (!mentions(entry, contactId)) continue
            if (entry.subject.kind === 'contact' && entry.subject.id === contactId)
              updateRecord(doc, TIMELINE, entry.id, { text: ERASED_TEXT, changes: [] }, origin)
            else if (entry.details)
              updateRecord(
                doc,
                TIMELINE,
                entry.id,
                {
                  details: {
                    ...entry.details,
                    contactIds: entry.details.contactIds.filter((c) => c !== contactId),
                  },
                },
                origin,
              )
            n++
          }
        }, origin)
        return n
      })
    }
    const home = typeof record.accountId === 'string' ? record.accountId : null
    if (home) {
      const room: DocRef = { workspaceId: ws, kind: 'account', accountId: home }
      await restWrite(hocuspocus, session, room, (doc, origin) =>
        appendActivity(
          doc,
          {
            type: 'field_change',
            actorId: session.userId,
            subject: { kind: 'contact', id: contactId },
            text: 'erased a contact on request: the record and its personal fields were removed',
          },
          origin,
        ),
      )
    }
    this.deps.logger.info('contact erased', { workspaceId: ws, contactId, by: session.userId, scrubbed })
    return {
      erased: { id: contactId },
      unlinked: { tickets: linked.tickets.length, deals: linked.deals.length, tasks: linked.tasks.length },
      timelineEntriesScrubbed: scrubbed,
    }
  }
}
