import * as Y from 'yjs'
import { type DocumentStore, storeStates } from '../DocumentStore.ts'

/** Record documents written per transaction (and per wait for the disk) by a split step. */
export const RECORD_DOCS_PER_WRITE = 1_000

/**
 * The writes of a split step (one new document per record), RECORD_DOCS_PER_WRITE at a time through `storeStates`:
 * one transaction and one fsync per chunk instead of one per record (an upgrade of 200,000 records otherwise waits
 * for 200,000 syncs, one after the other). A document already stored when the step began (`storedNames`: an
 * interrupted run's) or already queued is merged into, so the step stays rerun-safe; only those are read back.
 * `flush` must resolve before the step deletes its source document.
 */
export function recordDocWriter(
  store: DocumentStore,
  storedNames: ReadonlySet<string>,
  perWrite = RECORD_DOCS_PER_WRITE,
) {
  let pending = new Map<string, Uint8Array>()
  const written = new Set<string>()
  const flush = async (): Promise<void> => {
    if (pending.size === 0) return
    const entries = [...pending].map(([name, state]) => ({ name, state }))
    pending = new Map()
    await storeStates(store, entries)
  }
  return {
    /** Queues `fresh` as document `name`, merged into its earlier state; says whether there was one. */
    async add(name: string, fresh: Uint8Array): Promise<{ existed: boolean }> {
      const earlier =
        pending.get(name) ?? (storedNames.has(name) || written.has(name) ? await store.load(name) : null)
      pending.set(name, earlier ? Y.mergeUpdates([earlier, fresh]) : fresh)
      written.add(name)
      if (pending.size >= perWrite) await flush()
      return { existed: earlier !== null }
    },
    flush,
  }
}
