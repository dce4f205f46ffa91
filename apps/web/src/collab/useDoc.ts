import type { HocuspocusProvider } from '@hocuspocus/provider'
import { accessTo, type DocRef, docName } from '@rapport/model'
import { useEffect, useLayoutEffect, useState, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import { useCollab } from './CollabContext.tsx'
import type { DocHandle } from './DocHandle.ts'
import { type DocState, INITIAL_DOC_STATE } from './DocHandle.ts'

export interface UseDocResult {
  doc: Y.Doc | null
  provider: HocuspocusProvider | null
  /** Synced with the server at least once since opening (stays true while briefly offline). */
  synced: boolean
  /** The local (IndexedDB) copy or the server state is present: safe to render data. */
  ready: boolean
  /** The IndexedDB copy has been loaded into the document (or there is no offline copy to wait for). */
  localLoaded: boolean
  /** The server's state, read over HTTP before the socket synced, is in the document (see DocState). */
  serverLoaded: boolean
  /** The role may only read this document (or the server said so): the UI must not offer edits. */
  readOnly: boolean
  /** The server refused the document. */
  denied: string | null
  noAccess: boolean
  /** Bumped each time the registry replaced the document by a fresh copy (`DocRegistry.resync`). */
  generation: number
}

const noop = () => () => {}
const initial = () => INITIAL_DOC_STATE

/**
 * Opens the document `ref` for as long as the component is mounted. The handle is shared and ref-counted by the
 * registry, so two components (or a StrictMode double mount) never open the same document twice.
 */
export function useDoc(ref: DocRef | null): UseDocResult {
  const { registry, member } = useCollab()
  const name = ref ? docName(ref) : null
  const access = ref ? accessTo(member, ref) : 'none'
  const [handle, setHandle] = useState<DocHandle | null>(null)
  const [everSynced, setEverSynced] = useState(false)

  // A layout effect: the document's sync request leaves before the browser lays out and paints the new page, so the
  // server's answer overlaps that work (it is on the account room's path to an editable note).
  useLayoutEffect(() => {
    if (!name || access === 'none') {
      setHandle(null)
      return
    }
    const h = registry.acquire(name)
    setHandle(h)
    setEverSynced(h.state.synced)
    return () => registry.release(name)
  }, [registry, name, access])

  const current = handle && handle.name === name ? handle : null
  const state: DocState = useSyncExternalStore(current?.subscribe ?? noop, current?.getState ?? initial)

  useEffect(() => {
    if (state.synced) setEverSynced(true)
  }, [state.synced])

  const synced = everSynced || state.synced
  return {
    doc: current?.doc ?? null,
    provider: current?.provider ?? null,
    synced,
    ready: synced || state.localLoaded || state.serverLoaded,
    localLoaded: state.localLoaded,
    serverLoaded: state.serverLoaded,
    readOnly: access !== 'write' || state.serverReadOnly,
    denied: state.denied,
    noAccess: access === 'none' || state.denied !== null,
    generation: state.generation,
  }
}
