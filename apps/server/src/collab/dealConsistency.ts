import { COLLECTION, type Deal, type DealRepair, dealRepair, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import { isServerOrigin, serverOrigin } from './directWrites.ts'
import { originActor } from './originActor.ts'

type RecordEvent = Extract<ProjectionEvent, { type: 'record' }>

/**
 * Keeps every deal consistent with the pipeline of its document (docs/schema.md §6): a schema-valid deal whose
 * `pipelineId` names another pipeline, whose column is not a stage of its pipeline, or whose status is not its
 * stage's outcome is rewritten by the model's `dealRepair` (position and status together, the key kept) in a server
 * transaction on the same document, which Hocuspocus broadcasts and stores like any update. Checked on every deal
 * change and, for stored deals, when a pipeline document loads. Until then every reader places the deal by the
 * model's `placeDeal`, so all boards agree anyway.
 */
export class DealConsistency {
  private readonly docs = new Map<string, Y.Doc>()
  private readonly log: Logger

  constructor(
    private readonly projection: Projection,
    logger: Logger,
  ) {
    this.log = logger.child('validation')
  }

  /** A pipeline document was loaded (and attached to the projection): remember it and repair its stored deals. */
  loaded(docName: string, doc: Y.Doc): void {
    const ref = parseDocName(docName)
    if (ref?.kind !== 'pipeline') return
    this.docs.set(docName, doc)
    const ws = this.projection.workspace(ref.workspaceId)
    for (const id of [...(ws.sourceIds.get(docName) ?? [])].sort()) {
      const deal = ws.records.deals.get(id)
      if (deal) this.check(docName, id, deal, null)
    }
  }

  unloaded(docName: string): void {
    this.docs.delete(docName)
  }

  /** A projected deal changed: repair it if it is inconsistent. */
  onRecord(event: RecordEvent): void {
    if (event.kind !== 'deals' || event.after === null) return
    this.check(event.docName, event.id, event.after, event.origin)
  }

  private check(docName: string, id: string, deal: ProjectedRecord, origin: unknown): void {
    const ref = parseDocName(docName)
    const doc = this.docs.get(docName)
    if (ref?.kind !== 'pipeline' || !doc) return
    const pipeline = this.projection.workspace(ref.workspaceId).pipelines.get(ref.pipelineId)
    const repair = dealRepair(deal as unknown as Deal, ref.pipelineId, pipeline?.stages ?? null)
    if (repair === null) return
    if (isServerOrigin(origin) && origin.reason === 'repair') {
      this.log.error('repair left an inconsistent deal', { docName, id, repair })
      return
    }
    const fields = doc.getMap<unknown>(COLLECTION.deals).get(id)
    if (!(fields instanceof Y.Map)) return
    doc.transact(() => {
      for (const [field, value] of Object.entries(repair) as Array<[keyof DealRepair, unknown]>) {
        fields.set(field, value)
      }
    }, serverOrigin('repair'))
    this.log.warn('repaired inconsistent deal', {
      docName,
      id,
      repair,
      userId: originActor(origin)?.actorId ?? null,
    })
  }
}
