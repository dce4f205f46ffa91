/** What the account room knows about a shared document when deciding whether to mount its editor. */
export interface EditorGate {
  /** The server answered our sync step at least once. */
  synced: boolean
  /** The IndexedDB copy has been loaded into the document. */
  localLoaded: boolean
  /** The editor's `Y.XmlFragment` has no content yet. */
  fragmentEmpty: boolean
}

/**
 * Whether a collaborative editor may be mounted now. After a server sync, always. Before it (offline), only when the
 * IndexedDB copy is loaded AND already holds content: y-prosemirror writes an initial paragraph into an empty
 * fragment, which would be duplicated when it later merges with the server's copy.
 */
export function mayMountEditor({ synced, localLoaded, fragmentEmpty }: EditorGate): boolean {
  return synced || (localLoaded && !fragmentEmpty)
}
