import type { DocKind, DocRef } from './docNames.ts'
import type { Role } from './roles.ts'

export type Access = 'none' | 'read' | 'write'

/**
 * Role × document kind → access. The inbox row is for the inbox's owner; nobody else, admins included,
 * may open another user's inbox (see `accessTo`).
 *
 * Per-record kinds (issue #12) follow their collection: `contact` as `contacts`, `deal` as `pipeline`, `ticket` as
 * `support`. `board` and `queue` are derived by the server from the records and are `read` for every role that
 * reads pipelines / support — never `write`, admins included: the server alone writes them (through direct
 * connections), and read-only connections mean no client copy can push old entries back after a regeneration.
 * `feed` is `read` for every member (its events are filtered per member).
 */
export const POLICY: Readonly<Record<Role, Readonly<Record<DocKind, Access>>>> = {
  admin: {
    workspace: 'write',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'write',
    support: 'write',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'write',
    ticket: 'write',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  sales: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'write',
    support: 'read',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'write',
    ticket: 'read',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  support: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'read',
    support: 'write',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'read',
    ticket: 'write',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  viewer: {
    workspace: 'read',
    accounts: 'read',
    contacts: 'read',
    pipeline: 'read',
    support: 'read',
    account: 'read',
    inbox: 'write',
    contact: 'read',
    deal: 'read',
    ticket: 'read',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
}

/** Access of a role to a document kind, ignoring ownership. */
export function accessFor(role: Role, kind: DocKind): Access {
  return POLICY[role][kind]
}

/**
 * Access of a member (`userId` with `role` in the workspace `workspaceId`) to a concrete document.
 * A document of another workspace, or another user's inbox, is always `none`.
 */
export function accessTo(member: { userId: string; workspaceId: string; role: Role }, ref: DocRef): Access {
  if (ref.workspaceId !== member.workspaceId) return 'none'
  if (ref.kind === 'inbox' && ref.userId !== member.userId) return 'none'
  return accessFor(member.role, ref.kind)
}

export function canWrite(access: Access): boolean {
  return access === 'write'
}
