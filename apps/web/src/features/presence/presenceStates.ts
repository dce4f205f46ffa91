import { z } from 'zod'

export const PresenceState = z.object({
  user: z.object({ id: z.string(), name: z.string(), color: z.string() }),
  /** Id of the card this user is dragging right now. */
  dragging: z.string().nullable().optional(),
  /** Name of the field this user is editing right now. */
  editing: z.string().nullable().optional(),
})
export type PresenceState = z.infer<typeof PresenceState>

export interface Peer extends PresenceState {
  clientId: number
}

/**
 * Validated awareness states of everybody but ourselves, one entry per user (a user with two tabs shows once;
 * the entry that is dragging/editing wins), sorted by name for a stable avatar order.
 */
export function peersFromAwareness(states: Map<number, unknown>, selfClientId: number): Peer[] {
  const byUser = new Map<string, Peer>()
  for (const [clientId, raw] of states) {
    if (clientId === selfClientId) continue
    const parsed = PresenceState.safeParse(raw)
    if (!parsed.success) continue
    const peer: Peer = { ...parsed.data, clientId }
    const prev = byUser.get(peer.user.id)
    if (!prev || (!(prev.dragging || prev.editing) && (peer.dragging || peer.editing)))
      byUser.set(peer.user.id, peer)
  }
  return [...byUser.values()].sort(
    (a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId,
  )
}
