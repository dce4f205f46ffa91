import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import { mayMountEditor } from './mayMountEditor.ts'

/**
 * True once the editor bound to the notes `Y.Text` `field` of `doc` may mount (see `mayMountEditor`), and from then
 * on for as long as `doc` stays the same: a mounted editor is never torn down because the room went offline.
 */
export function useEditorGate(
  doc: Y.Doc | null,
  field: string,
  state: { synced: boolean; localLoaded: boolean; serverLoaded?: boolean },
): boolean {
  const [opened, setOpened] = useState<Y.Doc | null>(null)
  // Re-render when the text fills (IndexedDB load or server sync); the decision reads it live below.
  const [, setTextLength] = useState(0)
  useEffect(() => {
    if (!doc) return
    const text = doc.getText(field)
    const update = () => setTextLength(text.length)
    update()
    text.observe(update)
    return () => text.unobserve(update)
  }, [doc, field])
  const may =
    doc !== null &&
    mayMountEditor({
      synced: state.synced,
      localLoaded: state.localLoaded,
      serverLoaded: state.serverLoaded,
      textEmpty: doc.getText(field).length === 0,
    })
  useEffect(() => {
    if (may && doc) setOpened(doc)
  }, [may, doc])
  return doc !== null && (may || opened === doc)
}
