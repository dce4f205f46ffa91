import { COLLECTION, type Deal, type DealRepair, dealRepair, parseDocName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import { isServerOrigin, serverOrigin } from './directWrites.ts'
import { originActor } from './originActor.ts'

type RecordEvent = Extract<ProjectionEvent, { type: 'record' }>

/**
 * Keeps every deal consistent with its pipeline (docs/schema.md §6): a deal lives in its own document `W/deal/D` and
 * its pipeline is its `pipelineId`. A schema-valid deal whose `pipelineId` names no pipeline of the workspace (it is
 * moved to the first pipeline, by `(key, id)`), whose column is not a stage of its pipeline, or whose status is not
 * its stage's outcome is rewritten by the model's `dealRepair` (position and status together, the key kept) in a
 * server transaction on the same document, which Hocuspocus broadcasts and stores like any update. Checked on every
 * deal change, when a deal document loads, and for the loaded deal documents of a workspace when its pipelines or
 * stages change. Until then every reader places the deal by the model's `placeDeal`, so all boards agree anyway.
 */
export class DealConsistency {
  /** Loaded deal documents. */
  private readonly docs = new Map<string, Y.Doc>()
  /** Loaded workspace documents: stop following their pipelines. */
  private readonly workspaces = new Map<string, () => void>()
  private readonly log: Logger

  constructor(
    private readonly projection: Projection,
    logger: Logger,
  ) {
    this.log = logger.child('validation')
  }

  /**
   * A document was loaded (and attached to the projection). A deal document: remember it and repair its deal. A
   * workspace document: when its pipelines or their stages change (a stage removed, an outcome changed), repair the
   * deals of its loaded deal documents.
   */
  loaded(docName: string, doc: Y.Doc): void {
    const ref = parseDocName(docName)
    if (ref?.kind === 'workspace') {
      let stages = this.stagesOf(ref.workspaceId)
      const onUpdate = (): void => {
        // Runs after the projection's own update listener (attached earlier), so `pipelines` is current.
        const next = this.stagesOf(ref.workspaceId)
        if (next === stages) return
        stages = next
        for (const name of [...this.docs.keys()].sort()) {
          if (parseDocName(name)?.workspaceId === ref.workspaceId) this.checkAll(name)
        }
      }
      doc.on('update', onUpdate)
      this.workspaces.get(docName)?.()
      this.workspaces.set(docName, () => doc.off('update', onUpdate))
      return
    }
    if (ref?.kind !== 'deal') return
    this.docs.set(docName, doc)
    this.checkAll(docName)
  }

  unloaded(docName: string): void {
    this.docs.delete(docName)
    this.workspaces.get(docName)?.()
    this.workspaces.delete(docName)
  }

  /** The stages (ids and outcomes) of every pipeline of a workspace, as one comparable string. */
  private stagesOf(workspaceId: string): string {
    const pipelines = [...this.projection.workspace(workspaceId).pipelines.values()]
    return JSON.stringify(pipelines.map((p) => [p.id, p.stages.map((s) => [s.id, s.outcome])]).sort())
  }

  /** Checks the projected deal of a loaded deal document. */
  private checkAll(docName: string): void {
    const ref = parseDocName(docName)
    if (!ref) return
    const ws = this.projection.workspace(ref.workspaceId)
    for (const id of [...(ws.sourceIds.get(docName) ?? [])].sort()) {
      const deal = ws.records.deals.get(id)
      if (deal) this.check(docName, id, deal, null)
    }
  }

  /** A projected deal changed: repair it if it is inconsistent. */
  onRecord(event: RecordEvent): void {
    if (event.kind !== 'deals' || event.after === null) return
    this.check(event.docName, event.id, event.after, event.origin)
  }

  private check(docName: string, id: string, deal: ProjectedRecord, origin: unknown): void {
    const ref = parseDocName(docName)
    const doc = this.docs.get(docName)
    if (ref?.kind !== 'deal' || !doc) return
    const pipelines = this.projection.workspace(ref.workspaceId).pipelines
    // Its own pipeline; one that names no pipeline goes to the workspace's first (none known yet: left alone).
    const pipeline =
      pipelines.get(String(deal.pipelineId)) ??
      [...pipelines.values()].sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      )[0]
    if (!pipeline) return
    const repair = dealRepair(deal as unknown as Deal, pipeline.id, pipeline.stages)
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
