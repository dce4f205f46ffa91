import { appendUpdates, type DocumentStore, storeStates } from './DocumentStore.ts'

/**
 * `store` as if the documents `gone` names did not exist: loads find nothing, stores and appended updates (one by
 * one or in batches) are dropped. Listing, the logged names and deleting pass through (a purge needs them). Keeps the
 * store's batch forms (`appendUpdates`, `storeStates`, `storeNew`, `settleNew`): without them an import's batches
 * fall back to one transaction per document.
 */
export function withoutDocuments(store: DocumentStore, gone: (name: string) => boolean): DocumentStore {
  const kept = <T extends { name: string }>(entries: readonly T[]): T[] =>
    entries.filter((e) => !gone(e.name))
  const { storeNew, settleNew, workspaceIds } = store
  return {
    load: (name) => (gone(name) ? Promise.resolve(null) : store.load(name)),
    loadWithLog: (name) =>
      gone(name) ? Promise.resolve({ state: null, log: [], damagedLogBytes: 0 }) : store.loadWithLog(name),
    store: (name, state) => (gone(name) ? Promise.resolve() : store.store(name, state)),
    appendUpdate: (name, update) => (gone(name) ? Promise.resolve() : store.appendUpdate(name, update)),
    appendUpdates: (entries) => appendUpdates(store, kept(entries)),
    storeStates: (entries, options) => storeStates(store, kept(entries), options),
    ...(storeNew && { storeNew: (entries) => storeNew.call(store, kept(entries)) }),
    ...(settleNew && { settleNew: (names) => settleNew.call(store, names) }),
    list: (prefix) => store.list(prefix),
    loggedNames: () => store.loggedNames(),
    ...(workspaceIds && { workspaceIds: () => workspaceIds.call(store) }),
    delete: (name) => store.delete(name),
    close: () => store.close(),
  }
}
