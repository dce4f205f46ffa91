import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AuthServices } from '../auth/authServices.ts'
import { SESSION_COOKIE } from '../auth/sessions.ts'
import { forbidden, unauthorized } from '../errors.ts'
import type { AppEnv } from './app.ts'

/** A `read` API token may GET/HEAD, and fetch a collab token (its documents then open read-only). */
const READ_ONLY_ALLOWED = (method: string, path: string): boolean =>
  method === 'GET' || method === 'HEAD' || (method === 'POST' && path === '/api/auth/collab-token')

/**
 * Authenticates a request by `Authorization: Bearer rpt_…` (API token) or the `rapport_session` cookie and
 * sets `c.var.session`; throws 401 otherwise. Use per route (not with `use('*')` on a sub-app mounted at /api).
 */
export function sessionMiddleware(auth: AuthServices) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization')
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      const session = match?.[1] ? auth.sessionFromApiToken(match[1]) : undefined
      if (!session) throw unauthorized('Invalid API token', 'invalid_token')
      if (session.readOnly && !READ_ONLY_ALLOWED(c.req.method, c.req.path)) {
        throw forbidden('This API token can only read', 'read_only_token')
      }
      c.set('session', session)
      return next()
    }
    const cookie = getCookie(c, SESSION_COOKIE)
    const session = cookie ? auth.sessionFromCookie(cookie) : undefined
    if (!session) {
      const why = cookie ? auth.whySessionEnded(cookie) : undefined
      throw why ? unauthorized(why.message, why.code) : unauthorized()
    }
    c.set('session', session)
    return next()
  })
}
