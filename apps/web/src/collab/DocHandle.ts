import type { HocuspocusProvider } from '@hocuspocus/provider'
import type { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'

/** Live state of one open document. */
export interface DocState {
  /** The server has answered our sync step at least once since the last (re)connect. */
  synced: boolean
  /** The IndexedDB copy has been loaded into the document. */
  localLoaded: boolean
  /**
   * The server's state, read over HTTP before the socket synced (`DocRegistryOptions.earlyState`: a first visit's
   * room), has been applied to the document: what the server held then, with its load-time migrations done.
   */
  serverLoaded: boolean
  /** Local updates the server has not acknowledged yet. */
  unsynced: number
  /** The server refused this document (no access); `null` when fine. */
  denied: string | null
  /** The server granted only read access. */
  serverReadOnly: boolean
  /** How many times the registry replaced this handle's `Y.Doc` by a fresh one (`DocRegistry.resync`). */
  generation: number
}

export const INITIAL_DOC_STATE: DocState = {
  synced: false,
  localLoaded: false,
  serverLoaded: false,
  unsynced: 0,
  denied: null,
  serverReadOnly: false,
  generation: 0,
}

/**
 * One open document: its Y.Doc, its provider on the shared socket and its offline copy. Owned by `DocRegistry`.
 * `doc`, `provider` and `persistence` are replaced together with a fresh set when the registry resyncs the document
 * (the server regenerated it): read them when needed rather than keeping them, and re-read on a new `generation`.
 */
export class DocHandle {
  refs = 0
  state: DocState = INITIAL_DOC_STATE
  releaseTimer: ReturnType<typeof setTimeout> | null = null
  authRetries = 0
  /** A fresh document syncing to replace `doc` (`DocRegistry.resync`); null otherwise. */
  pending: Y.Doc | null = null
  private readonly listeners = new Set<() => void>()

  constructor(
    readonly name: string,
    public doc: Y.Doc,
    public provider: HocuspocusProvider,
    public persistence: IndexeddbPersistence | null,
  ) {}

  setState(patch: Partial<DocState>): void {
    const next = { ...this.state, ...patch }
    const keys = Object.keys(patch) as Array<keyof DocState>
    if (keys.every((k) => next[k] === this.state[k])) return
    this.state = next
    for (const l of this.listeners) l()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getState = (): DocState => this.state
}
