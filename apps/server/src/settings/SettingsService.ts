import type { Hocuspocus } from '@hocuspocus/server'
import {
  addStage,
  CurrencySettings,
  CustomFieldDef,
  collectionMap,
  createPipeline,
  DEALS,
  Deal,
  docName,
  isModelError,
  keyForIndex,
  moveDeal,
  newId,
  type Pipeline,
  readSettings,
  removeCustomField,
  removeStage,
  reorderPipeline,
  reorderStage,
  SlaPolicy,
  type Stage,
  type StageInput,
  type StagePatch,
  setClosedDays,
  setCurrency,
  setSla,
  setWorkspaceName,
  updatePipeline,
  updateStage,
  upsertCustomField,
  type WorkspaceSettings,
} from '@rapport/model'
import type * as Y from 'yjs'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { type Actor, writeDocument } from '../collab/directWrites.ts'
import { AppError, badRequest, forbidden, notFound } from '../errors.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'

/** The workspace settings as read from the server's copy of `W/workspace` (loads it if needed). */
export async function readWorkspaceSettings(
  hocuspocus: Hocuspocus,
  workspaceId: string,
): Promise<WorkspaceSettings> {
  const name = docName({ workspaceId, kind: 'workspace' })
  const connection = await hocuspocus.openDirectConnection(name, { system: true })
  try {
    if (!connection.document) throw new Error(`workspace document ${name} did not load`)
    return readSettings(connection.document)
  } finally {
    await connection.disconnect()
  }
}

/** What an admin may send to create a custom field (the id is made by the server). */
export type CustomFieldInput = Omit<CustomFieldDef, 'id'>

const actorOf = (session: SessionInfo): Actor => ({ userId: session.userId, name: session.name })

function toAppError(error: unknown): never {
  if (isModelError(error)) {
    const status = error.code === 'invalid_input' ? 400 : error.code === 'not_found' ? 404 : 409
    throw new AppError(status, error.code, error.message)
  }
  throw error
}

function optionsProblem(def: Pick<CustomFieldDef, 'type' | 'options' | 'label'>): string | null {
  if ((def.type === 'select' || def.type === 'multiselect') && def.options.length === 0)
    return `${def.label} needs at least one choice.`
  if (new Set(def.options).size !== def.options.length) return `${def.label} has the same choice twice.`
  return null
}

/**
 * Workspace settings for admins: every change is a model command on `W/workspace` through a direct connection, so
 * every open board and form updates at once and the change is stored like any edit. Removing a stage first moves
 * its deals (model `moveDealsToStage` → `moveDeal`) on the pipeline document, then removes the column.
 */
export class SettingsService {
  /** `index`: the record index, to find a stage's deals (each lives in its own document `W/deal/D`). */
  constructor(
    private readonly hocuspocus: Hocuspocus,
    private readonly index: Pick<IndexWorker, 'index' | 'flush'> | null = null,
  ) {}

  /** Every deal of pipeline `pipelineId` in column `stageId` (archived too) as the index holds it, in board order. */
  private async dealsOfStage(
    workspaceId: string,
    pipelineId: string,
    stageId: string,
    archived: 'all' | 'false',
  ) {
    if (!this.index) return []
    await this.index.flush()
    const deals: Deal[] = []
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await this.index.index.list(workspaceId, 'deals', {
        filters: { pipelineId, stage: stageId },
        offset,
        limit: MAX_PAGE,
        archived,
      })
      for (const row of page.items) {
        const deal = Deal.safeParse(row)
        if (deal.success && deal.data.position.column === stageId) deals.push(deal.data)
      }
      offset = page.nextOffset
    }
    const byPosition = (a: Deal, b: Deal): number =>
      a.position.key < b.position.key ? -1 : a.position.key > b.position.key ? 1 : a.id < b.id ? -1 : 1
    return deals.sort(byPosition)
  }

  read(session: SessionInfo): Promise<WorkspaceSettings> {
    return readWorkspaceSettings(this.hocuspocus, session.workspaceId)
  }

  private requireAdmin(session: SessionInfo): void {
    if (session.role !== 'admin') throw forbidden('Only an admin can change the workspace settings.')
  }

  private async write<T>(session: SessionInfo, fn: (doc: Y.Doc, origin: unknown) => T): Promise<T> {
    this.requireAdmin(session)
    try {
      return await writeDocument(
        this.hocuspocus,
        docName({ workspaceId: session.workspaceId, kind: 'workspace' }),
        'rest',
        actorOf(session),
        fn,
      )
    } catch (error) {
      toAppError(error)
    }
  }

  private async pipeline(session: SessionInfo, pipelineId: string): Promise<Pipeline> {
    const found = (await this.read(session)).pipelines.find((p) => p.id === pipelineId)
    if (!found) throw notFound(`There is no pipeline with the id ${pipelineId}.`)
    return found
  }

  setName(session: SessionInfo, name: string): Promise<void> {
    return this.write(session, (doc, origin) => setWorkspaceName(doc, name, origin))
  }

  setSla(session: SessionInfo, sla: SlaPolicy): Promise<SlaPolicy> {
    return this.write(session, (doc, origin) => {
      setSla(doc, SlaPolicy.parse(sla), origin)
      return readSettings(doc).sla
    })
  }

  /** Days a won or lost card stays on the boards (`W/board/P`) after entering its stage. */
  setClosedDays(session: SessionInfo, days: number): Promise<number> {
    return this.write(session, (doc, origin) => setClosedDays(doc, days, origin))
  }

  setCurrency(session: SessionInfo, currency: CurrencySettings): Promise<CurrencySettings> {
    return this.write(session, (doc, origin) => setCurrency(doc, CurrencySettings.parse(currency), origin))
  }

  createPipeline(session: SessionInfo, input: { name: string }): Promise<Pipeline> {
    return this.write(session, (doc, origin) => createPipeline(doc, { name: input.name }, origin))
  }

  updatePipeline(
    session: SessionInfo,
    pipelineId: string,
    patch: { name?: string; archived?: boolean; index?: number },
  ): Promise<Pipeline> {
    return this.write(session, (doc, origin) => {
      let result = updatePipeline(doc, pipelineId, patch, origin)
      if (patch.index !== undefined) result = reorderPipeline(doc, pipelineId, patch.index, origin)
      return result
    })
  }

  addStage(session: SessionInfo, pipelineId: string, input: StageInput & { index?: number }): Promise<Stage> {
    const { index, ...stage } = input
    return this.write(session, (doc, origin) => addStage(doc, pipelineId, stage, origin, index))
  }

  updateStage(
    session: SessionInfo,
    pipelineId: string,
    stageId: string,
    patch: StagePatch & { index?: number },
  ): Promise<Stage> {
    const { index, ...fields } = patch
    return this.write(session, (doc, origin) => {
      const stage = updateStage(doc, pipelineId, stageId, fields, origin)
      if (index !== undefined) reorderStage(doc, pipelineId, stageId, index, origin)
      return stage
    })
  }

  /**
   * Moves every deal of `stageId` (found through the index) to the end of `moveTo` (same pipeline), each with
   * `moveDeal` in its own document, then removes the stage from the settings. Returns the pipeline after the removal
   * and the moved deal ids.
   */
  async removeStage(
    session: SessionInfo,
    pipelineId: string,
    stageId: string,
    moveTo: string,
  ): Promise<{ pipeline: Pipeline; movedDealIds: string[] }> {
    this.requireAdmin(session)
    const pipeline = await this.pipeline(session, pipelineId)
    if (!pipeline.stages.some((s) => s.id === stageId))
      throw notFound(`There is no stage with the id ${stageId} in ${pipeline.name}.`)
    if (stageId === moveTo) throw badRequest('Choose another stage for its deals.', 'invalid_input')
    if (!pipeline.stages.some((s) => s.id === moveTo))
      throw badRequest(
        `There is no stage with the id ${moveTo} in ${pipeline.name} to move the deals to.`,
        'invalid_input',
      )
    if (pipeline.stages.length <= 1) throw badRequest('A pipeline needs at least one stage.', 'invalid_input')
    const movedDealIds: string[] = []
    const moving = await this.dealsOfStage(session.workspaceId, pipelineId, stageId, 'all')
    const keys = (await this.dealsOfStage(session.workspaceId, pipelineId, moveTo, 'false')).map(
      (deal) => deal.position.key,
    )
    try {
      for (const deal of moving) {
        const key = keyForIndex(keys, keys.length)
        keys.push(key)
        const moved = await writeDocument(
          this.hocuspocus,
          docName({ workspaceId: session.workspaceId, kind: 'deal', dealId: deal.id }),
          'rest',
          actorOf(session),
          (doc, origin) => {
            // Moved meanwhile (or gone): left to its writer; `DealConsistency` places a late arrival.
            const current = collectionMap(doc, DEALS).get(deal.id) as Y.Map<unknown> | undefined
            const position = current?.get('position') as { column?: unknown } | undefined
            if (position?.column !== stageId) return false
            moveDeal(doc, deal.id, { column: moveTo, key }, origin, { stages: pipeline.stages })
            return true
          },
        )
        if (moved) movedDealIds.push(deal.id)
      }
    } catch (error) {
      toAppError(error)
    }
    const after = await this.write(session, (doc, origin) => removeStage(doc, pipelineId, stageId, origin))
    return { pipeline: after, movedDealIds }
  }

  createCustomField(session: SessionInfo, input: CustomFieldInput): Promise<CustomFieldDef> {
    const def = CustomFieldDef.parse({ ...input, id: newId('cf') })
    const problem = optionsProblem(def)
    if (problem) throw badRequest(problem, 'invalid_input')
    return this.write(session, (doc, origin) => upsertCustomField(doc, def, origin))
  }

  async updateCustomField(
    session: SessionInfo,
    fieldId: string,
    patch: Partial<Pick<CustomFieldDef, 'label' | 'options' | 'required'>>,
  ): Promise<CustomFieldDef> {
    this.requireAdmin(session)
    const current = (await this.read(session)).customFields.find((f) => f.id === fieldId)
    if (!current) throw notFound(`There is no custom field with the id ${fieldId}.`)
    const def = CustomFieldDef.parse({ ...current, ...patch })
    const problem = optionsProblem(def)
    if (problem) throw badRequest(problem, 'invalid_input')
    return this.write(session, (doc, origin) => upsertCustomField(doc, def, origin))
  }

  async removeCustomField(session: SessionInfo, fieldId: string): Promise<void> {
    this.requireAdmin(session)
    const current = (await this.read(session)).customFields.find((f) => f.id === fieldId)
    if (!current) throw notFound(`There is no custom field with the id ${fieldId}.`)
    await this.write(session, (doc, origin) => removeCustomField(doc, fieldId, origin))
  }
}
