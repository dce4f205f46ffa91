import type { Role } from '@rapport/model'

/**
 * Who is calling the HTTP API, set by `sessionMiddleware` as the Hono variable `session`.
 * `via` tells a cookie session from an API token; `sid` is the session's stored id hash or `tok:<apiTokenId>`.
 */
export interface SessionInfo {
  userId: string
  workspaceId: string
  role: Role
  name: string
  via?: 'session' | 'apiToken'
  sid?: string
  /** A `read` API token: REST answers only GET/HEAD, and its collab connections are read-only. */
  readOnly?: boolean
}
