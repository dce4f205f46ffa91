import type { IndexWorker } from '../recordIndex/IndexWorker.ts'

/** A deal as `RecordIndex.boardRows` reads it (the fields of BOARD_ROW_FIELDS, `null` when missing). */
export type BoardRow = Record<string, unknown>

/** What the board reads need of the index worker. */
export type BoardRowsSource = Pick<IndexWorker, 'index' | 'flush' | 'committedThrough'>

type Read = { committed: number; rows: Promise<readonly BoardRow[]> }

/** Reads under way, per worker and board (`workspaceId` NUL `pipelineId`). */
const running = new WeakMap<object, Map<string, Read>>()

/**
 * The non-archived indexed deals of pipeline `pipelineId` with what a card needs (`RecordIndex.boardRows`: one query,
 * the fields read in SQL), after everything queued for the index is committed. A first visit of a board asks for its
 * snapshot (`GET /api/pipelines/:id/board`) and its faces (`…/board/faces`) at the same moment (index.html): both read
 * these rows, so the second answer, and everything queued behind them, waited for two reads. A read that starts while
 * another of the same board is under way and nothing was committed to the index since that one started joins it: it
 * gets the rows it would have read itself. The rows are shared: read them, never change them.
 */
export async function boardDealRows(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly BoardRow[]> {
  await source.flush()
  let reads = running.get(source)
  if (!reads) {
    reads = new Map()
    running.set(source, reads)
  }
  const key = `${workspaceId}\u0000${pipelineId}`
  const committed = source.committedThrough
  const current = reads.get(key)
  if (current && current.committed === committed) return current.rows
  const read: Read = { committed, rows: readAll(source, workspaceId, pipelineId) }
  reads.set(key, read)
  const done = () => {
    if (reads.get(key) === read) reads.delete(key)
  }
  read.rows.then(done, done)
  return read.rows
}

function readAll(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly BoardRow[]> {
  return source.index.boardRows(workspaceId, pipelineId)
}
