import type { Logger } from '../log/logger.ts'
import type { DocumentStore } from './DocumentStore.ts'
import { mergeLogged } from './mergeLogged.ts'

/**
 * Folds every document's logged updates into its stored state (which drops the log). Run at start-up, BEFORE any
 * document is loaded or appended to: a store drops every update appended before it is called, so a concurrent
 * append would be lost from the log. After a clean shutdown there is nothing to do; after a crash, the updates
 * acknowledged since the last stores. A document that cannot be compacted keeps its log (its load replays it).
 */
export const compactLogs = async (store: DocumentStore, logger: Logger): Promise<number> => {
  let compacted = 0
  for (const name of await store.loggedNames()) {
    try {
      const { state, log, damagedLogBytes } = await store.loadWithLog(name)
      const merged = mergeLogged(state, log)
      // Only a torn record and no state: nothing was ever acknowledged.
      if (merged) await store.store(name, merged)
      else await store.delete(name)
      compacted += 1
      if (damagedLogBytes > 0) {
        logger.warn('skipped a torn or damaged end of an update log (a crash mid-write)', {
          name,
          bytes: damagedLogBytes,
        })
      }
    } catch (error) {
      logger.error('could not compact the update log of a document; it is replayed when the document loads', {
        name,
        error,
      })
    }
  }
  if (compacted > 0)
    logger.info('replayed the update logs of documents edited before the last stop', { compacted })
  return compacted
}
