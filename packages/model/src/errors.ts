export const MODEL_ERROR_CODES = ['invalid_input', 'not_found', 'conflict', 'invalid_transition'] as const
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number]

/**
 * The one error type the model throws. `invalid_input` carries the zod issues flattened to readable
 * `path: message` lines; the server maps `code` to an HTTP status once.
 */
export class ModelError extends Error {
  readonly code: ModelErrorCode
  readonly issues: string[]

  constructor(code: ModelErrorCode, message: string, issues: string[] = []) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message)
    this.name = 'ModelError'
    this.code = code
    this.issues = issues
  }
}

export function isModelError(error: unknown): error is ModelError {
  return error instanceof ModelError
}
