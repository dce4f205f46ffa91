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

/** The indicator's words: the status, and the unsynced changes as a count and its noun (absent when none). */
export function connectionParts(s: ConnectionSnapshot): { status: string; count: string; detail: string } {
  const status = s.status === 'offline' ? 'Offline' : s.status === 'syncing' ? 'Syncing' : 'Connected'
  if (s.status === 'connected' || s.unsynced === 0) return { status, count: '', detail: '' }
  return { status, count: ` · ${s.unsynced}`, detail: ` unsynced change${s.unsynced === 1 ? '' : 's'}` }
}

export function describeConnection(s: ConnectionSnapshot): string {
  const { status, count, detail } = connectionParts(s)
  return `${status}${count}${detail}`
}
