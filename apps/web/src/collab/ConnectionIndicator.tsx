import { useSyncExternalStore } from 'react'
import { useCollab } from './CollabContext.tsx'
import { describeConnection } from './connectionSummary.ts'

/** The top-bar pill: connected / syncing / offline, with the number of unsynced local changes. */
export function ConnectionIndicator() {
  const { registry } = useCollab()
  const snap = useSyncExternalStore(registry.subscribe, registry.getSnapshot)
  return (
    <output
      className={`connection connection--${snap.status}`}
      data-testid="connection-status"
      data-status={snap.status}
      data-unsynced={snap.unsynced}
      title={describeConnection(snap)}
    >
      <span className="connection__dot" aria-hidden="true" />
      {describeConnection(snap)}
    </output>
  )
}
