/**
 * Where Yjs documents live between server runs. Every implementation passes
 * `documentStore.contract.ts`. A stored value is the FULL state of the document
 * (`Y.encodeStateAsUpdate(doc)`), so the last store wins.
 */
export interface DocumentStore {
  /** The stored state, or null when the document was never stored. */
  load(name: string): Promise<Uint8Array | null>
  /** Replace the stored state. Concurrent stores of one name keep the one called last. */
  store(name: string, state: Uint8Array): Promise<void>
  /** Names of stored documents, optionally only those starting with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>
  /** Remove a document; a missing document is not an error. */
  delete(name: string): Promise<void>
  close(): Promise<void>
}
