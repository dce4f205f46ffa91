import { readSettings, settingsMap, type WorkspaceSettings } from '@rapport/model'
import { useEffect, useState } from 'react'
import type * as Y from 'yjs'

/** The workspace settings (pipelines, stages, custom fields), live; `null` until the document is open. */
export function useWorkspaceSettings(doc: Y.Doc | null): WorkspaceSettings | null {
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null)
  useEffect(() => {
    if (!doc) {
      setSettings(null)
      return
    }
    const map = settingsMap(doc)
    const update = () => setSettings(readSettings(doc))
    update()
    map.observeDeep(update)
    return () => map.unobserveDeep(update)
  }, [doc])
  return settings
}
