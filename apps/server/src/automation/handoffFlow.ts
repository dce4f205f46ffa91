import {
  ACCOUNTS,
  Account,
  accessTo,
  appendActivity,
  collectionMap,
  createHandoff,
  docName,
  HANDOFFS,
  Handoff,
  type HandoffStatus,
  isModelError,
  readRecord,
  setHandoffStatus,
  type Team,
  updateAccount,
  updateHandoff,
} from '@rapport/model'
import { locateAccount } from '../accounts/accountDocs.ts'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { AppError, forbidden, notFound } from '../errors.ts'
import type { Automation, AutomationActor } from './Automation.ts'

export interface HandoffTarget {
  toUserId?: string | null
  toTeam?: Team
}

const actorOf = (session: SessionInfo): NonNullable<AutomationActor> => ({
  userId: session.userId,
  name: session.name,
})

function toAppError(error: unknown): never {
  if (isModelError(error)) {
    const status = error.code === 'invalid_input' ? 400 : error.code === 'not_found' ? 404 : 409
    throw new AppError(status, error.code, error.message)
  }
  throw error
}

/**
 * The handoff steps a user takes (create, send, accept, send back). Each step is one transaction on the
 * account room (status + timeline entry), serialized per handoff, then the notifications; accepting also moves
 * the account to the receiver (owner) and the handoff's team in `W/accounts`.
 */
export class HandoffFlow {
  constructor(private readonly automation: Automation) {}

  private room(session: SessionInfo, accountId: string): string {
    const ref = { workspaceId: session.workspaceId, kind: 'account', accountId } as const
    if (accessTo(session, ref) !== 'write') throw forbidden(`role ${session.role} may not change handoffs`)
    return docName(ref)
  }

  private receiverName(session: SessionInfo, handoff: Handoff): string {
    return this.automation.member(session.workspaceId, handoff.toUserId)?.name ?? `the ${handoff.toTeam} team`
  }

  /** The receivers of a handoff: its user, or every member of its team. */
  private receivers(workspaceId: string, handoff: Handoff): string[] {
    if (handoff.toUserId) return [handoff.toUserId]
    return this.automation.deps
      .members(workspaceId)
      .filter((m) => m.team === handoff.toTeam)
      .map((m) => m.userId)
  }

  private mayReceive(session: SessionInfo, handoff: Handoff): boolean {
    if (session.role === 'admin' || handoff.toUserId === session.userId) return true
    if (handoff.toUserId !== null) return false
    return this.automation.member(session.workspaceId, session.userId)?.team === handoff.toTeam
  }

  /** Applies `step` to the handoff in one transaction with its timeline entry; returns before/after. */
  private step(
    session: SessionInfo,
    accountId: string,
    handoffId: string,
    step: (doc: import('yjs').Doc, current: Handoff, origin: unknown, now: number) => { text: string },
  ): Promise<{ before: Handoff; after: Handoff }> {
    const room = this.room(session, accountId)
    return this.automation.serialize(`handoff:${session.workspaceId}:${handoffId}`, async () => {
      const now = this.automation.deps.now()
      return this.restWrite(session, room, (doc, origin) => {
        const before = readRecord(collectionMap(doc, HANDOFFS), handoffId, Handoff)
        if (before === null || before.archived) throw notFound(`handoff ${handoffId} not found`)
        let after = before
        doc.transact(() => {
          const { text } = step(doc, before, origin, now)
          after = readRecord(collectionMap(doc, HANDOFFS), handoffId, Handoff) ?? before
          appendActivity(
            doc,
            {
              type: 'handoff',
              actorId: session.userId,
              subject: { kind: 'handoff', id: handoffId },
              text,
            },
            origin,
            { now },
          )
        }, origin)
        return { before, after }
      })
    })
  }

  /** Writes `room` for a REST request of `session`; model/lookup errors become HTTP errors. */
  private async restWrite<T>(
    session: SessionInfo,
    room: string,
    write: (doc: import('yjs').Doc, origin: unknown) => T,
  ): Promise<T> {
    try {
      return await writeDocument(this.automation.deps.hocuspocus, room, 'rest', actorOf(session), write)
    } catch (error) {
      return toAppError(error)
    }
  }

  /** Creates a draft handoff of an account (from the account room or a deal). */
  async create(
    session: SessionInfo,
    accountId: string,
    input: HandoffTarget & { dealId?: string | null },
  ): Promise<Handoff> {
    const room = this.room(session, accountId)
    const now = this.automation.deps.now()
    return this.restWrite(session, room, (doc, origin) => {
      let created: Handoff | undefined
      doc.transact(() => {
        created = createHandoff(
          doc,
          {
            accountId,
            dealId: input.dealId ?? null,
            fromUserId: session.userId,
            toUserId: input.toUserId ?? null,
            toTeam: input.toTeam ?? 'support',
          },
          origin,
          { now },
        )
        appendActivity(
          doc,
          {
            type: 'handoff',
            actorId: session.userId,
            subject: { kind: 'handoff', id: created.id },
            text: 'created a handoff draft',
          },
          origin,
          { now },
        )
      }, origin)
      return created as Handoff
    })
  }

  /** Sends a draft (or returned) handoff, optionally setting its receiver first; notifies the receivers. */
  async send(
    session: SessionInfo,
    accountId: string,
    handoffId: string,
    target: HandoffTarget,
  ): Promise<Handoff> {
    const { after } = await this.step(session, accountId, handoffId, (doc, current, origin, now) => {
      const patch: HandoffTarget = {}
      if (target.toUserId !== undefined) patch.toUserId = target.toUserId
      if (target.toTeam !== undefined) patch.toTeam = target.toTeam
      if (Object.keys(patch).length > 0) updateHandoff(doc, current.id, patch, origin, { now })
      const sent = setHandoffStatus(doc, current.id, 'sent', origin, { now })
      return { text: `sent the handoff to ${this.receiverName(session, sent)}` }
    })
    const account = await this.automation.accountName(session.workspaceId, accountId)
    for (const userId of this.receivers(session.workspaceId, after)) {
      if (userId === session.userId) continue
      await this.automation.notify(session.workspaceId, userId, {
        type: 'handoff',
        actorId: session.userId,
        text: `${session.name} handed ${account} over to you — please review the brief`,
        link: {
          accountId,
          handoffId,
          docName: docName({ workspaceId: session.workspaceId, kind: 'account', accountId }),
        },
      })
    }
    return after
  }

  /** The receiver accepts: the account's owner becomes the receiver and its team the handoff's team. */
  async accept(session: SessionInfo, accountId: string, handoffId: string): Promise<Handoff> {
    const { after } = await this.step(session, accountId, handoffId, (doc, current, origin, now) => {
      if (!this.mayReceive(session, current)) throw forbidden('only the receiver may accept this handoff')
      if (current.toUserId === null)
        updateHandoff(doc, current.id, { toUserId: session.userId }, origin, { now })
      setHandoffStatus(doc, current.id, 'accepted', origin, { now })
      return { text: `accepted the handoff: owner and team changed to ${current.toTeam}` }
    })
    await this.moveAccount(session, accountId, after)
    await this.tellSender(session, accountId, after, 'accepted')
    return after
  }

  /** The receiver sends the handoff back with a comment. */
  async sendBack(
    session: SessionInfo,
    accountId: string,
    handoffId: string,
    comment: string,
  ): Promise<Handoff> {
    const { after } = await this.step(session, accountId, handoffId, (doc, current, origin, now) => {
      if (!this.mayReceive(session, current)) throw forbidden('only the receiver may send this handoff back')
      setHandoffStatus(doc, current.id, 'returned', origin, { now, comment })
      return { text: `sent the handoff back: ${comment.trim()}` }
    })
    await this.tellSender(session, accountId, after, 'returned')
    return after
  }

  /**
   * Moves the account to the receiver and the handoff's team (the audit records the field changes on the timeline),
   * in the document the record index says holds it (`W/account/A`, or `W/accounts` until it is split).
   */
  private async moveAccount(session: SessionInfo, accountId: string, handoff: Handoff): Promise<void> {
    const worker = this.automation.deps.index?.() ?? null
    const found = worker ? await locateAccount(worker, session.workspaceId, accountId) : null
    const name = docName(found ?? { workspaceId: session.workspaceId, kind: 'account', accountId })
    const now = this.automation.deps.now()
    await writeDocument(
      this.automation.deps.hocuspocus,
      name,
      'automation',
      actorOf(session),
      (doc, origin) => {
        if (readRecord(collectionMap(doc, ACCOUNTS), accountId, Account) === null) return
        const patch = { ownerId: handoff.toUserId ?? session.userId, team: handoff.toTeam }
        updateAccount(doc, accountId, patch, origin, { now })
      },
    )
  }

  private async tellSender(
    session: SessionInfo,
    accountId: string,
    handoff: Handoff,
    status: Extract<HandoffStatus, 'accepted' | 'returned'>,
  ): Promise<void> {
    if (handoff.fromUserId === session.userId) return
    const account = await this.automation.accountName(session.workspaceId, accountId)
    await this.automation.notify(session.workspaceId, handoff.fromUserId, {
      type: 'handoff',
      actorId: session.userId,
      text:
        status === 'accepted'
          ? `${session.name} accepted the handoff of ${account}`
          : `${session.name} sent the handoff of ${account} back: ${handoff.returnComment ?? ''}`,
      link: { accountId, handoffId: handoff.id },
    })
  }
}
