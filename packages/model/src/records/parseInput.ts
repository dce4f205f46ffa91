import type { z } from 'zod'
import { ModelError } from '../errors.ts'
import { formatIssues } from './recordBase.ts'

/** Parses command input; throws `ModelError('invalid_input')` with readable issues. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new ModelError('invalid_input', 'invalid input', formatIssues(parsed.error))
  return parsed.data
}
