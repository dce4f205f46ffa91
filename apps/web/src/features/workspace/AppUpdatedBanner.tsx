import { SETTINGS_FORMAT, SETTINGS_KEY, settingsFormat, settingsMap } from '@rapport/model'
import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'

/**
 * True while the workspace document's layout version (`format`, docs/schema.md §3.8) is newer than this build
 * understands: the server was upgraded since this tab loaded, and the tab would read the new structures (pipelines,
 * custom fields) as invalid.
 */
export function useOutdatedSettings(doc: Y.Doc | null): boolean {
  const [outdated, setOutdated] = useState(false)
  useEffect(() => {
    if (!doc) {
      setOutdated(false)
      return
    }
    const map = settingsMap(doc)
    const update = () => setOutdated(settingsFormat(doc) > SETTINGS_FORMAT)
    update()
    const onChange = (event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has(SETTINGS_KEY.format)) update()
    }
    map.observe(onChange)
    return () => map.unobserve(onChange)
  }, [doc])
  return outdated
}

/**
 * "Rapport was updated": shown when this tab is older than the workspace's data, with a button to reload. Not a
 * silent reload: text being typed in a form would be lost (edits already made are kept in the offline copy and sync).
 */
export function AppUpdatedBanner() {
  const { session } = useSession()
  const { doc } = useDoc({ workspaceId: session.workspace.id, kind: 'workspace' })
  if (!useOutdatedSettings(doc)) return null
  return (
    <div className="notice notice--info app-updated-banner" role="alert" data-testid="app-updated">
      <span>Rapport was updated. Reload this page to keep working with the new version.</span>
      <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
        Reload
      </button>
    </div>
  )
}
