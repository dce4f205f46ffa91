import { type DocRef, parseDocName, Ticket } from '@rapport/model'
import { AppError } from '../errors.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { type IndexedRecord, MAX_PAGE } from '../recordIndex/RecordIndex.ts'

type Index = Pick<IndexWorker, 'index' | 'flush'>

/** Whether `ref` is a document that holds tickets: a ticket's own `W/ticket/T`, or `W/support` until it is split. */
export const isTicketDocRef = (ref: DocRef | null | undefined): boolean =>
  ref?.kind === 'ticket' || ref?.kind === 'support'

/**
 * The document ticket `id` of `workspaceId` lives in, as the record index names it (`W/ticket/T`; `W/support` for a
 * data directory not split yet), with the ticket as the index holds it, or null when the index knows no such ticket
 * (or the id is malformed). Reads what the index holds after the writes made just before.
 */
export async function locateTicketRecord(
  index: Index,
  workspaceId: string,
  id: string,
): Promise<{ ref: DocRef; record: ProjectedRecord } | null> {
  await index.flush()
  let found: IndexedRecord | null
  try {
    found = await index.index.get(workspaceId, 'tickets', id)
  } catch (error) {
    // An id the index refuses (malformed) is simply not found.
    if (error instanceof AppError && error.status === 400) return null
    throw error
  }
  const ref = found ? parseDocName(found.doc) : null
  return found && ref && ref.workspaceId === workspaceId && isTicketDocRef(ref)
    ? { ref, record: found.record }
    : null
}

/** The document ticket `id` lives in (see `locateTicketRecord`), or null. */
export async function locateTicket(index: Index, workspaceId: string, id: string): Promise<DocRef | null> {
  return (await locateTicketRecord(index, workspaceId, id))?.ref ?? null
}

/**
 * Keys of the tickets in status column `status` (archived left out), all but `exceptId`, in board order (key, then
 * id): a ticket's own document knows no other card, so a new place at the column's end comes from here.
 */
export async function ticketColumnKeys(
  index: Index,
  workspaceId: string,
  status: string,
  exceptId: string,
): Promise<string[]> {
  await index.flush()
  const rows: Array<{ id: string; key: string }> = []
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await index.index.list(workspaceId, 'tickets', {
      filters: { status },
      offset,
      limit: MAX_PAGE,
      archived: 'false',
    })
    for (const row of page.items) {
      const position = row.position as { column?: unknown; key?: unknown } | undefined
      if (row.id !== exceptId && position?.column === status && typeof position.key === 'string')
        rows.push({ id: row.id, key: position.key })
    }
    offset = page.nextOffset
  }
  return rows
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((row) => row.key)
}

/** Every ticket of `workspaceId` not resolved (archived ones too) as the index holds it, with its document's name. */
export async function unresolvedTickets(
  index: Index,
  workspaceId: string,
): Promise<Array<{ ticket: Ticket; doc: string }>> {
  await index.flush()
  const found: Array<{ ticket: Ticket; doc: string }> = []
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await index.index.list(workspaceId, 'tickets', { offset, limit: MAX_PAGE, archived: 'all' })
    const rows = await index.index.getMany(
      workspaceId,
      'tickets',
      page.items.map((row) => row.id),
    )
    for (const { record, doc } of rows) {
      const ticket = Ticket.safeParse(record)
      if (ticket.success && ticket.data.position.column !== 'resolved')
        found.push({ ticket: ticket.data, doc })
    }
    offset = page.nextOffset
  }
  return found
}
