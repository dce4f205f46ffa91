import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeJsonDurably } from '../storage/durableFiles.ts'

/**
 * `<dataDir>/boards-current.json`: written at a clean stop once every board equals the mirror of its deals — the
 * record index's last change seq of every workspace then, and what the index was built for. A start that finds the
 * same seqs (nothing was indexed since: no deal can have changed, so no board is behind) skips the boards' catch-up,
 * which otherwise reads every deal of every pipeline from the index and loads every board (~0.5 s of CPU with
 * 40,000 deals). A crash after any indexed change, a re-indexing catch-up, an index rebuilt or a workspace added or
 * removed all change the seqs, and the catch-up runs again.
 */
export const BOARDS_CURRENT_FILE = 'boards-current.json'

const BoardsCurrent = z.object({
  builtFor: z.string(),
  lastSeqs: z.record(z.string(), z.number()),
})
export type BoardsCurrent = z.infer<typeof BoardsCurrent>

/** The mark of the last clean stop; null when absent or unreadable (then the catch-up runs). */
export const readBoardsCurrent = async (dataDir: string): Promise<BoardsCurrent | null> => {
  try {
    const parsed = BoardsCurrent.safeParse(
      JSON.parse(await readFile(join(dataDir, BOARDS_CURRENT_FILE), 'utf8')),
    )
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export const writeBoardsCurrent = (dataDir: string, mark: BoardsCurrent): Promise<void> =>
  writeJsonDurably(dataDir, BOARDS_CURRENT_FILE, mark)

/** Whether `mark` says the boards are current for an index built for `builtFor` whose last seqs are `lastSeqs`. */
export const boardsAreCurrent = (
  mark: BoardsCurrent | null,
  builtFor: string,
  lastSeqs: ReadonlyMap<string, number>,
): boolean => {
  if (!mark || mark.builtFor !== builtFor) return false
  const marked = Object.entries(mark.lastSeqs)
  return (
    marked.length === lastSeqs.size && marked.every(([workspaceId, seq]) => lastSeqs.get(workspaceId) === seq)
  )
}
