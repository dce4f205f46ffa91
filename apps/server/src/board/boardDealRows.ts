import type { IndexWorker } from '../recordIndex/IndexWorker.ts'

/** A deal as `RecordIndex.boardRows` reads it (the fields of BOARD_ROW_FIELDS, `null` when missing). */
export type BoardRow = Record<string, unknown>

/** What the board reads need of the index worker. */
export type BoardRowsSource = Pick<IndexWorker, 'index' | 'flush' | 'committedThrough'>

type Read = { committed: number; rows: Promise<readonly BoardRow[]> }

/**
 * How long a finished read still answers a read of the same board when nothing was committed since it started: the
 * other request of a first visit's pair can reach the server after the first one's read is done (a SQLite read is
 * synchronous: the second request's connection is only accepted once it is over; measured ~100 ms apart).
 */
export const PAIR_MS = 250

/** Reads under way or just finished, per worker and board (`workspaceId` NUL `pipelineId`). */
const reads = new WeakMap<object, Map<string, Read>>()

/**
 * The non-archived indexed deals of pipeline `pipelineId` with what a card needs (`RecordIndex.boardRows`: one query,
 * the fields read in SQL), after everything queued for the index is committed. A first visit of a board asks for its
 * snapshot (`GET /api/pipelines/:id/board`) and its faces (`…/board/faces`) at the same moment (index.html): both read
 * these rows. A read joins another of the same board that is under way, or finished less than PAIR_MS ago, when
 * nothing was committed to the index since that one started: it gets the rows it would have read itself. The rows are
 * shared: read them, never change them.
 */
export async function boardDealRows(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly BoardRow[]> {
  await source.flush()
  let board = reads.get(source)
  if (!board) {
    board = new Map()
    reads.set(source, board)
  }
  const key = `${workspaceId}\u0000${pipelineId}`
  const committed = source.committedThrough
  const current = board.get(key)
  if (current && current.committed === committed) return current.rows
  const read: Read = { committed, rows: readAll(source, workspaceId, pipelineId) }
  const known = board
  known.set(key, read)
  const forget = () => {
    setTimeout(() => {
      if (known.get(key) === read) known.delete(key)
    }, PAIR_MS).unref?.()
  }
  read.rows.then(forget, () => {
    if (known.get(key) === read) known.delete(key)
  })
  return read.rows
}

async function readAll(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly BoardRow[]> {
  // The SQLite store reads synchronously: started at once, the read would hold the event loop before the other request
  // of the pair (sent by the browser in the same millisecond) is even parsed, and that one would find it finished and
  // read again (measured: the two reads ~150 ms apart, never joined). One turn of the event loop lets it join.
  await new Promise((resolve) => setImmediate(resolve))
  return source.index.boardRows(workspaceId, pipelineId)
}
