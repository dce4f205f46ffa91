import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import { type BodyLimits, bodyLimits } from './bodyLimit.ts'
import { compression } from './compression.ts'

export interface AppEnv {
  Variables: { session: SessionInfo }
}

const formatIssues = (error: ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ')

export interface AppOptions {
  /** Request body caps: 1 MiB by default; raise it per route (uploads) with `routes`. */
  bodyLimits?: BodyLimits
}

/**
 * The Hono app with the ONE error mapping of the server: AppError → its status, ZodError → 400 invalid_input,
 * anything else → 500 internal (logged). Routes are mounted by createServer under `/api`. Request bodies are capped
 * first of all (413 `payload_too_large`), before sessions are checked and before any route reads JSON; then responses
 * are compressed (./compression.ts).
 */
export const createApp = (logger: Logger, options: AppOptions = {}): Hono<AppEnv> => {
  const app = new Hono<AppEnv>()
  app.use('*', bodyLimits(options.bodyLimits))
  // Text responses of 1 KiB and more are gzipped for clients that ask (never the SSE feed, never a zip).
  app.use('*', ...compression())
  app.onError((error, c) => {
    if (error instanceof AppError) {
      return c.json({ error: { code: error.code, message: error.message } }, error.status)
    }
    if (error instanceof ZodError) {
      return c.json({ error: { code: 'invalid_input', message: formatIssues(error) } }, 400)
    }
    if (error instanceof HTTPException) {
      return c.json({ error: { code: 'http_error', message: error.message } }, error.status)
    }
    logger.error('unhandled request error', { method: c.req.method, path: c.req.path, error })
    return c.json({ error: { code: 'internal', message: 'Internal server error' } }, 500)
  })
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `No route for ${c.req.path}` } }, 404))
  return app
}
