import { z } from 'zod'
import { idString } from '../ids.ts'

/** Epoch milliseconds. */
export const timestamp = z.number().int().nonnegative()

/** A calendar date, `YYYY-MM-DD`. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected YYYY-MM-DD')

/** A user id (members live in the server's metadata store, not in a document). */
export const userId = idString

/** Fields every stored record has. `id` is branded per record type. */
export const recordBase = {
  createdAt: timestamp,
  updatedAt: timestamp,
  archived: z.boolean(),
}

/** Fields of a record that commands maintain and patches may not set. */
export const SYSTEM_FIELDS = ['id', 'createdAt', 'updatedAt', 'archived'] as const

/** Options every command accepts; `now` makes timestamps deterministic in tests. */
export interface CommandOptions {
  now?: number
}

export function nowOf(options: CommandOptions | undefined): number {
  return options?.now ?? Date.now()
}

/** Flattens zod issues into `path: message` lines for errors and tolerant-read reports. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
}
