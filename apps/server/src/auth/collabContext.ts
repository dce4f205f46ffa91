import type { Role } from '@rapport/model'

/** The Hocuspocus connection context of an authenticated client (set in `onAuthenticate`). */
export interface CollabContext {
  userId: string
  workspaceId: string
  role: Role
  name: string
  color: string
  /** The session (or `tok:<apiTokenId>`) the collab token was issued for; used to close connections on logout. */
  sid?: string
  /** Issued for a `read` API token: every document opens read-only, whatever the role allows. */
  readOnly?: boolean
}

/** The context of a server-side direct connection (REST writes, repairs, seeding). */
export interface SystemContext {
  system: true
  actor?: { userId: string; name: string }
}

export const isSystemContext = (context: unknown): context is SystemContext =>
  typeof context === 'object' && context !== null && (context as { system?: unknown }).system === true

export const isCollabContext = (context: unknown): context is CollabContext =>
  typeof context === 'object' &&
  context !== null &&
  typeof (context as { userId?: unknown }).userId === 'string' &&
  typeof (context as { workspaceId?: unknown }).workspaceId === 'string'
