import { isModelError } from '@rapport/model'

/** Runs a model command; returns `null` on success or a readable message (first validation issue) on failure. */
export function runCommand(command: () => unknown): string | null {
  try {
    command()
    return null
  } catch (error) {
    if (isModelError(error)) {
      const issue = error.issues[0]
      return issue ? `Not saved — ${issue}` : `Not saved — ${error.message}`
    }
    return `Not saved — ${error instanceof Error ? error.message : String(error)}`
  }
}
