import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'

export interface AppEnv {
  Variables: { session: SessionInfo }
}

const formatIssues = (error: ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ')

/**
 * The Hono app with the ONE error mapping of the server: AppError → its status, ZodError → 400 invalid_input,
 * anything else → 500 internal (logged). Routes are mounted by createServer under `/api`.
 */
export const createApp = (logger: Logger): Hono<AppEnv> => {
  const app = new Hono<AppEnv>()
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
