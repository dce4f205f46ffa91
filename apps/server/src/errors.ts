import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The one error type the server throws on purpose. `http/app.ts` maps it (once) to
 * `{ error: { code, message } }` with `status`.
 */
export class AppError extends Error {
  readonly code: string
  readonly status: ContentfulStatusCode

  constructor(status: ContentfulStatusCode, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AppError'
    this.status = status
    this.code = code
  }
}

export const badRequest = (message: string, code = 'bad_request'): AppError =>
  new AppError(400, code, message)

export const unauthorized = (message = 'Authentication required', code = 'unauthorized'): AppError =>
  new AppError(401, code, message)

export const forbidden = (message = 'Not allowed', code = 'forbidden'): AppError =>
  new AppError(403, code, message)

export const notFound = (message = 'Not found', code = 'not_found'): AppError =>
  new AppError(404, code, message)

export const conflict = (message: string, code = 'conflict'): AppError => new AppError(409, code, message)

export const isAppError = (error: unknown): error is AppError => error instanceof AppError
