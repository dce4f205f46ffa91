import { idString, Role, Team } from '@rapport/model'
import { z } from 'zod'

/** The metadata database (`meta.json`): schema and inferred types side by side. */

export const UserRow = z.object({
  id: idString,
  email: z.email(),
  name: z.string().min(1).max(100),
  passwordHash: z.string().min(1),
  color: z.string().regex(/^#[0-9a-f]{6}$/i),
  createdAt: z.number().int(),
})
export type UserRow = z.infer<typeof UserRow>

export const WorkspaceRow = z.object({ id: idString, name: z.string().min(1).max(200) })
export type WorkspaceRow = z.infer<typeof WorkspaceRow>

export const MembershipRow = z.object({
  workspaceId: idString,
  userId: idString,
  role: Role,
  team: Team.nullable(),
})
export type MembershipRow = z.infer<typeof MembershipRow>

export const InvitationRow = z.object({
  id: idString,
  workspaceId: idString,
  email: z.email(),
  role: Role,
  team: Team.nullable().default(null),
  tokenHash: z.string(),
  invitedBy: idString,
  expiresAt: z.number().int(),
  acceptedAt: z.number().int().nullable(),
})
export type InvitationRow = z.infer<typeof InvitationRow>

export const SessionRow = z.object({
  idHash: z.string(),
  userId: idString,
  workspaceId: idString,
  expiresAt: z.number().int(),
})
export type SessionRow = z.infer<typeof SessionRow>

export const API_TOKEN_SCOPES = ['read', 'read-write'] as const
export const ApiTokenScope = z.enum(API_TOKEN_SCOPES)
export type ApiTokenScope = z.infer<typeof ApiTokenScope>

export const ApiTokenRow = z.object({
  id: idString,
  workspaceId: idString,
  userId: idString,
  name: z.string().min(1).max(100),
  tokenHash: z.string(),
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  /** `read`: GET/HEAD only and read-only documents; `read-write`: everything the user's role allows. */
  scope: ApiTokenScope.default('read-write'),
  /** Last authenticated use, to the minute (updated at most once a minute); null = never used. */
  lastUsedAt: z.number().int().nullable().default(null),
})
export type ApiTokenRow = z.infer<typeof ApiTokenRow>

export const MetaData = z.object({
  users: z.array(UserRow),
  workspaces: z.array(WorkspaceRow),
  memberships: z.array(MembershipRow),
  invitations: z.array(InvitationRow),
  sessions: z.array(SessionRow),
  apiTokens: z.array(ApiTokenRow),
  /** Ids of deleted workspaces: their documents are never stored again and are purged at start. */
  removedWorkspaces: z.array(idString).default([]),
})
export type MetaData = z.infer<typeof MetaData>

export const emptyMeta = (): MetaData => ({
  users: [],
  workspaces: [],
  memberships: [],
  invitations: [],
  sessions: [],
  apiTokens: [],
  removedWorkspaces: [],
})
