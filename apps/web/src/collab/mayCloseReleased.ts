import type { DocState } from './DocHandle.ts'

/**
 * Whether a document nobody uses any more may be closed now (else the registry asks again after the grace delay).
 *
 * - Only while the socket is connected: closing detaches the provider, which sends a Close message for the document.
 *   Offline, the socket queues that message and flushes it after the next reconnect, once the server answers the
 *   first message, i.e. after a provider reopened for the same document (e.g. by navigating back while offline) has
 *   authenticated. The server then closes that new provider's connection: its updates are never applied nor
 *   acknowledged, so it stops syncing and the indicator keeps showing unsynced changes.
 * - Never while the server still lacks some of our edits (a read-only connection can never take them).
 */
export function mayCloseReleased(
  state: Pick<DocState, 'unsynced' | 'serverReadOnly'>,
  refs: number,
  socketConnected: boolean,
): boolean {
  if (refs > 0 || !socketConnected) return false
  return state.unsynced === 0 || state.serverReadOnly
}
