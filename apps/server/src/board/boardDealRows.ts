import type { ProjectedRecord } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { MAX_PAGE } from '../recordIndex/RecordIndex.ts'

/** What the board reads need of the index worker. */
export type BoardRowsSource = Pick<IndexWorker, 'index' | 'flush' | 'committedThrough'>

type Read = { committed: number; rows: Promise<readonly ProjectedRecord[]> }

/** Reads under way, per worker and board (`workspaceId` NUL `pipelineId`). */
const running = new WeakMap<object, Map<string, Read>>()

/**
 * The non-archived indexed deals of pipeline `pipelineId` (every page of `index.list`, in its order), after everything
 * queued for the index is committed. A first visit of a board asks for its snapshot (`GET /api/pipelines/:id/board`)
 * and its faces (`…/board/faces`) at the same moment (index.html): both read these rows, and on a 20,000-deal board
 * each read held the event loop for ~100 ms of SQLite and JSON parsing (more on a loaded machine), so the second
 * answer, and everything queued behind them, waited for two. A read that starts while another of the same board is
 * under way and nothing was committed to the index since that one started joins it: it gets the rows it would have
 * read itself. The rows are shared: read them, never change them.
 */
export async function boardDealRows(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly ProjectedRecord[]> {
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

async function readAll(
  source: BoardRowsSource,
  workspaceId: string,
  pipelineId: string,
): Promise<readonly ProjectedRecord[]> {
  const rows: ProjectedRecord[] = []
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await source.index.list(workspaceId, 'deals', {
      filters: { pipelineId },
      offset,
      limit: MAX_PAGE,
      archived: 'false',
    })
    for (const row of page.items) rows.push(row)
    offset = page.nextOffset
  }
  return rows
}
