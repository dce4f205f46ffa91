import type { Role, Team } from '@rapport/model'
import { conflict, notFound } from '../errors.ts'
import type { MembershipRow } from './metaSchema.ts'
import type { MetaStore } from './metaStore.ts'

/** A workspace member as the API returns it (the shape of the model's `Member`). */
export interface MemberView {
  userId: string
  workspaceId: string
  role: Role
  name: string
  email: string
  team: Team | null
  color: string
}

const PALETTE = [
  '#e5484d',
  '#f76b15',
  '#ffc53d',
  '#46a758',
  '#12a594',
  '#0090ff',
  '#3e63dd',
  '#8e4ec6',
  '#d6409f',
]

/** A stable colour for a user (cursor, avatar), picked from a palette by id. */
export function colorFor(userId: string): string {
  let h = 0
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return PALETTE[h % PALETTE.length] ?? '#0090ff'
}

export function memberView(meta: MetaStore, row: MembershipRow): MemberView | undefined {
  const user = meta.userById(row.userId)
  if (!user) return undefined
  return {
    userId: user.id,
    workspaceId: row.workspaceId,
    role: row.role,
    name: user.name,
    email: user.email,
    team: row.team,
    color: user.color,
  }
}

export function listMembers(meta: MetaStore, workspaceId: string): MemberView[] {
  return meta.data.memberships
    .filter((m) => m.workspaceId === workspaceId)
    .flatMap((m) => memberView(meta, m) ?? [])
    .sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId))
}

const adminsLeft = (rows: MembershipRow[], workspaceId: string): number =>
  rows.filter((m) => m.workspaceId === workspaceId && m.role === 'admin').length

/** Changes a member's role and/or team. Refuses to demote the last admin. Returns the previous row. */
export function updateMembership(
  meta: MetaStore,
  workspaceId: string,
  userId: string,
  patch: { role?: Role; team?: Team | null },
): Promise<{ before: MembershipRow; after: MembershipRow }> {
  return meta.write((draft) => {
    const row = draft.memberships.find((m) => m.workspaceId === workspaceId && m.userId === userId)
    if (!row) throw notFound('No such member', 'member_not_found')
    const before = { ...row }
    if (patch.role !== undefined) row.role = patch.role
    if (patch.team !== undefined) row.team = patch.team
    if (before.role === 'admin' && adminsLeft(draft.memberships, workspaceId) === 0) {
      throw conflict('A workspace needs at least one admin', 'last_admin')
    }
    return { before, after: { ...row } }
  })
}

/** Removes a member (and their sessions and API tokens in that workspace). Refuses to remove the last admin. */
export function removeMembership(
  meta: MetaStore,
  workspaceId: string,
  userId: string,
  now: number,
): Promise<void> {
  return meta.write((draft) => {
    const row = draft.memberships.find((m) => m.workspaceId === workspaceId && m.userId === userId)
    if (!row) throw notFound('No such member', 'member_not_found')
    draft.memberships = draft.memberships.filter((m) => m !== row)
    if (row.role === 'admin' && adminsLeft(draft.memberships, workspaceId) === 0) {
      throw conflict('A workspace needs at least one admin', 'last_admin')
    }
    draft.sessions = draft.sessions.filter((s) => !(s.workspaceId === workspaceId && s.userId === userId))
    for (const token of draft.apiTokens) {
      if (token.workspaceId === workspaceId && token.userId === userId && token.revokedAt === null) {
        token.revokedAt = now
      }
    }
  })
}
