import type { DocKind, DocRef } from './docNames.ts'
import type { Role } from './roles.ts'

export type Access = 'none' | 'read' | 'write'

/**
 * Role × document kind → access. The inbox row is for the inbox's owner; nobody else, admins included,
 * may open another user's inbox (see `accessTo`).
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
  },
  sales: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'write',
    support: 'read',
    account: 'write',
    inbox: 'write',
  },
  support: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'read',
    support: 'write',
    account: 'write',
    inbox: 'write',
  },
  viewer: {
    workspace: 'read',
    accounts: 'read',
    contacts: 'read',
    pipeline: 'read',
    support: 'read',
    account: 'read',
    inbox: 'write',
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
