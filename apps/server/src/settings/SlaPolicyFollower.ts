import type { Hocuspocus } from '@hocuspocus/server'
import {
  collectionMap,
  readRecord,
  type SlaPolicy,
  TICKET_PRIORITIES,
  TICKETS,
  Ticket,
  updateTicket,
} from '@rapport/model'
import { writeDocument } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { unresolvedTickets } from '../tickets/ticketDocs.ts'
import type { LoadedDocs } from './LoadedDocs.ts'
import { dueAt } from './TicketSlaFollower.ts'

type Priority = (typeof TICKET_PRIORITIES)[number]

/** The priorities whose resolution target differs between two policies. */
export function changedPriorities(before: SlaPolicy, after: SlaPolicy): Priority[] {
  return TICKET_PRIORITIES.filter((p) => before[p].resolutionMins !== after[p].resolutionMins)
}

/**
 * When an admin changes the SLA policy (in the browser or over REST), the open tickets of every priority whose
 * resolution target changed get `slaDueAt` = `createdAt` + the new target, as a priority change on one ticket already
 * does: the tickets are found through the record index and each is written in its own document (`W/ticket/T`, or
 * `W/support` not split yet — one transaction per document, origin automation), re-read there so a ticket resolved
 * or re-prioritized meanwhile is judged as it is now. Resolved tickets keep the due time they had. Changes are applied
 * one after another, each with the policy current when it runs.
 */
export class SlaPolicyFollower {
  private readonly log: Logger
  private queue: Promise<unknown> = Promise.resolve()
  private readonly unsubscribe: () => void

  constructor(
    logger: Logger,
    loaded: LoadedDocs,
    private readonly hocuspocus: () => Hocuspocus | null,
    private readonly index: () => Pick<IndexWorker, 'index' | 'flush'> | null,
  ) {
    this.log = logger.child('sla')
    this.unsubscribe = loaded.onSettingsChange((workspaceId, before, after) => {
      const priorities = changedPriorities(before.sla, after.sla)
      if (priorities.length === 0) return
      const run = () => this.recompute(workspaceId, after.sla, priorities)
      this.queue = this.queue.then(run, run).catch((error: unknown) => {
        this.log.error('could not recompute ticket due times', { workspaceId, error })
      })
    })
  }

  stop(): void {
    this.unsubscribe()
  }

  /** Resolves when every recomputation asked for so far has run. */
  idle(): Promise<unknown> {
    return this.queue
  }

  private async recompute(workspaceId: string, sla: SlaPolicy, priorities: Priority[]): Promise<void> {
    const instance = this.hocuspocus()
    const index = this.index()
    if (!instance || !index) return
    const byDoc = new Map<string, string[]>()
    for (const { ticket, doc } of await unresolvedTickets(index, workspaceId)) {
      if (!priorities.includes(ticket.priority)) continue
      const due = dueAt(sla, ticket.priority, ticket.createdAt)
      if (due === null || due === ticket.slaDueAt) continue
      byDoc.set(doc, [...(byDoc.get(doc) ?? []), ticket.id])
    }
    let changed = 0
    for (const [name, ids] of byDoc) {
      changed += await writeDocument(instance, name, 'automation', null, (doc, origin) => {
        let count = 0
        doc.transact(() => {
          for (const id of ids) {
            const ticket = readRecord(collectionMap(doc, TICKETS), id, Ticket)
            if (!ticket || ticket.position.column === 'resolved' || !priorities.includes(ticket.priority))
              continue
            const due = dueAt(sla, ticket.priority, ticket.createdAt)
            if (due === null || due === ticket.slaDueAt) continue
            updateTicket(doc, ticket.id, { slaDueAt: due }, origin)
            count += 1
          }
        }, origin)
        return count
      })
    }
    if (changed > 0)
      this.log.info('open tickets follow the new SLA policy', { workspaceId, priorities, changed })
  }
}
