import { useSyncExternalStore } from 'react'
import { useCollab } from './CollabContext.tsx'
import { connectionParts, describeConnection } from './connectionSummary.ts'

/** The top-bar pill: connected / syncing / offline, with the number of unsynced local changes. */
export function ConnectionIndicator() {
  const { registry } = useCollab()
  const snap = useSyncExternalStore(registry.subscribe, registry.getSnapshot)
  const { status, count, detail } = connectionParts(snap)
  return (
    <output
      className={`connection connection--${snap.status}`}
      data-testid="connection-status"
      data-status={snap.status}
      data-unsynced={snap.unsynced}
      title={describeConnection(snap)}
    >
      <span className="connection__dot" aria-hidden="true" />
      {status}
      {count}
      {/* Below a wide desktop only the count stays (the title says it in full): the nav keeps its room. */}
      {detail && <span className="connection__detail">{detail}</span>}
    </output>
  )
}
