import { COLLECTION, type SlaPolicy, TICKET_PRIORITIES } from '@rapport/model'
import * as Y from 'yjs'
import { isServerOrigin, serverOrigin } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import type { ProjectionEvent } from '../projection/Projection.ts'
import type { LoadedDocs } from './LoadedDocs.ts'

type RecordEvent = Extract<ProjectionEvent, { type: 'record' }>

/** The due time a ticket of `priority` created at `createdAt` has under `sla`. */
export function dueAt(sla: SlaPolicy, priority: string, createdAt: number): number | null {
  if (!(TICKET_PRIORITIES as readonly string[]).includes(priority)) return null
  return createdAt + sla[priority as keyof SlaPolicy].resolutionMins * 60_000
}

/**
 * A ticket's priority changed through its document without its due time following (a client that does not apply the
 * policy, docs/schema.md §5.3): the server sets `slaDueAt` = `createdAt` + the new priority's resolution target, in an
 * `automation` transaction on the same document. The web app and REST already write it with the priority, so for
 * them this finds nothing to do.
 */
export class TicketSlaFollower {
  private readonly log: Logger

  constructor(
    logger: Logger,
    private readonly loaded: LoadedDocs,
  ) {
    this.log = logger.child('sla')
  }

  onRecord(event: RecordEvent): void {
    if (event.kind !== 'tickets' || !event.before || !event.after) return
    if (event.before.priority === event.after.priority) return
    if (isServerOrigin(event.origin) && event.origin.reason === 'repair') return
    const settings = this.loaded.settingsOf(event.workspaceId)
    if (!settings) {
      void this.loaded.load(event.workspaceId).then(() => this.follow(event))
      return
    }
    this.follow(event)
  }

  private follow(event: RecordEvent): void {
    const settings = this.loaded.settingsOf(event.workspaceId)
    const fields = this.loaded.doc(event.docName)?.getMap<unknown>(COLLECTION.tickets).get(event.id)
    if (!settings || !(fields instanceof Y.Map)) return
    const priority = fields.get('priority')
    const createdAt = fields.get('createdAt')
    if (typeof priority !== 'string' || typeof createdAt !== 'number') return
    const due = dueAt(settings.sla, priority, createdAt)
    if (due === null || fields.get('slaDueAt') === due) return
    fields.doc?.transact(() => fields.set('slaDueAt', due), serverOrigin('automation'))
    this.log.info('ticket due time follows its new priority', {
      docName: event.docName,
      id: event.id,
      priority,
    })
  }
}
