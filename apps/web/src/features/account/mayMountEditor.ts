/** What the account room knows about a shared document when deciding whether to mount its editor. */
export interface EditorGate {
  /** The server answered our sync step at least once. */
  synced: boolean
  /** The IndexedDB copy has been loaded into the document. */
  localLoaded: boolean
  /** The server's state, read over HTTP before the socket synced, has been applied (DocState.serverLoaded). */
  serverLoaded?: boolean
  /** The editor's notes `Y.Text` (`notesText`, format v2) has no content yet. */
  textEmpty: boolean
}

/**
 * Whether a collaborative editor may be mounted now. After a server sync, always (the server has migrated the old
 * fragment into the text by then); likewise once the server's state read over HTTP is applied (the server loaded the
 * room, migrations included, to answer; edits made on it reference the server's items and merge on sync). Before it (offline), only when the IndexedDB copy is loaded AND its text already
 * holds notes: an editor on an empty text shows nothing, and the first keystroke would write a first block marker
 * that later merges with the server's copy beside the notes the server migrated (a second first paragraph). The
 * fragment is never looked at: an offline copy from before the migration holds only a fragment, and the client
 * never migrates it (the server does, once the room syncs).
 */
export function mayMountEditor({ synced, localLoaded, serverLoaded, textEmpty }: EditorGate): boolean {
  return synced || serverLoaded === true || (localLoaded && !textEmpty)
}
