import type { DocState } from './DocHandle.ts'

export type ConnectionStatus = 'connected' | 'syncing' | 'offline'

export interface ConnectionSnapshot {
  status: ConnectionStatus
  /** Local changes the server has not confirmed yet, over every open document. */
  unsynced: number
  openDocuments: number
  /** Open documents the server refused. */
  denied: number
}

/** Folds the socket status and every open document's state into the one indicator shown in the top bar. */
export function summarizeConnection(
  socket: 'connected' | 'connecting' | 'disconnected',
  docs: readonly DocState[],
): ConnectionSnapshot {
  // A read-only connection never acknowledges updates (the server drops them), so what a read-only document
  // "has pending" — typically its IndexedDB copy replayed on open — can never sync and is not the user's work.
  const unsynced = docs.reduce((n, d) => (d.serverReadOnly ? n : n + d.unsynced), 0)
  const denied = docs.filter((d) => d.denied !== null).length
  const waiting = docs.some((d) => d.denied === null && !d.synced)
  const status: ConnectionStatus =
    socket === 'disconnected'
      ? 'offline'
      : socket === 'connecting' || waiting || unsynced > 0
        ? 'syncing'
        : 'connected'
  return { status, unsynced, openDocuments: docs.length, denied }
}

export function describeConnection(s: ConnectionSnapshot): string {
  const pending = s.unsynced > 0 ? ` · ${s.unsynced} unsynced change${s.unsynced === 1 ? '' : 's'}` : ''
  if (s.status === 'offline') return `Offline${pending}`
  if (s.status === 'syncing') return `Syncing${pending}`
  return 'Connected'
}
