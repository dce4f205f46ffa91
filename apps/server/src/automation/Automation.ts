import type { Hocuspocus } from '@hocuspocus/server'
import {
  appendActivity,
  collectionMap,
  createHandoff,
  createNotification,
  type Deal,
  docName,
  HANDOFFS,
  type Handoff,
  Handoff as HandoffSchema,
  ID_PATTERN,
  type NotificationCreate,
  readRecord,
} from '@rapport/model'
import { writeDocument } from '../collab/directWrites.ts'
import type { OriginActor } from '../collab/originActor.ts'
import type { Logger } from '../log/logger.ts'
import type { MemberView } from '../meta/members.ts'
import type { Projection } from '../projection/Projection.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { WonDealReconciler } from './WonDealReconciler.ts'
import { wonHandoffId } from './wonHandoffId.ts'

export interface AutomationDeps {
  hocuspocus: Hocuspocus
  projection: Projection
  /** The members of a workspace (notification targets must be members). */
  members: (workspaceId: string) => MemberView[]
  logger: Logger
  now: () => number
  /** The document store, to check unloaded account rooms cheaply when reconciling won deals. */
  store?: DocumentStore
  /** The record index: won deals reconciled at start, account names of unloaded accounts (else the projection). */
  index?: () => Pick<IndexWorker, 'index' | 'flush'> | null
  /** Where the won-deal reconciler keeps the time of its last startup check (`<dataDir>/won-deals.json`). */
  wonDealsStateFile?: string
}

/** Who a server write is done for: a user, or the system (null). */
export type AutomationActor = { userId: string; name: string } | null

export const actorFromOrigin = (actor: OriginActor | null): AutomationActor =>
  actor?.actorId ? { userId: actor.actorId, name: actor.name } : null

/**
 * Server-side workflow: the won-deal handoff draft, notifications into users' inboxes, and the handoff steps.
 * Every write goes through a Hocuspocus direct connection (broadcast + stored like a client edit). Work that
 * touches the same record runs one task after another (`serialize`), so concurrent triggers cannot interleave.
 */
export class Automation {
  private readonly queues = new Map<string, Promise<void>>()
  private readonly inFlight = new Set<Promise<void>>()

  /** Re-runs lost won-deal triggers (pipeline load, startup). */
  readonly wonDeals: WonDealReconciler

  constructor(readonly deps: AutomationDeps) {
    this.wonDeals = new WonDealReconciler(this, deps.store ?? null, deps.wonDealsStateFile ?? null)
  }

  /** Runs `task` after every earlier task with the same key has settled. */
  serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.then(
      () => {},
      () => {},
    )
    this.queues.set(key, tail)
    this.inFlight.add(tail)
    void tail.then(() => {
      this.inFlight.delete(tail)
      if (this.queues.get(key) === tail) this.queues.delete(key)
    })
    return result
  }

  /** Fire-and-forget work from a document observer: serialized by key, failures logged. */
  background(key: string, label: string, task: () => Promise<unknown>): void {
    this.serialize(key, task).catch((error: unknown) => {
      this.deps.logger.error(`automation ${label} failed`, { error, key })
    })
  }

  /** Resolves once no automation work is pending (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight])
  }

  member(workspaceId: string, userId: string | null | undefined): MemberView | undefined {
    if (!userId) return undefined
    return this.deps.members(workspaceId).find((m) => m.userId === userId)
  }

  /** An account's name for a message: from its loaded document, else the record index; 'an account' when unknown. */
  async accountName(workspaceId: string, accountId: string): Promise<string> {
    let record: Record<string, unknown> | null | undefined = this.deps.projection
      .workspace(workspaceId)
      .records.accounts.get(accountId)
    const worker = this.deps.index?.() ?? null
    if (!record && worker) {
      try {
        record = (await worker.index.get(workspaceId, 'accounts', accountId))?.record
      } catch (error) {
        this.deps.logger.warn('account name lookup failed', { workspaceId, accountId, error })
      }
    }
    return typeof record?.name === 'string' ? record.name : 'an account'
  }

  /** Writes a notification into a member's inbox (`W/inbox/U`). Non-members and bad ids are ignored. */
  async notify(workspaceId: string, userId: string, input: NotificationCreate): Promise<boolean> {
    if (!ID_PATTERN.test(userId) || !this.member(workspaceId, userId)) {
      this.deps.logger.debug('notification target is not a member', { workspaceId, userId })
      return false
    }
    const name = docName({ workspaceId, kind: 'inbox', userId })
    await writeDocument(this.deps.hocuspocus, name, 'automation', null, (doc, origin) =>
      createNotification(doc, input, origin, { now: this.deps.now() }),
    )
    return true
  }

  /**
   * A deal entered a won stage: creates the handoff draft of its account, exactly once per deal. The id is
   * derived from the deal, the check and the create run in ONE transaction on the server's copy of the
   * account room, and calls are serialized per handoff — so two users winning the deal at once, or the deal
   * going Won → Open → Won, never create a second handoff. Returns the created handoff, or null.
   */
  dealWon(workspaceId: string, deal: Deal, actor: AutomationActor): Promise<Handoff | null> {
    const accountId = deal.accountId
    if (accountId === null) return Promise.resolve(null)
    const id = wonHandoffId(deal.id)
    return this.serialize(`handoff:${workspaceId}:${id}`, async () => {
      const room = docName({ workspaceId, kind: 'account', accountId })
      const fromUserId = actor?.userId ?? deal.ownerId ?? 'system'
      const now = this.deps.now()
      const created = await writeDocument(this.deps.hocuspocus, room, 'automation', actor, (doc, origin) => {
        let handoff: Handoff | null = null
        doc.transact(() => {
          if (collectionMap(doc, HANDOFFS).has(id)) return
          handoff = createHandoff(
            doc,
            { id, accountId, dealId: deal.id, fromUserId, toTeam: 'support' },
            origin,
            { now },
          )
          appendActivity(
            doc,
            {
              type: 'handoff',
              actorId: actor?.userId ?? null,
              subject: { kind: 'handoff', id },
              text: `won “${deal.title}”: handoff draft created`,
            },
            origin,
            { now },
          )
        }, origin)
        return handoff as Handoff | null
      })
      if (created === null) return null
      // A user's move is worth a line; the reconciler's catch-up drafts (no actor) are summed up by the reconciler.
      this.deps.logger[actor ? 'info' : 'debug']('won deal: handoff draft created', {
        workspaceId,
        dealId: deal.id,
        handoffId: id,
      })
      // The deal's owner hears of it — never the user who won it themselves (they see the draft in the room).
      const owner = deal.ownerId
      if (owner === null || owner === actor?.userId) return created
      const account = await this.accountName(workspaceId, accountId)
      await this.notify(workspaceId, owner, {
        type: 'handoff',
        actorId: actor?.userId ?? null,
        text: actor
          ? `${actor.name} won “${deal.title}” — a handoff draft for ${account} is ready`
          : `Deal “${deal.title}” won — a handoff draft for ${account} is ready`,
        link: { accountId, dealId: deal.id, handoffId: id, docName: room },
      })
      return created
    })
  }

  /** Reads a handoff from an account room through a direct connection. */
  async readHandoff(workspaceId: string, accountId: string, handoffId: string): Promise<Handoff | null> {
    const room = docName({ workspaceId, kind: 'account', accountId })
    const connection = await this.deps.hocuspocus.openDirectConnection(room, { system: true })
    try {
      return connection.document
        ? readRecord(collectionMap(connection.document, HANDOFFS), handoffId, HandoffSchema)
        : null
    } finally {
      await connection.disconnect()
    }
  }
}
