/**
 * Where Yjs documents live between server runs. Every implementation passes
 * `documentStore.contract.ts`. A document is a stored state (the FULL state, `Y.encodeStateAsUpdate(doc)`, so the
 * last store wins) plus an append-only log of the Yjs updates applied since that state was taken.
 *
 * The log is what makes an acknowledged edit durable: the server appends every update and waits for
 * `appendUpdate` before it acknowledges it; the debounced `store` compacts the log into the state.
 */
export interface DocumentStore {
  /** The stored state with every logged update merged in, or null when the document has neither. */
  load(name: string): Promise<Uint8Array | null>
  /** The stored state and, separately, the updates logged since it was stored (oldest first). */
  loadWithLog(name: string): Promise<LoadedDocument>
  /**
   * Replace the stored state, and drop from the log every update appended BEFORE this call (the caller's state
   * must contain them; updates appended after the call stay). Concurrent stores of one name keep the one called last.
   */
  store(name: string, state: Uint8Array): Promise<void>
  /**
   * Append one Yjs update to the document's log. Resolves once it is durable: it survives a crash of the process
   * (and of the machine where the store syncs to disk). Appending an update the state already holds is harmless.
   */
  appendUpdate(name: string, update: Uint8Array): Promise<void>
  /**
   * Optional batch forms of `appendUpdate` and `store` (an import writing many new documents): the same effect as
   * calling them one by one, in one transaction and one wait for the disk. `appendUpdates` / `storeStates` below call them or fall back to the one-by-one calls.
   */
  appendUpdates?(entries: ReadonlyArray<{ name: string; update: Uint8Array }>): Promise<void>
  storeStates?(
    entries: ReadonlyArray<{ name: string; state: Uint8Array }>,
    options?: StoreStatesOptions,
  ): Promise<void>
  /**
   * Optional, for new documents written in bulk (an import's, imports/bulkCreate.ts): each entry's full state becomes
   * the document's stored state — in one transaction and one wait for the disk, instead of an append now and a
   * store later (the state written twice) — and the document counts as logged (`loggedNames` lists it) until
   * `settleNew` names it, or a `store` or `delete` of it. So a crash before the caller indexed the documents leaves
   * them to the start-up catch-up exactly as logged updates would be. A name that has a stored state already gets
   * the entry appended to its log instead: nothing stored is replaced. So may an entry the store keeps elsewhere
   * (SQLite: a state of LARGE_STATE_BYTES or more, which goes to a file): it counts as logged until stored.
   * Resolves once durable (as `appendUpdate`).
   */
  storeNew?(entries: ReadonlyArray<{ name: string; state: Uint8Array }>): Promise<void>
  /**
   * With `storeNew`: the documents no longer count as logged (the caller indexed them). Need not wait for the disk:
   * lost in a crash, they are only checked again at the next start.
   */
  settleNew?(names: readonly string[]): Promise<void>
  /** Names of documents with a stored state or logged updates, optionally only those starting with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>
  /**
   * Names of documents that have logged updates (not yet compacted into their state), and those `storeNew` stored
   * and `settleNew` did not settle yet, sorted.
   */
  loggedNames(): Promise<string[]>
  /**
   * The distinct workspace ids of the stored names (the part before the first `/`; names without one are left out),
   * sorted — what `storedWorkspaceIds` answers. Optional: a store that can answer without listing every name (the
   * SQLite store skips through its keys) provides it; otherwise it is derived from `list()`.
   */
  workspaceIds?(): Promise<string[]>
  /** Remove a document and its log; a missing document is not an error. */
  delete(name: string): Promise<void>
  close(): Promise<void>
}

export interface LoadedDocument {
  state: Uint8Array | null
  /** Updates logged since `state` was stored, oldest first; some may already be in `state` (replay is idempotent). */
  log: Uint8Array[]
  /** Bytes of the log skipped as torn or damaged (a crash mid-append); 0 normally. */
  damagedLogBytes: number
}

/** The workspace ids of `names` (the part before the first `/`), distinct and sorted. */
export function workspaceIdsOf(names: Iterable<string>): string[] {
  const ids = new Set<string>()
  for (const name of names) {
    const slash = name.indexOf('/')
    if (slash > 0) ids.add(name.slice(0, slash))
  }
  return [...ids].sort()
}

/**
 * The ids of every workspace with stored documents, sorted: from the store's own `workspaceIds` when it has one (a
 * few index seeks), else from listing every name (on a big workspace 200k+ names, ~200 ms: start-up used to list
 * them five times).
 */
export function storedWorkspaceIds(store: DocumentStore): Promise<string[]> {
  return store.workspaceIds ? store.workspaceIds() : store.list().then(workspaceIdsOf)
}

/** `appendUpdates` of the store, or one `appendUpdate` per entry. */
export function appendUpdates(
  store: DocumentStore,
  entries: ReadonlyArray<{ name: string; update: Uint8Array }>,
): Promise<void> {
  if (store.appendUpdates) return store.appendUpdates(entries)
  return Promise.all(entries.map((e) => store.appendUpdate(e.name, e.update))).then(() => {})
}

export interface StoreStatesOptions {
  /**
   * `false`: resolve once the states are committed, without waiting for the disk (no group commit asked for). Only
   * for folding states whose every update is durable in the log already (`appendUpdates` resolved): a store replaces
   * a document's logged updates by its state in one transaction, so if a crash loses it before it reached the disk
   * the logged updates are still there, and any later durable write makes it durable too (the WAL is replayed as a
   * prefix). An import's third step (imports/bulkCreate.ts) stores this way: each store asked for its own fdatasync,
   * and the syncs running back to back made the event loop's own writes to the same file wait (measured: with
   * FSYNC=0 an import cost the main thread ~20 % less CPU per row). Default true.
   */
  durable?: boolean
}

/** `storeStates` of the store, or one `store` per entry. */
export function storeStates(
  store: DocumentStore,
  entries: ReadonlyArray<{ name: string; state: Uint8Array }>,
  options?: StoreStatesOptions,
): Promise<void> {
  if (store.storeStates) return store.storeStates(entries, options)
  return Promise.all(entries.map((e) => store.store(e.name, e.state))).then(() => {})
}
