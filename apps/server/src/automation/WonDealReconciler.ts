import { collectionMap, DEALS, Deal, docName, HANDOFFS, readRecords } from '@rapport/model'
import { JSONFile } from 'lowdb/node'
import * as Y from 'yjs'
import { z } from 'zod'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'
import { type DocumentStore, storedWorkspaceIds } from '../storage/DocumentStore.ts'
import type { Automation } from './Automation.ts'
import { wonHandoffId } from './wonHandoffId.ts'

/**
 * Durability of the won-deal trigger: a server killed between a deal's Won move and the draft creation loses
 * the trigger, so every won deal is checked again — when its deal document `W/deal/D` is loaded, and at startup over
 * the projection. A won deal whose account room has no `hof_won_<dealId>` handoff gets one through the same
 * exactly-once path (`Automation.dealWon`). Deals found complete are remembered for the process lifetime.
 *
 * At startup only the won deals changed since the last completed startup check (minus RECHECK_MARGIN_MS, for clocks
 * of writers that lag) are checked: a deal won before that was checked then, and a later win is a later `updatedAt`.
 * The time is kept in `stateFile` (`<dataDir>/won-deals.json`); without it, or on the first start, every won deal is
 * checked (10k won deals: every account room decoded, ~2 s of the start).
 */
/** Deals changed this long before the last startup check are checked again at the next start. */
export const RECHECK_MARGIN_MS = 24 * 60 * 60 * 1000

const WonDealsState = z.object({ checkedAt: z.number().finite() })
type WonDealsState = z.infer<typeof WonDealsState>

export class WonDealReconciler {
  private readonly done = new Set<string>()

  constructor(
    private readonly automation: Automation,
    private readonly store: DocumentStore | null,
    private readonly stateFile: string | null = null,
  ) {}

  /** Checks the given deals of a workspace; resolves to the number of handoff drafts created. */
  async reconcile(workspaceId: string, deals: Iterable<Deal>): Promise<number> {
    let created = 0
    for (const deal of deals) {
      if (deal.archived || deal.status !== 'won' || deal.accountId === null) continue
      const id = wonHandoffId(deal.id)
      const key = `${workspaceId}:${id}`
      if (this.done.has(key)) continue
      if (!(await this.hasHandoff(workspaceId, deal.accountId, id))) {
        const handoff = await this.automation.dealWon(workspaceId, deal, null)
        if (handoff) created += 1
      }
      this.done.add(key)
    }
    return created
  }

  /** The won deal of a loaded deal document; one log line when it created a draft. */
  async reconcileDocument(workspaceId: string, doc: Y.Doc): Promise<number> {
    const created = await this.reconcile(workspaceId, readRecords(collectionMap(doc, DEALS), Deal).records)
    if (created > 0) this.automation.deps.logger.info('reconciled won deals', { workspaceId, created })
    return created
  }

  /** Every won deal of the record index (else of the projection), in every workspace with stored documents (startup). */
  async reconcileAll(): Promise<number> {
    const started = this.automation.deps.now()
    const state = this.stateFile ? new JSONFile<unknown>(this.stateFile) : null
    const parsed = WonDealsState.safeParse(await state?.read().catch(() => null))
    const since = parsed.success ? parsed.data.checkedAt - RECHECK_MARGIN_MS : Number.NEGATIVE_INFINITY
    let created = 0
    for (const workspaceId of this.store ? await storedWorkspaceIds(this.store) : [])
      created += await this.reconcile(workspaceId, await this.wonDeals(workspaceId, since))
    await state?.write({ checkedAt: started } satisfies WonDealsState)
    // One summary line at start, not a line per deal (each draft is logged at debug level).
    if (created > 0)
      this.automation.deps.logger.info('handoff drafts created for won deals at start', { created })
    return created
  }

  /** The won, non-archived deals of a workspace changed at or after `since`: from the record index when there is one. */
  private async wonDeals(workspaceId: string, since: number): Promise<Deal[]> {
    const deals: Deal[] = []
    const worker = this.automation.deps.index?.() ?? null
    if (!worker) {
      for (const record of this.automation.deps.projection.workspace(workspaceId).records.deals.values()) {
        const deal = Deal.safeParse(record)
        if (deal.success && deal.data.status === 'won' && deal.data.updatedAt >= since) deals.push(deal.data)
      }
      return deals
    }
    await worker.flush()
    // Latest change first: the pages stop at the first deal older than `since`.
    for (let offset: number | null = 0; offset !== null; ) {
      const page = await worker.index.list(workspaceId, 'deals', {
        filters: { status: 'won' },
        sort: '-updatedAt',
        offset,
        limit: since === Number.NEGATIVE_INFINITY ? MAX_PAGE : 500,
        archived: 'false',
      })
      for (const row of page.items) {
        if (typeof row.updatedAt === 'number' && row.updatedAt < since) return deals
        const deal = Deal.safeParse(row)
        if (deal.success) deals.push(deal.data)
      }
      offset = page.nextOffset
    }
    return deals
  }

  /**
   * Whether the account room holds the handoff: read from the loaded document, else from the store (cheap, no
   * Hocuspocus load). A false negative is harmless: `dealWon` checks again inside its write transaction.
   */
  private async hasHandoff(workspaceId: string, accountId: string, handoffId: string): Promise<boolean> {
    const name = docName({ workspaceId, kind: 'account', accountId })
    const loaded = this.automation.deps.hocuspocus.documents.get(name)
    if (loaded) return collectionMap(loaded, HANDOFFS).has(handoffId)
    const state = this.store ? await this.store.load(name) : null
    if (!state) return false
    // A guid given: a Y.Doc otherwise draws a random uuid (crypto), 60 µs a document.
    const doc = new Y.Doc({ guid: name })
    try {
      Y.applyUpdate(doc, state)
      return collectionMap(doc, HANDOFFS).has(handoffId)
    } finally {
      doc.destroy()
    }
  }
}
