import { isCollabContext, isSystemContext } from '../auth/collabContext.ts'
import { isServerOrigin } from './directWrites.ts'

export interface OriginActor {
  /** null = the system (a server write without a user behind it). */
  actorId: string | null
  name: string
  /** The server wrote it for its own reasons (audit entries, repairs, seeding): not a user's change. */
  internal: boolean
}

/**
 * Who sent a Yjs transaction, from its origin ON THE SERVER: a Hocuspocus client connection (origin = the
 * Connection, whose context the auth extension set) or a server write (`ServerOrigin`). Anything else
 * (loading from the store, unknown origins) → null. Never reads authorship from the document itself.
 */
export function originActor(origin: unknown): OriginActor | null {
  if (isServerOrigin(origin)) {
    const actor = origin.context.actor
    const internal = origin.reason !== 'rest' && origin.reason !== 'automation'
    if (origin.reason === 'automation')
      return actor
        ? { actorId: actor.userId, name: `${actor.name} (automation)`, internal }
        : { actorId: null, name: 'Automation', internal }
    return actor
      ? { actorId: actor.userId, name: actor.name, internal }
      : { actorId: null, name: 'System', internal }
  }
  if (typeof origin !== 'object' || origin === null) return null
  const context = (origin as { context?: unknown }).context
  if (isCollabContext(context)) return { actorId: context.userId, name: context.name, internal: false }
  if (isSystemContext(context)) {
    return context.actor
      ? { actorId: context.actor.userId, name: context.actor.name, internal: false }
      : { actorId: null, name: 'System', internal: false }
  }
  return null
}
