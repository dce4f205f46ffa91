import { useSyncExternalStore } from 'react'
import { useCollab } from './CollabContext.tsx'

/** Explains what "offline" means for the user's work while the server cannot be reached. */
export function OfflineBanner() {
  const { registry } = useCollab()
  const snap = useSyncExternalStore(registry.subscribe, registry.getSnapshot)
  if (snap.status !== 'offline') return null
  return (
    <div className="notice notice--warn offline-banner" role="status" data-testid="offline-banner">
      The server cannot be reached. You can keep working: changes are saved on this device
      {snap.unsynced > 0 ? ` (${snap.unsynced} waiting)` : ''} and sync when the connection returns.
    </div>
  )
}
